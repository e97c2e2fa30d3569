import FractileConfig
import FractileHTTP
import FractileHTTPTesting
import FractileServer
import Foundation
import XCTest

/// A whole server (`ServerAssembly`) on 127.0.0.1 port 0 with one small forward-pass map, memory cache only, and a
/// public directory holding `index.html`; stopped when the test ends.
struct LiveServer {
    let server: ServerAssembly
    let port: Int
    let publicDirectory: String

    init(_ test: XCTestCase, mapJSON: String = #"{"name": "forward-pass", "kind": "forward_pass", "maxIterations": 40}"#,
         render: String = "{}", accessLog: HTTPAccessLogOutput? = nil) throws {
        publicDirectory = NSTemporaryDirectory() + "fractile-live-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: publicDirectory, withIntermediateDirectories: true)
        try Data("<!doctype html><title>t</title>\n".utf8).write(to: URL(fileURLWithPath: publicDirectory + "/index.html"))
        let text = """
            {"server": {"host": "127.0.0.1", "port": 0, "publicDirectory": "\(publicDirectory)", "accessLog": \(accessLog != nil)},
             "render": \(render), "cache": {"directory": "\(publicDirectory)/cache", "diskBytes": 0},
             "maps": [\(mapJSON)]}
            """
        let configuration = try FractileConfiguration.parse(Data(text.utf8))
        server = ServerAssembly(configuration: configuration, log: { _ in }, accessLog: accessLog)
        port = try server.start()
        let server = server, directory = publicDirectory
        test.addTeardownBlock {
            server.shutdown(gracePeriod: 1)
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    func client(receiveTimeout: Double = 60) throws -> TestClient {
        try TestClient(port: port, receiveTimeout: receiveTimeout)
    }
}
