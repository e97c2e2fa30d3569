import FractileHTTP
import FractileRender
@testable import FractileServer
import XCTest

final class RouteTests: XCTestCase {
    func testRoutesOfMaps() throws {
        XCTAssertEqual(try Route.resolve(path: "/tiles/forward-pass/3/2/5.png"), .tile(map: "forward-pass", z: 3, x: 2, y: 5, scale: 1))
        XCTAssertEqual(try Route.resolve(path: "/tiles/forward-pass/3/2/5@2x.png"), .tile(map: "forward-pass", z: 3, x: 2, y: 5, scale: 2))
        XCTAssertEqual(try Route.resolve(path: "/tiles/backprop-flow.json"), .tileJSON(map: "backprop-flow"))
        XCTAssertEqual(try Route.resolve(path: "/maps.json"), .mapList)
        XCTAssertEqual(try Route.resolve(path: "/probe/gradient-basin"), .probe(map: "gradient-basin"))
        XCTAssertEqual(try Route.resolve(path: "/healthz"), .health)
        XCTAssertEqual(try Route.resolve(path: "/metrics"), .metrics)
        XCTAssertEqual(try Route.resolve(path: "/vendor/leaflet/leaflet.js"), .vendor(path: "leaflet.js"))
        XCTAssertEqual(try Route.resolve(path: "/"), .file(path: ""))
        XCTAssertEqual(try Route.resolve(path: "/app.js"), .file(path: "app.js"))
        let deepest = "1329227995784915872903807060280344575"  // 2^120 - 1: the last tile index of zoom 120
        XCTAssertEqual(try Route.resolve(path: "/tiles/m/120/\(deepest)/0@2x.png"),
                       .tile(map: "m", z: 120, x: UInt128(deepest)!, y: 0, scale: 2))
    }

    func testTileETagNamesSettingsAndTile() {
        XCTAssertEqual(RouteHandler.tileETag(settingsHash: "0a1b", TileCoordinate(z: 3, x: 2, y: 5, scale: 1)),
                       "\"0a1b-3-2-5\"")
        let big = UInt128.max >> 8
        XCTAssertEqual(RouteHandler.tileETag(settingsHash: "h", TileCoordinate(z: 120, x: big, y: 0, scale: 2)),
                       "\"h-120-\(big)-0@2x\"")
    }

    func testRenderClientIsThePeerOrTheForwardedClientOfATrustedProxy() {
        func client(_ peer: String, _ forwarded: String?, trusted: Set<String> = []) -> String {
            var headers = HTTPHeaders()
            if let forwarded { headers.add(name: "X-Forwarded-For", value: forwarded) }
            let request = HTTPRequest(method: "GET", target: "/", path: "/", query: nil, version: .http1_1,
                                      headers: headers, keepAlive: true)
            return RouteHandler.client(of: request, HTTPRequestContext(remoteAddress: peer), trustedProxies: trusted)
        }
        XCTAssertEqual(client("10.0.0.9:5000", nil), "10.0.0.9")
        XCTAssertEqual(client("::1:5000", nil), "::1")
        XCTAssertEqual(client("10.0.0.9:5000", "1.2.3.4"), "10.0.0.9", "an untrusted peer's header is ignored")
        XCTAssertEqual(client("10.0.0.9:5000", "6.6.6.6, 1.2.3.4", trusted: ["10.0.0.9"]), "1.2.3.4")
        XCTAssertEqual(client("10.0.0.9:5000", "1.2.3.4, 10.0.0.8", trusted: ["10.0.0.9", "10.0.0.8"]), "1.2.3.4")
        XCTAssertEqual(client("10.0.0.9:5000", nil, trusted: ["10.0.0.9"]), "10.0.0.9")
    }

    func testRejectedPathsKeepTheirRouteLabel() {
        XCTAssertEqual(Route.label(ofRejected: "/tiles/forward-pass/x/0/0.png"), "tile")
        XCTAssertEqual(Route.label(ofRejected: "/tiles/Nope.json"), "tilejson")
        XCTAssertEqual(Route.label(ofRejected: "/probe/"), "probe")
        XCTAssertEqual(Route.label(ofRejected: "*"), "unknown")
    }

