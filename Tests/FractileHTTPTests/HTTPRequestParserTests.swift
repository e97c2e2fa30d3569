import XCTest
@testable import FractileHTTP

final class HTTPRequestParserTests: XCTestCase {
    let simpleGet = "GET /tiles/3/4/5.png?style=dark HTTP/1.1\r\nHost: example.org\r\nUser-Agent: test\r\n\r\n"

    func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseResult {
        HTTPRequestParser.parse(Array(text.utf8), limits: limits)
    }

    func request(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (HTTPRequest, Int)? {
        guard case .request(let request, let consumed) = parse(text) else {
            XCTFail("expected a request, got \(parse(text))", file: file, line: line)
            return nil
        }
        return (request, consumed)
    }

    func assertFailure(
        _ text: String, _ status: HTTPStatus, reasonContains: String? = nil,
        limits: HTTPParserLimits = HTTPParserLimits(), file: StaticString = #filePath, line: UInt = #line
    ) {
        guard case .failure(let error) = parse(text, limits: limits) else {
            XCTFail("expected \(status), got \(parse(text, limits: limits))", file: file, line: line)
            return
        }
        XCTAssertEqual(error.status, status, error.reason, file: file, line: line)
        XCTAssertFalse(error.reason.isEmpty, file: file, line: line)
        XCTAssertFalse(error.reason.contains("\n"), file: file, line: line)
        if let reasonContains {
            XCTAssertTrue(error.reason.contains(reasonContains), "reason: \(error.reason)", file: file, line: line)
        }
        XCTAssertEqual(error.response.headers["Connection"], "close", file: file, line: line)
    }

    func testValidGet() throws {
        let (request, consumed) = try XCTUnwrap(request(simpleGet))
        XCTAssertEqual(consumed, simpleGet.utf8.count)
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.target, "/tiles/3/4/5.png?style=dark")
        XCTAssertEqual(request.path, "/tiles/3/4/5.png")
        XCTAssertEqual(request.query, "style=dark")
        XCTAssertEqual(request.version, .http1_1)
        XCTAssertEqual(request.headers["host"], "example.org")
        XCTAssertEqual(request.headers["USER-AGENT"], "test")
        XCTAssertEqual(request.headers.count, 2)
        XCTAssertTrue(request.body.isEmpty)
        XCTAssertTrue(request.keepAlive)
    }

