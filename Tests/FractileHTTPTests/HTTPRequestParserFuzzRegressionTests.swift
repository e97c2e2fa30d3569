import XCTest
@testable import FractileHTTP

/// Inputs found by the libFuzzer target in `Fuzz/` (docs/hardening.md), each kept as a regression test.
final class HTTPRequestParserFuzzRegressionTests: XCTestCase {
    /// A request with no header fields whose empty line is the last byte received was left waiting for more bytes
    /// (the event loop then held the connection until the header timeout) although its head was complete.
    func testEmptyHeaderSectionEndingTheBufferIsComplete() throws {
        for text in ["GET / HTTP/1.0\n\n", "GET / HTTP/1.0\r\n\n", "GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\n\r\n"] {
            let bytes = Array(text.utf8)
            guard case .request(let request, let consumed) = HTTPRequestParser.parse(bytes) else {
                XCTFail("\(text.debugDescription): \(HTTPRequestParser.parse(bytes))")
                continue
            }
            XCTAssertEqual(consumed, bytes.count, text.debugDescription)
            XCTAssertEqual(request.path, "/")
            XCTAssertTrue(request.headers.isEmpty)
            // What follows a request never changes it (pipelining).
            XCTAssertEqual(HTTPRequestParser.parse(bytes + Array("GET".utf8)), .request(request, consumed: consumed))
        }
    }
}

/// Request smuggling (Tests/EndToEnd/test_hostile.py): repeated Content-Length values are refused even when equal.
final class HTTPRequestParserSmugglingTests: XCTestCase {
    func testRepeatedContentLengthIsRefusedEvenWhenEqual() {
        for text in [
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3,\r\n\r\nabc",
        ] {
            guard case .failure(let error) = HTTPRequestParser.parse(Array(text.utf8)) else {
                XCTFail("accepted: \(text.debugDescription)")
                continue
            }
            XCTAssertEqual(error.status, .badRequest)
            XCTAssertTrue(error.reason.contains("Content-Length"), error.reason)
        }
        guard case .request(let request, _) = HTTPRequestParser.parse(Array("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc".utf8)) else {
            return XCTFail("a single Content-Length must still work")
        }
        XCTAssertEqual(request.body, Array("abc".utf8))
    }
}
