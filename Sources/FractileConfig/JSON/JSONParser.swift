/// A strict RFC 8259 parser: one pass over UTF-8 bytes, no extensions (no comments, trailing commas, NaN,
/// leading zeros or single quotes), duplicate keys rejected, nesting limited.
public struct JSONParser: Sendable {
    /// Objects and arrays nested deeper than this are rejected, so hostile input cannot exhaust the stack.
    public var maximumDepth: Int

    public init(maximumDepth: Int = 64) {
        self.maximumDepth = maximumDepth
    }

    /// Parses one JSON value that fills the whole input (whitespace and one leading UTF-8 BOM aside).
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var reader = Reader(bytes: Array(bytes), maximumDepth: maximumDepth)
        return try reader.parseDocument()
    }
}

extension JSONParser {
    private struct Reader {
        let bytes: [UInt8]
        let maximumDepth: Int
        var offset = 0
        var depth = 0

        init(bytes: [UInt8], maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
        }

        mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
            let value = try parseValue()
            skipWhitespace()
            if offset < bytes.count { throw error("unexpected text after the end of the JSON value") }
            return value
        }

        // MARK: values

        mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
            skipWhitespace()
            guard let byte = peek() else { throw error("expected a value") }
            switch byte {
            case UInt8(ascii: "{"): return try parseObject()
            case UInt8(ascii: "["): return try parseArray()
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
            case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
            case UInt8(ascii: "n"): return try parseLiteral("null", .null)
            default: throw error("expected a value")
            }
        }

        mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
            let utf8 = Array(word.utf8)
            guard bytes[offset...].starts(with: utf8) else { throw error("expected a value") }
            offset += utf8.count
            return value
        }

        mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
            try enterContainer()
            offset += 1  // {
            var members: [JSONMember] = []
            var keyPositions: [String: Int] = [:]
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                leaveContainer()
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else {
                    if !members.isEmpty, peek() == UInt8(ascii: "}") { throw error("trailing comma before '}'") }
                    throw error("expected a key in double quotes")
                }
                let keyOffset = offset
                let key = try parseString()
                if let first = keyPositions[key] {
                    let (line, column) = location(of: first)
                    throw error("duplicate key \"\(key)\" (first given at \(line):\(column))", at: keyOffset)
                }
                keyPositions[key] = keyOffset
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
                offset += 1
                members.append(JSONMember(key: key, value: try parseValue()))
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"):
                    leaveContainer()
                    return .object(members)
                default: throw error("expected ',' or '}'")
                }
            }
        }

        mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
            try enterContainer()
            offset += 1  // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                leaveContainer()
                return .array(elements)
            }
            while true {
                skipWhitespace()
                if !elements.isEmpty, peek() == UInt8(ascii: "]") { throw error("trailing comma before ']'") }
                elements.append(try parseValue())
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"):
                    leaveContainer()
                    return .array(elements)
                default: throw error("expected ',' or ']'")
                }
            }
        }

        mutating func enterContainer() throws(JSONSyntaxError) {
            depth += 1
            if depth > maximumDepth { throw error("nesting deeper than \(maximumDepth) levels") }
        }

        /// Steps over the closing bracket or brace.
        mutating func leaveContainer() {
            offset += 1
            depth -= 1
        }

        /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
        mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
            let start = offset
            if peek() == UInt8(ascii: "-") { offset += 1 }
            guard let first = peek(), isDigit(first) else { throw error("expected a digit") }
            offset += 1
            if first == UInt8(ascii: "0"), let next = peek(), isDigit(next) {
                throw error("leading zeros are not allowed in numbers", at: start)
            }
            skipDigits()
            if peek() == UInt8(ascii: ".") {
                offset += 1
                guard let digit = peek(), isDigit(digit) else { throw error("expected a digit after '.'") }
                skipDigits()
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                offset += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
                guard let digit = peek(), isDigit(digit) else { throw error("expected a digit in the exponent") }
                skipDigits()
            }
            return JSONNumber(literal: String(decoding: bytes[start..<offset], as: UTF8.self))
        }

        /// RFC 8259 §7: escapes `\" \\ \/ \b \f \n \r \t \uXXXX`, surrogate pairs joined, lone surrogates rejected.
        mutating func parseString() throws(JSONSyntaxError) -> String {
            offset += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var runStart = offset
            while true {
                guard let byte = peek() else { throw error("unterminated string") }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    try appendRun(runStart..<offset, to: &scalars)
                    offset += 1
                    if byte == UInt8(ascii: "\"") { return String(scalars) }
                    scalars.append(try parseEscape())
                    runStart = offset
                } else if byte < 0x20 {
                    throw error("control character U+\(hex4(UInt16(byte))) must be escaped")
                } else {
                    offset += 1
                }
            }
        }

        /// Appends raw string bytes, which must be valid UTF-8.
        mutating func appendRun(_ range: Range<Int>, to scalars: inout String.UnicodeScalarView) throws(JSONSyntaxError)
        {
            guard !range.isEmpty else { return }
            guard let text = String(validating: bytes[range], as: UTF8.self) else {
                throw error("invalid UTF-8 in string", at: range.lowerBound)
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }

        /// Reads the escape after a backslash.
        mutating func parseEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
            let escapeStart = offset - 1
            guard let byte = peek() else { throw error("unterminated string") }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"): break
            default:
                let shown = byte >= 0x21 && byte < 0x7F ? String(UnicodeScalar(byte)) : "?"
                throw error("invalid escape '\\\(shown)'", at: escapeStart)
            }
            let unit = try parseHex4()
            switch unit {
            case 0xD800...0xDBFF:
                guard bytes[offset...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                    throw error("unpaired surrogate \\u\(hex4(unit))", at: escapeStart)
                }
                offset += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("unpaired surrogate \\u\(hex4(unit))", at: escapeStart)
                }
                let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                return Unicode.Scalar(value)!  // always a valid scalar by construction
            case 0xDC00...0xDFFF:
                throw error("unpaired surrogate \\u\(hex4(unit))", at: escapeStart)
            default:
                return Unicode.Scalar(unit)!  // not a surrogate, so valid
            }
        }

        mutating func parseHex4() throws(JSONSyntaxError) -> UInt16 {
            var value: UInt16 = 0
            for _ in 0..<4 {
                guard let byte = peek(), let digit = hexDigitValue(byte) else {
                    throw error("expected 4 hex digits after \\u")
                }
                value = value << 4 | UInt16(digit)
                offset += 1
            }
            return value
        }

        // MARK: bytes

        func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        func hexDigitValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        func hex4(_ unit: UInt16) -> String {
            let hex = String(unit, radix: 16, uppercase: true)
            return String(repeating: "0", count: 4 - hex.count) + hex
        }

        mutating func skipDigits() {
            while let byte = peek(), isDigit(byte) { offset += 1 }
        }

        /// RFC 8259 §2: space, tab, line feed, carriage return.
        mutating func skipWhitespace() {
            while let byte = peek(),
                byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
            {
                offset += 1
            }
        }

        // MARK: errors

        /// Line and column (from 1; columns in Unicode scalars, so UTF-8 continuation bytes do not count).
        func location(of position: Int) -> (line: Int, column: Int) {
            var line = 1
            var column = 1
            for byte in bytes[..<min(position, bytes.count)] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return (line, column)
        }

        func error(_ reason: String, at position: Int? = nil) -> JSONSyntaxError {
            let position = position ?? offset
            let (line, column) = location(of: position)
            let ended = position >= bytes.count && !reason.hasPrefix("unterminated")
            return JSONSyntaxError(
                line: line, column: column, reason: ended ? "unexpected end of input; \(reason)" : reason)
        }
    }
}
