import XCTest

@testable import FractileConfig

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String, maximumDepth: Int = 64) throws -> JSONValue {
        try JSONParser(maximumDepth: maximumDepth).parse(Array(text.utf8))
    }

    private func syntaxError(_ text: String, maximumDepth: Int = 64) -> JSONSyntaxError? {
        do {
            _ = try JSONParser(maximumDepth: maximumDepth).parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    private func number(_ text: String) throws -> JSONNumber {
        guard case .number(let number) = try parse(text) else {
            XCTFail("\(text) is not a number")
            return JSONNumber(literal: "", value: .nan)
        }
        return number
    }

    func testObjectKeepsDocumentOrder() throws {
        let value = try parse(#"{"b": 1, "a": [true, false, null], "c": "x"}"#)
        guard case .object(let members) = value else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["b", "a", "c"])
        XCTAssertEqual(value["a"], .array([.bool(true), .bool(false), .null]))
        XCTAssertEqual(value["c"], .string("x"))
        XCTAssertNil(value["d"])
    }

    func testTrueIsNotOne() throws {
        XCTAssertEqual(try parse("true"), .bool(true))
        XCTAssertEqual(try parse("1"), .number(JSONNumber(literal: "1", value: 1)))
        XCTAssertNotEqual(try parse("true"), try parse("1"))
    }

    func testNumbersKeepTheirLiteral() throws {
        let negativeZero = try number("-0")
        XCTAssertEqual(negativeZero.literal, "-0")
        XCTAssertEqual(negativeZero.value.sign, .minus)
        XCTAssertEqual(negativeZero.value, 0)
        XCTAssertEqual(try number("1e-3").value, 0.001)
        XCTAssertEqual(try number("1E+2").value, 100)
        XCTAssertEqual(try number("1E+2").literal, "1E+2")
        XCTAssertEqual(try number("-12.5e1").value, -125)
        let long = try number("0.30000000000000000001")
        XCTAssertEqual(long.literal, "0.30000000000000000001")
        XCTAssertEqual(long.value, 0.3)
        XCTAssertEqual(try number("1e400").value, .infinity)
        XCTAssertEqual(try number("-1e400").value, -.infinity)
        XCTAssertEqual(try number("1e-400").value, 0)
    }

    func testMalformedNumbersAreRejected() {
        XCTAssertEqual(
            syntaxError("01"), JSONSyntaxError(line: 1, column: 1, reason: "leading zeros are not allowed in numbers"))
        XCTAssertEqual(syntaxError("-01")?.reason, "leading zeros are not allowed in numbers")
        XCTAssertEqual(syntaxError("-")?.reason, "unexpected end of input; expected a digit")
        XCTAssertEqual(syntaxError("1.")?.reason, "unexpected end of input; expected a digit after '.'")
        XCTAssertEqual(syntaxError(".5")?.reason, "expected a value")
        XCTAssertEqual(syntaxError("1e")?.reason, "unexpected end of input; expected a digit in the exponent")
        XCTAssertEqual(syntaxError("+1")?.reason, "expected a value")
        XCTAssertEqual(syntaxError("NaN")?.reason, "expected a value")
        XCTAssertEqual(syntaxError("Infinity")?.reason, "expected a value")
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""\" \\ \/ \b \f \n \r \t""#), .string("\" \\ / \u{08} \u{0C} \n \r \t"))
        XCTAssertEqual(try parse(#""\u00e9\u00E9 é""#), .string("éé é"))
        XCTAssertEqual(try parse(#""\u0000""#), .string("\u{0}"))
    }

    func testSurrogatePairs() throws {
        XCTAssertEqual(try parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try parse(#""a\uD834\uDD1Eb""#), .string("a𝄞b"))
        XCTAssertEqual(syntaxError(#""\ud83d""#)?.reason, #"unpaired surrogate \uD83D"#)
        XCTAssertEqual(syntaxError(#""\ud83dx""#)?.reason, #"unpaired surrogate \uD83D"#)
        XCTAssertEqual(syntaxError(#""\ud83d\u0041""#)?.reason, #"unpaired surrogate \uD83D"#)
        XCTAssertEqual(
            syntaxError(#""\ude00""#), JSONSyntaxError(line: 1, column: 2, reason: #"unpaired surrogate \uDE00"#))
    }

    func testBadStrings() {
        XCTAssertEqual(syntaxError(#""\q""#), JSONSyntaxError(line: 1, column: 2, reason: #"invalid escape '\q'"#))
        XCTAssertEqual(syntaxError(#""\u12G4""#)?.reason, #"expected 4 hex digits after \u"#)
        XCTAssertEqual(syntaxError("\"a\nb\"")?.reason, "control character U+000A must be escaped")
        XCTAssertEqual(syntaxError(#""abc"#)?.reason, "unterminated string")
        XCTAssertEqual(syntaxError("'a'")?.reason, "expected a value")
        let invalidUTF8: [UInt8] = [0x22, 0x61, 0xFF, 0x22]
        XCTAssertThrowsError(try JSONParser().parse(invalidUTF8)) { error in
            XCTAssertEqual((error as? JSONSyntaxError)?.reason, "invalid UTF-8 in string")
        }
    }

    func testTrailingCommasAreRejected() {
        XCTAssertEqual(
            syntaxError(#"{"a": 1,}"#), JSONSyntaxError(line: 1, column: 9, reason: "trailing comma before '}'"))
        XCTAssertEqual(syntaxError("[1, 2,]"), JSONSyntaxError(line: 1, column: 7, reason: "trailing comma before ']'"))
    }

    func testTrailingGarbageIsRejected() {
        XCTAssertEqual(
            syntaxError("{} x"),
            JSONSyntaxError(line: 1, column: 4, reason: "unexpected text after the end of the JSON value"))
        XCTAssertEqual(syntaxError("1 2")?.reason, "unexpected text after the end of the JSON value")
        XCTAssertEqual(syntaxError("truex")?.reason, "unexpected text after the end of the JSON value")
        XCTAssertNoThrow(try parse(" \t\r\n{}\n "))
    }

    func testDeepNestingIsRejected() {
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        XCTAssertEqual(syntaxError(deep), JSONSyntaxError(line: 1, column: 65, reason: "nesting deeper than 64 levels"))
        XCTAssertEqual(
            syntaxError(String(repeating: #"{"a":"#, count: 100_000))?.reason, "nesting deeper than 64 levels")
        XCTAssertEqual(syntaxError("[[[1]]]", maximumDepth: 2)?.reason, "nesting deeper than 2 levels")
    }

    func testSyntaxErrorsGiveLineAndColumn() {
        let text = """
            {
              "server": {
                "port": 8080
                "host": "x"
              }
            }
            """
        let error = syntaxError(text)
        XCTAssertEqual(error, JSONSyntaxError(line: 4, column: 5, reason: "expected ',' or '}'"))
        XCTAssertEqual(error?.description, "4:5: expected ',' or '}'")
        XCTAssertEqual(syntaxError("[1 2]"), JSONSyntaxError(line: 1, column: 4, reason: "expected ',' or ']'"))
        XCTAssertEqual(syntaxError(#"{"a" 1}"#), JSONSyntaxError(line: 1, column: 6, reason: "expected ':'"))
        XCTAssertEqual(
            syntaxError("{1: 2}"), JSONSyntaxError(line: 1, column: 2, reason: "expected a key in double quotes"))
        XCTAssertEqual(syntaxError(#"["é", x]"#), JSONSyntaxError(line: 1, column: 7, reason: "expected a value"))
        XCTAssertEqual(
            syntaxError(""), JSONSyntaxError(line: 1, column: 1, reason: "unexpected end of input; expected a value"))
        XCTAssertEqual(
            syntaxError("{\n"),
            JSONSyntaxError(line: 2, column: 1, reason: "unexpected end of input; expected a key in double quotes"))
    }

    func testDuplicateKeysAreRejected() {
        XCTAssertEqual(
            syntaxError("{\"a\": 1,\n \"a\": 2}"),
            JSONSyntaxError(line: 2, column: 2, reason: #"duplicate key "a" (first given at 1:2)"#)
        )
        XCTAssertNoThrow(try parse(#"{"a": {"a": 1}, "b": {"a": 2}}"#))
    }

    func testByteOrderMarkIsSkipped() throws {
        XCTAssertEqual(try JSONParser().parse([0xEF, 0xBB, 0xBF] + Array("[]".utf8)), .array([]))
    }
}