    func testRejectionsCarryStatusAndReason() {
        let cases: [(String, Int)] = [
            ("/tiles/forward-pass/x/0/0.png", 400), ("/tiles/forward-pass/1/+1/0.png", 400),
            ("/tiles/forward-pass/1/0/ 0.png", 400), ("/tiles/forward-pass/1/0/12345678901234567890123456789012345678.png", 404),
            ("/tiles/forward-pass/03/1/0.png", 404), ("/tiles/forward-pass/3/1/00.png", 404),
            ("/tiles/Forward/0/0/0.png", 404), ("/tiles/forward-pass/0/0/0.gif", 404), ("/tiles/a/b", 404),
            ("/tiles/../0/0/0.png", 404), ("/probe/", 404), ("*", 400), ("/tiles/m/0/0/@2x.png", 400),
            ("/tiles/m/0/0/0/0.png", 404), ("/tiles/m/0/0/.png", 400), ("/tiles/m//0/0.png", 400), ("/tiles/.json", 404),
            ("/tiles/m/1/0/0.PNG", 404), ("/tiles/", 404),
        ]
        for (path, status) in cases {
            XCTAssertThrowsError(try Route.resolve(path: path), path) { error in
                XCTAssertEqual((error as? Route.Rejection)?.status.code, status, path)
                XCTAssertFalse((error as? Route.Rejection)?.reason.isEmpty ?? true)
            }
        }
    }
}

final class StaticFileServerTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fractile-static-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("<html>".utf8).write(to: directory.appendingPathComponent("index.html"))
        try Data("body{}".utf8).write(to: directory.appendingPathComponent("sub/style.css"))
        try Data("secret".utf8).write(to: directory.deletingLastPathComponent().appendingPathComponent("fractile-secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("leak.txt").path,
                                                   withDestinationPath: "../fractile-secret.txt")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testServesFilesWithTypesAndIndex() throws {
        let files = StaticFileServer(directory: directory.path)
        XCTAssertEqual(try files.file(at: "").bytes, Array("<html>".utf8))
        XCTAssertEqual(try files.file(at: "index.html").contentType, "text/html; charset=utf-8")
        XCTAssertEqual(try files.file(at: "sub/style.css").contentType, "text/css; charset=utf-8")
        XCTAssertEqual(try files.file(at: "sub/%73tyle.css").bytes, Array("body{}".utf8))
        XCTAssertThrowsError(try files.file(at: "sub/"), "sub/ has no index.html")
    }

    func testNeverLeavesItsDirectory() {
        let files = StaticFileServer(directory: directory.path)
        let payloads = ["../fractile-secret.txt", "%2e%2e/fractile-secret.txt", "%2E%2E/fractile-secret.txt",
                        "..%2ffractile-secret.txt", "sub/..%2f..%2ffractile-secret.txt", "..%5cfractile-secret.txt",
                        "..\\fractile-secret.txt", "%00", "index.html%00.css", "%c0%ae%c0%ae/fractile-secret.txt",
                        "%252e%252e/fractile-secret.txt", "leak.txt", "sub/../../fractile-secret.txt", ".hidden",
                        "%zz", "a%2", "sub/./style.css"]
        for payload in payloads {
            XCTAssertThrowsError(try files.file(at: payload), payload)
        }
    }
}

final class TileServerApplicationTests: XCTestCase {
    func testIfNoneMatchUsesWeakComparison() {
        XCTAssertTrue(RouteHandler.matches("\"a\"", "\"a\""))
        XCTAssertTrue(RouteHandler.matches("W/\"a\"", "\"a\""))
        XCTAssertTrue(RouteHandler.matches("\"b\", \"a\"", "\"a\""))
        XCTAssertTrue(RouteHandler.matches("*", "\"a\""))
        XCTAssertFalse(RouteHandler.matches("\"b\"", "\"a\""))
        XCTAssertFalse(RouteHandler.matches(nil, "\"a\""))
    }
}
