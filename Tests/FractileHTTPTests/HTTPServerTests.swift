import Foundation
import Synchronization
import XCTest
@testable import FractileHTTP
import FractileHTTPTesting

/// A handler whose behaviour each route picks:
/// `/slow?ms=N` answers after N ms from another thread; `/hold` never answers and remembers its context;
/// `/twice` answers twice; anything else answers `path=<path>` at once.
final class TestHandler: HTTPRequestHandler {
    let heldContexts = Mutex<[HTTPRequestContext]>([])
    let heldResponders = Mutex<[@Sendable (HTTPResponse) -> Void]>([])

    func handle(_ request: HTTPRequest, context: HTTPRequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let response = HTTPResponse(
            status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"],
            body: Array("path=\(request.path)\n".utf8), logNote: "test"
        )
        switch request.path {
        case "/slow":
            let milliseconds = Int(request.query?.split(separator: "=").last ?? "100") ?? 100
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { respond(response) }
        case "/hold":
            heldContexts.withLock { $0.append(context) }
            heldResponders.withLock { $0.append(respond) }
        case "/big":
            respond(HTTPResponse(status: .ok, body: [UInt8](repeating: 0x42, count: 32768)))
        case "/twice":
            respond(response)
            respond(HTTPResponse.text(.internalServerError, "second"))
        default:
            respond(response)
        }
    }
}

final class HTTPServerTests: XCTestCase {
    func startServer(
        _ configure: (inout HTTPServerConfiguration) -> Void = { _ in }, handler: TestHandler = TestHandler()
    ) throws -> (HTTPServer, Int) {
        var configuration = HTTPServerConfiguration()
        configuration.eventLoopCount = 2
        configure(&configuration)
        let server = HTTPServer(configuration: configuration, handler: handler)
        let port = try server.start()
        XCTAssertGreaterThan(port, 0)
        addTeardownBlock { server.shutdown(gracePeriod: 1) }
        return (server, port)
    }

    func waitUntil(timeout: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    func testGetAndHeadHaveTheSameHeaders() throws {
        let (_, port) = try startServer()
        let client = try TestClient(port: port)
        let get = try client.get("/hello?x=1")
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(get.bodyText, "path=/hello\n")
        XCTAssertEqual(get.headers["Content-Length"], "12")
        XCTAssertEqual(get.headers["Server"], "fractile")
        XCTAssertEqual(get.headers["Content-Type"], "text/plain; charset=utf-8")
        XCTAssertNil(get.headers["Connection"])
        let date = try XCTUnwrap(get.headers["Date"])
        XCTAssertTrue(date.hasSuffix(" GMT") && date.count == 29, date)

        let head = try client.get("/hello?x=1", method: "HEAD")
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.body.isEmpty)
        XCTAssertEqual(head.headers.fields.map(\.name), get.headers.fields.map(\.name))
        XCTAssertEqual(head.headers["Content-Length"], "12")
        // No stray body bytes: the next exchange on the connection parses cleanly.
        XCTAssertEqual(try client.get("/after").bodyText, "path=/after\n")
        XCTAssertEqual(client.unreadBytes, 0)
    }

