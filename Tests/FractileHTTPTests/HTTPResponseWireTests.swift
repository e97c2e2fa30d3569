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
