@testable import FractileServer
import XCTest

final class PercentDecodingTests: XCTestCase {
    func testDecodesEscapesStrictly() {
        XCTAssertEqual(PercentDecoding.bytes("a%2Fb%2e"), Array("a/b.".utf8))
        XCTAssertEqual(PercentDecoding.bytes("a+b", plusIsSpace: true), Array("a b".utf8))
        XCTAssertEqual(PercentDecoding.bytes("a+b"), Array("a+b".utf8))
        // Two hex digits and nothing else: Int parsing would have accepted a sign ("%+1" as byte 1).
        for malformed in ["%", "%4", "%+1", "%-1", "% 1", "%zz", "a%g0"] {
            XCTAssertNil(PercentDecoding.bytes(Substring(malformed)), malformed)
        }
    }

    func testQueryStringDropsMalformedValues() {
        let query = QueryString("re=%2B0.5&im=%+1&x=1+2")
        XCTAssertEqual(query["re"], "+0.5")
        XCTAssertNil(query["im"])
        XCTAssertEqual(query["x"], "1 2")
    }
}
