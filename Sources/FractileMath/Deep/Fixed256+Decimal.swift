/// Reading decimal strings of any length exactly (to the last of the 192 fractional bits): how deep coordinates
/// arrive from the probe's query string, the CLI and the viewer's links.
extension Fixed256 {
    /// `[+-]digits[.digits][(e|E)[+-]digits]`, at least one digit; nil for anything else, or beyond +-2^63.
    public static func parseDecimal(_ text: String) -> Fixed256? {
        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty, bytes.count <= 4096 else { return nil }
        var negative = false
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        var digits: [UInt8] = []  // every mantissa digit, point removed
        var pointPosition: Int?
        while let b = bytes.first, isDigit(b) || (b == UInt8(ascii: ".") && pointPosition == nil) {
            if b == UInt8(ascii: ".") { pointPosition = digits.count } else { digits.append(b - 0x30) }
            bytes = bytes.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var exponent = 0
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
                exponentNegative = bytes.first == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty, bytes.count <= 4, bytes.allSatisfy(isDigit) else { return nil }
            exponent = bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            if exponentNegative { exponent = -exponent }
            bytes = bytes[bytes.endIndex...]
        }
        guard bytes.isEmpty else { return nil }
        // value = 0.d1 d2 d3 ... * 10^integerDigits
        let integerDigits = (pointPosition ?? digits.count) + exponent
        // Fraction: the digit at index i >= integerDigits sits at place i - integerDigits + 1 after the point.
        // Least significant first, f <- (f + d) / 10; places beyond 80 cannot move 192 bits.
        var fraction = Fixed256.zero
        var index = min(digits.count - 1, integerDigits + 79)
        while index >= max(integerDigits, 0) {
            fraction = (fraction + Fixed256(integer: Int(digits[index]))).divided(by: 10)
            index -= 1
        }
        for _ in 0..<min(max(-integerDigits, 0), 90) { fraction = fraction.divided(by: 10) }  // leading zero places
        var integer: UInt64 = 0
        for index in 0..<max(integerDigits, 0) {
            let digit = index < digits.count ? UInt64(digits[index]) : 0
            let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(digit)
            guard !o1, !o2, sum < 1 << 63 else { return nil }
            integer = sum
        }
        let integerPart = Fixed256(integer: Int(integer))
        let value = integerPart + fraction
        return negative ? -value : value
    }
}
