import XCTest
@testable import FractileMath

/// The deep-zoom arithmetic against values mpmath computed at 400 bits (printed to 70 digits).
final class Fixed256Tests: XCTestCase {
    private func decimal(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Fixed256 {
        guard let parsed = Fixed256.parseDecimal(text) else {
            XCTFail("cannot parse \(text)", file: file, line: line)
            return .zero
        }
        return parsed
    }

    private func assertClose(_ a: Fixed256, _ b: Fixed256, within bits: Int, _ message: String = "",
                             file: StaticString = #filePath, line: UInt = #line) {
        let difference = (a - b).magnitude
        XCTAssertFalse(difference.isOverflow, message, file: file, line: line)
        XCTAssertTrue(difference < Fixed256.one.scaled(byPowerOfTwo: -bits),
                      "\(message): off by \(difference.doubleValue)", file: file, line: line)
    }

    func testDoublesConvertExactlyBothWays() {
        for value in [0.0, 1, -1, 0.1, -2.5e-30, 1e18, -7.25, 0x1.8p-180, .pi, -0x1p-150] {
            XCTAssertEqual(Fixed256(value).doubleValue, value, "\(value)")
        }
        XCTAssertTrue(Fixed256(1e19).isOverflow)
        XCTAssertTrue(Fixed256(.nan).isOverflow)
        XCTAssertEqual(Fixed256(0x1p-210).doubleValue, 0)
    }

    func testArithmeticMatchesDoublesWhereDoublesAreExact() {
        let a = Fixed256(1.5), b = Fixed256(-0.375)
        XCTAssertEqual((a + b).doubleValue, 1.125)
        XCTAssertEqual((a - b).doubleValue, 1.875)
        XCTAssertEqual((a * b).doubleValue, -0.5625)
        XCTAssertEqual((b * b).doubleValue, 0.140625)
        XCTAssertEqual(a.scaled(byPowerOfTwo: 3).doubleValue, 12)
        XCTAssertEqual(b.scaled(byPowerOfTwo: -2).doubleValue, -0.09375)
        XCTAssertEqual(Fixed256(4).reciprocal.doubleValue, 0.25)
        XCTAssertTrue((Fixed256(3e9) * Fixed256(4e9)).isOverflow)
        XCTAssertTrue((Fixed256(9e18) + Fixed256(9e18)).isOverflow)
        XCTAssertTrue(Fixed256.zero.reciprocal.isOverflow)
    }

    func testDecimalStringsReadToTheLastBit() throws {
        let third = decimal("0." + String(repeating: "3", count: 90))
        assertClose(third.times(3), .one, within: 188, "1/3 * 3")
        XCTAssertEqual(decimal("-12.5e-1").doubleValue, -1.25)
        XCTAssertEqual(decimal("+7E2").doubleValue, 700)
        XCTAssertEqual(decimal("0.000").doubleValue, 0)
        XCTAssertEqual(ProbePoint.significantDigits("-0.80000000000000000000000000000123"), 32)
        XCTAssertEqual(ProbePoint.significantDigits("0.25e-7"), 2)
        XCTAssertEqual(ProbePoint.significantDigits("0.0"), 0)
        assertClose(decimal("1e-18") * decimal("1e18"), .one, within: 120)
        for bad in ["", "-", ".", "1..2", "1e", "0x10", " 1", "1 ", "nan", "inf", "1e99999", "1e30", "--1", "1.2.3"] {
            XCTAssertNil(Fixed256.parseDecimal(bad), bad)
        }
    }

    func testConstantsMatchMpmath() {
        assertClose(.pi, decimal("3.141592653589793238462643383279502884197169399375105820974944592307816"), within: 180)
        assertClose(.ln2, decimal("0.6931471805599453094172321214581765680755001343602552541206800094933936"), within: 180)
        assertClose(Fixed256.exponentialOfNegative(decimal("3.25")),
                    decimal("0.03877420783172200988689983526759614326014406193602014570069586099309344"), within: 180)
        assertClose(Fixed256.exponentialOfNegative(decimal("40.125")),
                    decimal("0.00000000000000000374915947137691276242030747890207870084576146263135162069216560167141"),
                    within: 180)
    }

    func testTanhMatchesMpmath() {
        let cases: [(String, String, String, String, Int)] = [
            ("0.3", "0.2", "0.3022291289077721469126451522172147329861442412425574959751492024340652",
             "0.1848628040064145473517665310821846512907301361430782825943077273562161", 180),
            ("-1.7", "2.9", "-0.942150719760361760688186543127228789121563469320295056041651659558519",
             "-0.02924922478440341711764314335704425409236383647265294640863890474154057", 180),
            ("0.0001", "-1.5707963", "9999.999315366900023400636862344962837242160313126132978083652476893411",
             "-2.679489460613136420392360743217318314967744001459216497357290741570816", 150),
            ("12.5", "-300.25", "1.000000000024940185634659318762056624437640454002450634662681533482269",
             "0.00000000001222649089941760101892301251457684052826473132515472524775768993259804", 180),
            ("0", "1.5707963267948966", "0.0", "51998506188720270.6601947416612268684758115449865154496015791577535586", 28),
            ("-0.000000000000000000000000000012345", "0.00000000000000000000000000000678",
             "-1.234499999999999999999999999999999999999999999999999999999994035791012e-29",
             "6.7799999999999999999999999999999999999999999999999999999990706231945e-30", 186),
            ("25", "0.5", "0.9999999999999999999997915784019404542634113179960923191782829149662677",
             "0.0000000000000000000003245974068028557115493915655897155063699187362732125509630898580627272", 184),
            ("1e-3", "-7e2", "0.001420259662599761476911023756744490177689158972834005490378554049590233",
             "0.6482742777106750368655788073437138760640810334570091454535330841174863", 170),
        ]
        for (re, im, expectedRe, expectedIm, bits) in cases {
            let t = WideComplex.tanh(WideComplex(decimal(re), decimal(im)))
            assertClose(t.re, decimal(expectedRe), within: bits, "re tanh(\(re), \(im))")
            assertClose(t.im, decimal(expectedIm), within: bits, "im tanh(\(re), \(im))")
        }
    }

    func testTanhAgreesWithTheDoubleTanhOnRandomPoints() {
        var state: UInt64 = 12345
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 8 - 4
        }
        for _ in 0..<500 {
            let z = Complex(next(), next())
            let wide = WideComplex.tanh(WideComplex(z)).complexValue
            let double = Complex.tanh(z)
            XCTAssertLessThan((wide - double).magnitude, 1e-13 * max(1, double.magnitude), "\(z)")
        }
    }
}
