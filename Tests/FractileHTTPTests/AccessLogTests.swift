import Foundation
import Synchronization
import XCTest
@testable import FractileHTTP
import FractileHTTPTesting

/// The buffered access log: batches per loop, nothing lost on graceful shutdown, whole lines under concurrency.
final class AccessLogTests: XCTestCase {
    private func start(_ output: HTTPAccessLogOutput) throws -> (HTTPServer, Int) {
        var configuration = HTTPServerConfiguration()
        configuration.eventLoopCount = 2
        configuration.accessLogOutput = output
        let server = HTTPServer(configuration: configuration, handler: TestHandler())
        let port = try server.start()
        addTeardownBlock { server.shutdown(gracePeriod: 1) }
        return (server, port)
    }

    func testGracefulShutdownWritesEveryBufferedLine() throws {
        let received = Mutex<[UInt8]>([])
        var output = HTTPAccessLogOutput { bytes in received.withLock { $0 += bytes } }
        output.maxDelay = 3600
        output.maxLines = 10_000
        let (server, port) = try start(output)
        let client = try TestClient(port: port)
        for index in 0..<50 { XCTAssertEqual(try client.get("/line/\(index)").status, 200) }
        XCTAssertTrue(received.withLock { $0.isEmpty }, "the lines wait in the loops' buffers")
        server.shutdown(gracePeriod: 1)
        let lines = String(decoding: received.withLock { $0 }, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 50)
        XCTAssertEqual(Set(lines.map { $0.split(separator: "\"")[1] }), Set((0..<50).map { "GET /line/\($0)" }))
    }

    func testBatchesAreWrittenByLineCountAndByAge() throws {
        let batches = Mutex<[Int]>([])
        var output = HTTPAccessLogOutput { bytes in batches.withLock { $0.append(bytes.count(where: { $0 == 0x0A })) } }
        output.maxLines = 4
        output.maxDelay = 0.05
        let (_, port) = try start(output)
        let client = try TestClient(port: port)
        for _ in 0..<9 { _ = try client.get("/x") }
        let deadline = Date().addingTimeInterval(10)
        while batches.withLock({ $0.reduce(0, +) }) < 9 && Date() < deadline { usleep(10_000) }
        let sizes = batches.withLock { $0 }
        XCTAssertEqual(sizes.reduce(0, +), 9, "the last lines go out by age without a shutdown")
        XCTAssertTrue(sizes.allSatisfy { $0 <= 4 }, "\(sizes)")
    }

    func testLinesStayWholeWhenLoopsWriteOneFileConcurrently() throws {
        let path = NSTemporaryDirectory() + "fractile-access-\(UUID().uuidString).log"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer {
            close(fd)
            unlink(path)
        }
        var output = HTTPAccessLogOutput.fileDescriptor(fd)
        output.maxLines = 7
        let (server, port) = try start(output)
        let clients = 8, requests = 150
        let long = String(repeating: "a", count: 600)
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            guard let connection = try? TestClient(port: port) else { return }
            for index in 0..<requests { _ = try? connection.get("/c\(client)/\(index)/\(long)") }
        }
        server.shutdown(gracePeriod: 1)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, clients * requests)
        let pattern = try NSRegularExpression(pattern: #"^127\.0\.0\.1:\d+ "GET /c\d+/\d+/a{600}" 200 \d+ \d+\.\d+ms test$"#)
        for line in lines {
            let text = String(line)
            XCTAssertNotNil(pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), text)
        }
    }

    func testLineFormatKeepsDoubleShortestMilliseconds() {
        for (milliseconds, text) in [(1.234, "1.23ms"), (1.2, "1.2ms"), (12.0, "12.0ms"), (0.051, "0.05ms"), (0.001, "0.0ms")] {
            let record = HTTPAccessRecord(method: "GET", target: "/", status: 200, bodyBytes: 1, durationMilliseconds: milliseconds)
            XCTAssertTrue(record.line.hasSuffix(" " + text), record.line)
        }
    }
}