    func testValidHeadAndRawPath() throws {
        let (request, _) = try XCTUnwrap(request("HEAD /a%20b/c? HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(request.method, "HEAD")
        XCTAssertEqual(request.path, "/a%20b/c")
        XCTAssertEqual(request.query, "")
    }

    func testBareLineFeedsAndOWSTrimmed() throws {
        let (request, consumed) = try XCTUnwrap(request("GET / HTTP/1.1\nHost:   x  \t\nAccept:\n\n"))
        XCTAssertEqual(consumed, 37)
        XCTAssertEqual(request.headers["Host"], "x")
        XCTAssertEqual(request.headers["Accept"], "")
        XCTAssertNil(request.query)
    }

    func testAbsoluteFormTarget() throws {
        let (request, _) = try XCTUnwrap(request("GET http://example.org/t/1.png?x=1 HTTP/1.1\r\nHost: example.org\r\n\r\n"))
        XCTAssertEqual(request.path, "/t/1.png")
        XCTAssertEqual(request.query, "x=1")
    }

    func testBodyWithContentLength() throws {
        let text = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET"
        let (request, consumed) = try XCTUnwrap(request(text))
        XCTAssertEqual(request.body, Array("hello".utf8))
        XCTAssertEqual(consumed, text.utf8.count - 3)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel"), .needMoreData)
        // Repeated values, even equal ones, are refused (HTTPRequestParserSmugglingTests).
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello", .badRequest)
    }

    /// Every split into two chunks, and byte at a time: needMoreData until complete, then the same request
    /// (the shape of swift-nio's `ByteToMessageDecoderVerifier`).
    func testEverySplitGivesNeedMoreDataThenTheSameRequest() throws {
        for text in [simpleGet, "GET / HTTP/1.0\nConnection: keep-alive\n\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"] {
            let bytes = Array(text.utf8)
            guard case .request(let expected, let consumed) = HTTPRequestParser.parse(bytes) else {
                return XCTFail("whole request must parse")
            }
            XCTAssertEqual(consumed, bytes.count)
            for split in 0..<bytes.count {
                XCTAssertEqual(HTTPRequestParser.parse(bytes[0..<split]), .needMoreData, "prefix \(split) of \(text.debugDescription)")
                XCTAssertEqual(HTTPRequestParser.parse(Array(bytes[0..<split])), .needMoreData)
            }
            XCTAssertEqual(HTTPRequestParser.parse(bytes), .request(expected, consumed: consumed))
        }
    }

    func testIncrementalHeadEndSearchMatchesFullSearch() {
        let bytes = Array(simpleGet.utf8)
        bytes.withUnsafeBytes { all in
            var resume = 0
            for end in 1...all.count {
                let prefix = UnsafeRawBufferPointer(rebasing: all[0..<end])
                let found = HTTPRequestParser.headEnd(in: prefix, from: resume)
                XCTAssertEqual(found, HTTPRequestParser.headEnd(in: prefix, from: 0), "prefix \(end)")
                if found == nil { resume = max(0, end - 2) } else { XCTAssertEqual(found, all.count) }
            }
        }
    }

    func testPipelinedRequestsParseOneAfterAnother() throws {
        let texts = [simpleGet, "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n", "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]
        var buffer = Array(texts.joined().utf8)
        var paths: [String] = []
        for text in texts {
            guard case .request(let request, let consumed) = HTTPRequestParser.parse(buffer) else {
                return XCTFail("expected a request")
            }
            XCTAssertEqual(consumed, text.utf8.count)
            paths.append(request.path)
            buffer.removeFirst(consumed)
        }
        XCTAssertEqual(paths, ["/tiles/3/4/5.png", "/b", "/c"])
        XCTAssertTrue(buffer.isEmpty)
        XCTAssertEqual(HTTPRequestParser.parse(buffer), .needMoreData)
    }

    func testKeepAliveRules() throws {
        func keepAlive(_ text: String) throws -> Bool { try XCTUnwrap(request(text)).0.keepAlive }
        XCTAssertTrue(try keepAlive("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertFalse(try keepAlive("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertFalse(try keepAlive("GET / HTTP/1.1\r\nHost: x\r\nConnection: TE, Close\r\n\r\n"))
        XCTAssertFalse(try keepAlive("GET / HTTP/1.0\r\n\r\n"))
        XCTAssertTrue(try keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
        XCTAssertFalse(try keepAlive("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"))
        XCTAssertFalse(try keepAlive("GET / HTTP/1.1\r\nhost: x\r\ncONNECTION: close\r\n\r\n"))
        XCTAssertTrue(try keepAlive("GET / HTTP/1.1\r\nHost: x\r\nConnections: close\r\n\r\n"))
        XCTAssertEqual(try XCTUnwrap(request("GET / HTTP/1.0\r\n\r\n")).0.version, .http1_0)
    }

    func testMethodNotAllowedCarriesAllow() {
        assertFailure("PUT / HTTP/1.1\r\nHost: x\r\n\r\n", .methodNotAllowed, reasonContains: "PUT")
        assertFailure("PATCH / HTTP/1.1\r\nHost: x\r\n\r\n", .methodNotAllowed)
        // Methods are case-sensitive (RFC 9110 §9.1): `get` is no method this server knows.
        assertFailure("get / HTTP/1.1\r\nHost: x\r\n\r\n", .notImplemented)
        assertFailure("BREW / HTTP/1.1\r\nHost: x\r\n\r\n", .notImplemented, reasonContains: "BREW")
        // POST and DELETE (video jobs) parse, with arguments in the query and never a body.
        XCTAssertEqual(try XCTUnwrap(request("POST /videos?map=m HTTP/1.1\r\nHost: x\r\n\r\n")).0.method, "POST")
        XCTAssertEqual(try XCTUnwrap(request("DELETE /videos/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")).0.method, "DELETE")
        assertFailure("POST /videos HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", .contentTooLarge, reasonContains: "no body")
        guard case .failure(let error) = parse("PUT / HTTP/1.1\r\nHost: x\r\n\r\n") else { return XCTFail() }
        XCTAssertEqual(error.response.headers["Allow"], "GET, HEAD, OPTIONS, POST, DELETE")
        XCTAssertEqual(error.response.status, .methodNotAllowed)
        XCTAssertEqual(error.response.headers["Content-Type"], "text/plain; charset=utf-8")
    }

    func testBadRequestLines() {
        assertFailure("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", .badRequest, reasonContains: "method")
        assertFailure("G\u{1}T", .badRequest)  // refused before the line is complete
        assertFailure("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", .badRequest)
        assertFailure("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", .badRequest)
        assertFailure("GET /\u{7F} HTTP/1.1\r\nHost: x\r\n\r\n", .badRequest, reasonContains: "target")
        assertFailure("GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n", .badRequest, reasonContains: "target")
        assertFailure("GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", .badRequest)
        assertFailure("GET /é HTTP/1.1\r\nHost: x\r\n\r\n", .badRequest)
        assertFailure("GET foo HTTP/1.1\r\nHost: x\r\n\r\n", .badRequest, reasonContains: "'/'")
        assertFailure("GET /\r\nHost: x\r\n\r\n", .badRequest)
        assertFailure("GET / HTTX/1.1\r\nHost: x\r\n\r\n", .badRequest, reasonContains: "version")
        assertFailure("\r\n\r\n", .badRequest)
    }

    func testUnsupportedVersions() {
        assertFailure("GET / HTTP/2.0\r\nHost: x\r\n\r\n", .httpVersionNotSupported, reasonContains: "HTTP/2.0")
        assertFailure("GET / HTTP/3\r\nHost: x\r\n\r\n", .httpVersionNotSupported)
        assertFailure("GET / HTTP/0.9\r\n\r\n", .httpVersionNotSupported)
        XCTAssertEqual(try XCTUnwrap(request("GET / HTTP/1.2\r\nHost: x\r\n\r\n")).0.version, .http1_1)
    }

    func testBadHeaderSyntax() {
        assertFailure("GET / HTTP/1.1\r\nHost : x\r\n\r\n", .badRequest, reasonContains: "whitespace")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n", .badRequest, reasonContains: "folding")
        assertFailure("GET / HTTP/1.1\r\n Host: x\r\n\r\n", .badRequest, reasonContains: "folding")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", .badRequest, reasonContains: "colon")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n", .badRequest)
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nX(y): 1\r\n\r\n", .badRequest, reasonContains: "name")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{0}b\r\n\r\n", .badRequest, reasonContains: "control")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", .badRequest, reasonContains: "control")
    }

    func testHostRules() {
        assertFailure("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .badRequest, reasonContains: "Host")
        assertFailure("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .badRequest, reasonContains: "Host")
        assertFailure("GET / HTTP/1.1\r\nhost: a\r\nHOST: b\r\n\r\n", .badRequest, reasonContains: "Host")
        assertFailure("GET / HTTP/1.1\r\nHosts: a\r\n\r\n", .badRequest, reasonContains: "Host")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\ntransfer-ENCODING: chunked\r\n\r\n", .notImplemented, reasonContains: "Transfer-Encoding")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\ncontent-length: 1, 1\r\n\r\nab", .badRequest, reasonContains: "Content-Length")
        XCTAssertNotNil(request("GET / HTTP/1.0\r\n\r\n"))
    }

    func testFraming() {
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", .notImplemented, reasonContains: "Transfer-Encoding")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", .badRequest, reasonContains: "Transfer-Encoding")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", .badRequest, reasonContains: "Content-Length")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd", .badRequest, reasonContains: "Content-Length")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", .badRequest, reasonContains: "Content-Length")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", .badRequest)
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n", .badRequest)
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n", .contentTooLarge, reasonContains: "1024")
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", .contentTooLarge)
    }

    func testLimits() {
        let limits = HTTPParserLimits(maxRequestLineBytes: 100, maxHeaderBytes: 200, maxHeaderCount: 3)
        let longTarget = "/" + String(repeating: "a", count: 200)
        assertFailure("GET \(longTarget) HTTP/1.1\r\nHost: x\r\n\r\n", .uriTooLong, limits: limits)
        assertFailure("GET \(longTarget)", .uriTooLong, limits: limits)  // before the line is complete
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 300))\r\n\r\n", .requestHeaderFieldsTooLarge, limits: limits)
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 300))", .requestHeaderFieldsTooLarge, limits: limits)
        assertFailure("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", .requestHeaderFieldsTooLarge, reasonContains: "3", limits: limits)
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits).isRequest, true)
        // Exactly at the request-line limit is fine.
        let exact = "GET /" + String(repeating: "a", count: 100 - 14) + " HTTP/1.1"
        XCTAssertEqual(exact.utf8.count, 100)
        XCTAssertEqual(parse(exact + "\r\nHost: x\r\n\r\n", limits: limits).isRequest, true)
        XCTAssertEqual(parse(exact + "\r", limits: limits), .needMoreData)
        assertFailure("GET /a" + String(repeating: "a", count: 100 - 14) + " HTTP/1.1\r\nHost: x\r\n\r\n", .uriTooLong, limits: limits)
    }

    /// Random and mutated inputs never crash, and any request reported uses no more bytes than given.
    func testGarbageNeverCrashes() {
        var generator = SplitMix64(seed: 0x5EED)
        let seeds = [simpleGet, "GET / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nab"].map { Array($0.utf8) }
        let alphabet = Array("GET /HTTP1.0:\r\n \t,;?%\u{0}\u{7F}\u{FF}Content-LengthTransfer-Encoding0123456789".utf8)
        let limits = HTTPParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 128, maxHeaderCount: 4, maxBodyBytes: 16)
        for round in 0..<4000 {
            var input: [UInt8]
            switch round % 3 {
            case 0:
                input = (0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            case 1:
                input = (0..<Int(generator.next() % 200)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            default:
                input = seeds[round % seeds.count]
                for _ in 0..<(1 + generator.next() % 4) where !input.isEmpty {
                    let position = Int(generator.next() % UInt64(input.count))
                    input[position] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            for limit in [HTTPParserLimits(), limits] {
                switch HTTPRequestParser.parse(input, limits: limit) {
                case .needMoreData:
                    break
                case .request(_, let consumed):
                    XCTAssertLessThanOrEqual(consumed, input.count)
                    XCTAssertGreaterThan(consumed, 0)
                case .failure(let error):
                    XCTAssertTrue([400, 405, 413, 414, 431, 501, 505].contains(error.status.code), "\(error)")
                    XCTAssertFalse(error.reason.contains("\n"))
                }
            }
        }
    }
}

extension HTTPParseResult {
    var isRequest: Bool {
        if case .request = self { return true }
        return false
    }
}

/// A small seeded generator so the fuzz inputs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

final class HTTPRequestParserConformanceTests: XCTestCase {
    func testHostMustBeHostAndPort() {
        for valid in ["", "example.org", "example.org:8443", "127.0.0.1:1", "[::1]", "[::1]:80", "a_b.c-d"] {
            XCTAssertTrue(HTTPRequestParser.isValidHost(valid), valid)
        }
        for invalid in ["a b", "a/b", "a@b", "[::1", "[]", "h:8a", "h:80:90", "a\"b", "[::1]x"] {
            XCTAssertFalse(HTTPRequestParser.isValidHost(invalid), invalid)
        }
    }

    func testAsteriskFormOnlyForOptions() {
        guard case .request(let request, _) = HTTPRequestParser.parse(Array("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) else {
            return XCTFail()
        }
        XCTAssertEqual(request.path, "*")
        guard case .failure(let error) = HTTPRequestParser.parse(Array("GET * HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) else {
            return XCTFail()
        }
        XCTAssertEqual(error.status, .badRequest)
    }

    func testExpectContinueOnlyWhileTheBodyIsMissing() {
        func expects(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { HTTPRequestParser.expectsContinue($0) }
        }
        XCTAssertTrue(expects("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"))
        XCTAssertTrue(expects("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\na"))
        XCTAssertFalse(expects("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"))
        XCTAssertFalse(expects("GET / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"))
        XCTAssertFalse(expects("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n"))
    }

    func testRefusalsAfterTheRequestLineNameTheMethodAndTarget() {
        guard case .failure(let error) = HTTPRequestParser.parse(Array("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) else {
            return XCTFail()
        }
        XCTAssertEqual(error.status, .notImplemented)
        XCTAssertEqual(error.method, "BREW")
        XCTAssertEqual(error.target, "/pot")
    }
}
