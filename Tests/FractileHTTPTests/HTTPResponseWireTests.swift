import XCTest
@testable import FractileHTTP

final class HTTPResponseWireTests: XCTestCase {
    let date = "Sun, 06 Nov 1994 08:49:37 GMT"

    func headText(_ wire: WireResponse) -> String { String(decoding: wire.head, as: UTF8.self) }

    func testGetAndHeadShareHeadersButHeadSendsNoBody() {
        let response = HTTPResponse(status: .ok, headers: ["Content-Type": "image/png"], body: [1, 2, 3])
        let get = response.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1)
        let head = response.wire(date: date, isHead: true, keepAlive: true, requestVersion: .http1_1)
        XCTAssertEqual(get.head, head.head)
        XCTAssertEqual(get.body, [1, 2, 3])
        XCTAssertEqual(head.body, [])
        XCTAssertEqual(
            headText(get),
            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nDate: \(date)\r\nServer: fractile\r\nContent-Length: 3\r\n\r\n"
        )
    }

    func testConnectionHeaderFollowsKeepAlive() {
        let response = HTTPResponse.text(.ok, "hi")
        XCTAssertTrue(headText(response.wire(date: date, isHead: false, keepAlive: false, requestVersion: .http1_1)).contains("Connection: close\r\n"))
        let old = response.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_0)
        XCTAssertTrue(headText(old).contains("Connection: keep-alive\r\n"))
        XCTAssertTrue(old.keepAlive)
        var closing = response
        closing.headers["Connection"] = "close"
        let wire = closing.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1)
        XCTAssertFalse(wire.keepAlive)
    }

    func testNotModifiedHasNoBody() {
        let response = HTTPResponse(status: .notModified, headers: ["ETag": "\"abc\""], body: [1, 2])
        let wire = response.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1)
        XCTAssertEqual(wire.body, [])
        XCTAssertFalse(headText(wire).contains("Content-Length"))
    }

    func testHeaderValuesCannotSplitTheResponse() {
        let response = HTTPResponse(status: .ok, headers: ["X-Evil": "a\r\nSet-Cookie: b"], body: [])
        let text = headText(response.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1))
        XCTAssertTrue(text.contains("X-Evil: a  Set-Cookie: b\r\n"))
    }

    func testPreparedHeadersFollowTheHandlersFieldsSafely() {
        let prepared = PreparedHeaders(["Content-Type": "image/png", "Date": "forged", "Content-Length": "1", "X-A": "a\r\nb"])
            .appending("ETag", "\"e\"")
            .appending("X-Written") { $0.append(contentsOf: "1\r\nSet-Cookie: 2".utf8) }
            .appending("Connection") { $0.append(contentsOf: "close".utf8) }
        let response = HTTPResponse(status: .ok, headers: ["Cache-Control": "no-cache"], preparedHeaders: prepared, body: [9])
        let wire = response.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1)
        XCTAssertEqual(
            headText(wire),
            "HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nContent-Type: image/png\r\nX-A: a  b\r\nETag: \"e\"\r\n"
                + "X-Written: 1  Set-Cookie: 2\r\nDate: \(date)\r\nServer: fractile\r\nContent-Length: 1\r\n\r\n"
        )
        XCTAssertTrue(wire.keepAlive)
    }

    func testStatusLinesAndLengths() {
        let missing = HTTPResponse(status: .notFound, body: Array(repeating: 1, count: 1234))
        XCTAssertTrue(headText(missing.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1))
            .hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        XCTAssertTrue(headText(missing.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1))
            .contains("\r\nContent-Length: 1234\r\n"))
        let empty = HTTPResponse(status: .ok, body: [])
        XCTAssertTrue(headText(empty.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1))
            .contains("\r\nContent-Length: 0\r\n"))
        let odd = HTTPResponse(status: HTTPStatus(code: 299, reasonPhrase: "Odd\r\nX: y"), body: [])
        XCTAssertTrue(headText(odd.wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1))
            .hasPrefix("HTTP/1.1 299 Odd  X: y\r\n"))
    }

    func testBodyStorageIsSharedNotCopied() {
        let tile = [UInt8](repeating: 7, count: 4096)
        let wire = HTTPResponse(status: .ok, body: tile).wire(date: date, isHead: false, keepAlive: true, requestVersion: .http1_1)
        tile.withUnsafeBufferPointer { original in
            wire.body.withUnsafeBufferPointer { sent in XCTAssertEqual(original.baseAddress, sent.baseAddress) }
        }
    }

    func testDateFormatAndAccessLine() {
        XCTAssertEqual(HTTPDate.format(784111777), date)
        let record = HTTPAccessRecord(
            method: "GET", target: "/a\"b", status: 200, bodyBytes: 10, durationMilliseconds: 1.234,
            note: "memory", remoteAddress: "127.0.0.1:5"
        )
        XCTAssertEqual(record.line, "127.0.0.1:5 \"GET /a%22b\" 200 10 1.23ms memory")
    }

    func testParseErrorResponse() {
        let response = HTTPParseError(.requestHeaderFieldsTooLarge, "too big").response
        XCTAssertEqual(response.status.code, 431)
        XCTAssertEqual(response.body, Array("too big\n".utf8))
        XCTAssertEqual(response.headers["Connection"], "close")
        XCTAssertNil(response.headers["Allow"])
    }
}