    func testKeepAliveServesManyRequestsOnOneConnection() throws {
        let (server, port) = try startServer()
        let client = try TestClient(port: port)
        for index in 0..<5 {
            XCTAssertEqual(try client.get("/r\(index)").bodyText, "path=/r\(index)\n")
        }
        XCTAssertEqual(server.statistics.acceptedConnections, 1)
        XCTAssertEqual(server.openConnectionCount, 1)
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let (_, port) = try startServer()
        let client = try TestClient(port: port)
        // The first answers last if order were not enforced.
        try client.send("GET /slow?ms=200 HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\nHEAD /c HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try client.readResponse().bodyText, "path=/slow\n")
        XCTAssertEqual(try client.readResponse().bodyText, "path=/b\n")
        let head = try client.readResponse(head: true)
        XCTAssertEqual(head.headers["Content-Length"], "8")
        XCTAssertEqual(try client.get("/d").bodyText, "path=/d\n")
    }

    /// A client that pipelines without reading answers: the server stops reading when its output backs
    /// up, so the client's sends block instead of the server buffering without bound.
    func testPipeliningWithoutReadingIsBackPressured() throws {
        let (server, port) = try startServer()
        let client = try TestClient(port: port)
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(client.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /big HTTP/1.1\r\nHost: t\r\nX-Pad: \(String(repeating: "p", count: 2000))\r\n\r\n".utf8)
        var sentBytes = 0
        var blocked = false
        while sentBytes < 64 << 20 {
            let sent = request.withUnsafeBytes { send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                blocked = errno == EAGAIN || errno == EWOULDBLOCK
                break
            }
            sentBytes += sent
        }
        XCTAssertTrue(blocked, "sent \(sentBytes) bytes without the server pushing back")
        // The server is still healthy for others.
        XCTAssertEqual(try TestClient(port: port).get("/ok").status, 200)
        XCTAssertGreaterThanOrEqual(server.openConnectionCount, 1)
    }

    func testManyClientsAtOnce() throws {
        let (server, port) = try startServer()
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { worker in
            do {
                let client = try TestClient(port: port)
                for index in 0..<50 {
                    let path = index % 7 == 0 ? "/slow?ms=1" : "/w\(worker)/\(index)"
                    let response = try client.get(path)
                    let expected = index % 7 == 0 ? "path=/slow\n" : "path=/w\(worker)/\(index)\n"
                    if response.bodyText != expected { failures.withLock { $0.append("\(path): \(response.bodyText)") } }
                }
            } catch {
                failures.withLock { $0.append("\(worker): \(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertTrue(waitUntil { server.statistics.responses == 800 }, "\(server.statistics)")
        XCTAssertEqual(server.statistics.acceptedConnections, 16)
    }

    func testRequestSentOneBytePerWrite() throws {
        let (_, port) = try startServer()
        let client = try TestClient(port: port)
        for byte in Array("GET /trickle HTTP/1.1\r\nHost: t\r\nAccept: */*\r\n\r\n".utf8) {
            try client.send([byte])
        }
        XCTAssertEqual(try client.readResponse().bodyText, "path=/trickle\n")
    }

    func testTooLargeHeadersGet431AndClose() throws {
        let (server, port) = try startServer()
        let client = try TestClient(port: port)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 20000))\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 431)
        XCTAssertEqual(response.headers["Connection"], "close")
        XCTAssertTrue(client.waitForClose())
        XCTAssertEqual(server.statistics.parseFailures, 1)
    }

    func testHeadersThatNeverEndAreRefusedAtTheLimit() throws {
        let (_, port) = try startServer()
        let client = try TestClient(port: port)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n")
        // The server may refuse before all of this is sent; a failed send just ends the flood.
        for _ in 0..<40 {
            guard (try? client.send("X-Filler: \(String(repeating: "b", count: 500))\r\n")) != nil else { break }
        }
        XCTAssertEqual(try client.readResponse().status, 431)
        XCTAssertTrue(client.waitForClose())
    }

    func testMalformedRequestsGetTheirStatusAndClose() throws {
        let (_, port) = try startServer()
        let cases: [(String, Int)] = [
            ("PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 405),
            ("GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("\u{16}\u{03}\u{01}\u{02}\u{00}", 400),
            ("GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
            ("GET /\(String(repeating: "x", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n", 414),
        ]
        for (request, status) in cases {
            let client = try TestClient(port: port)
            try client.send(request)
            let response = try client.readResponse()
            XCTAssertEqual(response.status, status, request.prefix(40).debugDescription)
            XCTAssertEqual(response.headers["Connection"], "close")
            XCTAssertEqual(response.headers["Content-Type"], "text/plain; charset=utf-8")
            XCTAssertFalse(response.bodyText.isEmpty)
            if status == 405 { XCTAssertEqual(response.headers["Allow"], "GET, HEAD, OPTIONS, POST, DELETE") }
            XCTAssertTrue(client.waitForClose())
        }
    }

    func testSlowHeadersAreCutOffWhileOthersAreServed() throws {
        let (server, port) = try startServer { $0.headerTimeout = 1 }
        let slow = try TestClient(port: port, receiveTimeout: 0.2)
        let started = Date()
        try slow.send("GET / HTTP/1.1\r\n")
        var cutOff = false
        var servedMeanwhile = false
        while Date().timeIntervalSince(started) < 8 {
            // Keep trickling bytes: the deadline counts from the first byte, not the last.
            if (try? slow.send("X: y\r\n")) == nil { cutOff = true; break }
            if slow.waitForClose() { cutOff = true; break }
            if !servedMeanwhile {
                let other = try TestClient(port: port)
                servedMeanwhile = try other.get("/other").status == 200
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(cutOff)
        XCTAssertTrue(servedMeanwhile)
        XCTAssertGreaterThanOrEqual(elapsed, 0.9)
        XCTAssertLessThan(elapsed, 6)
        XCTAssertGreaterThanOrEqual(server.statistics.timeouts, 1)
    }

    func testIdleKeepAliveConnectionIsClosed() throws {
        let (server, port) = try startServer { $0.idleTimeout = 1 }
        let client = try TestClient(port: port)
        XCTAssertEqual(try client.get("/x").status, 200)
        let started = Date()
        XCTAssertTrue(client.waitForClose())
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.8)
        XCTAssertTrue(waitUntil { server.openConnectionCount == 0 })
    }

    func testConnectionCapRejectsExtraConnectionsAndKeepsServing() throws {
        let (server, port) = try startServer { $0.maxConnections = 4 }
        let clients = try (0..<4).map { _ in try TestClient(port: port) }
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(try client.get("/c\(index)").status, 200)
        }
        let extra = try TestClient(port: port)
        // Answered 503 (best effort) or simply closed; either way not left hanging.
        if let response = try? extra.readResponse() {
            XCTAssertEqual(response.status, 503)
        }
        XCTAssertTrue(extra.waitForClose())
        XCTAssertEqual(server.statistics.rejectedConnections, 1)
        for (index, client) in clients.enumerated() {
            XCTAssertEqual(try client.get("/again\(index)").status, 200)
        }
        // ARC may release the clients (closing their sockets) right after their last use: keep them open here.
        withExtendedLifetime(clients) { XCTAssertEqual(server.openConnectionCount, 4) }
    }

    func testHandlerMayRespondLaterFromAnotherThread() throws {
        let (_, port) = try startServer()
        let client = try TestClient(port: port)
        XCTAssertEqual(try client.get("/slow?ms=150").bodyText, "path=/slow\n")
        XCTAssertEqual(try client.get("/next").bodyText, "path=/next\n")
    }

    func testSecondRespondIsIgnoredAndCounted() throws {
        let (server, port) = try startServer { $0.errorLog = nil }
        let client = try TestClient(port: port)
        XCTAssertEqual(try client.get("/twice").status, 200)
        XCTAssertEqual(try client.get("/next").bodyText, "path=/next\n")
        XCTAssertEqual(server.statistics.droppedResponses, 1)
    }

    func testClientThatLeavesMarksContextClosed() throws {
        let handler = TestHandler()
        let (server, port) = try startServer(handler: handler)
        do {
            let client = try TestClient(port: port)
            try client.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
            XCTAssertTrue(waitUntil { handler.heldContexts.withLock { $0.count } == 1 })
            let context = try XCTUnwrap(handler.heldContexts.withLock { $0.first })
            XCTAssertTrue(context.isConnectionOpen)
            XCTAssertTrue(context.remoteAddress.hasPrefix("127.0.0.1:"))
        }  // the client closes here
        let context = try XCTUnwrap(handler.heldContexts.withLock { $0.first })
        XCTAssertTrue(waitUntil { !context.isConnectionOpen })
        XCTAssertTrue(waitUntil { server.openConnectionCount == 0 })
        // A late answer is dropped, not written anywhere.
        handler.heldResponders.withLock { $0.first }?(HTTPResponse.text(.ok, "late"))
        XCTAssertTrue(waitUntil { server.statistics.droppedResponses == 1 })
    }

    func testGracefulShutdownFinishesInFlightResponse() throws {
        var configuration = HTTPServerConfiguration()
        configuration.eventLoopCount = 2
        let server = HTTPServer(configuration: configuration, handler: TestHandler())
        let port = try server.start()
        let busy = try TestClient(port: port)
        let idle = try TestClient(port: port)
        XCTAssertEqual(try idle.get("/idle").status, 200)
        try busy.send("GET /slow?ms=500 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            server.shutdown(gracePeriod: 5)
            done.signal()
        }
        let response = try busy.readResponse()
        XCTAssertEqual(response.bodyText, "path=/slow\n")
        XCTAssertEqual(response.headers["Connection"], "close")
        XCTAssertTrue(busy.waitForClose())
        XCTAssertTrue(idle.waitForClose())
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(server.openConnectionCount, 0)
        XCTAssertThrowsError(try TestClient(port: port))
    }

    func testShutdownGracePeriodEndsHungRequests() throws {
        let handler = TestHandler()
        var configuration = HTTPServerConfiguration()
        configuration.eventLoopCount = 1
        let server = HTTPServer(configuration: configuration, handler: handler)
        let port = try server.start()
        let client = try TestClient(port: port)
        try client.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(waitUntil { handler.heldContexts.withLock { $0.count } == 1 })
        server.shutdown(gracePeriod: 0.3)
        XCTAssertTrue(client.waitForClose())
        XCTAssertFalse(try XCTUnwrap(handler.heldContexts.withLock { $0.first }).isConnectionOpen)
    }

    func testHTTP10KeepAliveRules() throws {
        let (_, port) = try startServer()
        let plain = try TestClient(port: port)
        try plain.send("GET /old HTTP/1.0\r\n\r\n")
        let closing = try plain.readResponse()
        XCTAssertEqual(closing.headers["Connection"], "close")
        XCTAssertEqual(closing.bodyText, "path=/old\n")
        XCTAssertTrue(plain.waitForClose())

        let persistent = try TestClient(port: port)
        for index in 0..<2 {
            try persistent.send("GET /ka\(index) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try persistent.readResponse()
            XCTAssertEqual(response.headers["Connection"], "keep-alive")
            XCTAssertEqual(response.bodyText, "path=/ka\(index)\n")
        }

        let closeRequested = try TestClient(port: port)
        XCTAssertEqual(try closeRequested.get("/bye", extraHeaders: "Connection: close\r\n").headers["Connection"], "close")
        XCTAssertTrue(closeRequested.waitForClose())
    }

    func testAccessLogRecordsEachResponse() throws {
        let records = Mutex<[HTTPAccessRecord]>([])
        let (_, port) = try startServer { $0.accessLog = { record in records.withLock { $0.append(record) } } }
        let client = try TestClient(port: port)
        _ = try client.get("/logged?z=1")
        _ = try client.get("/logged", method: "HEAD")
        XCTAssertTrue(waitUntil { records.withLock { $0.count } == 2 })
        let logged = records.withLock { $0 }
        XCTAssertEqual(logged[0].method, "GET")
        XCTAssertEqual(logged[0].target, "/logged?z=1")
        XCTAssertEqual(logged[0].status, 200)
        XCTAssertEqual(logged[0].bodyBytes, 13)
        XCTAssertEqual(logged[0].note, "test")
        XCTAssertGreaterThanOrEqual(logged[0].durationMilliseconds, 0)
        XCTAssertEqual(logged[1].bodyBytes, 0)
        XCTAssertTrue(logged[0].line.contains("\"GET /logged?z=1\" 200 13"), logged[0].line)
        XCTAssertTrue(logged[0].line.hasSuffix(" test"))
    }

    func testCurlFetchesAResponse() throws {
        let curl = URL(fileURLWithPath: "/usr/bin/curl")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: curl.path), "curl not installed")
        let (_, port) = try startServer()
        let process = Process()
        process.executableURL = curl
        process.arguments = ["--silent", "--show-error", "--include", "--max-time", "10",
                             "http://127.0.0.1:\(port)/curl/a", "http://127.0.0.1:\(port)/curl/b"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n"), text)
        XCTAssertTrue(text.contains("path=/curl/a\n"))
        XCTAssertTrue(text.contains("path=/curl/b\n"))
        XCTAssertTrue(text.contains("Server: fractile"))
    }
}
