/// Bytes of a response head.
enum HTTPWireWriter {
    /// The fields the server writes itself, whatever a handler sets.
    enum ManagedField {
        case date, server, contentLength, connection

        init?(_ name: String) {
            switch name.utf8.count {
            case 4 where HTTPHeaders.equalNames(name, "Date"): self = .date
            case 6 where HTTPHeaders.equalNames(name, "Server"): self = .server
            case 10 where HTTPHeaders.equalNames(name, "Connection"): self = .connection
            case 14 where HTTPHeaders.equalNames(name, "Content-Length"): self = .contentLength
            default: return nil
            }
        }
    }

    static func append(_ text: StaticString, to head: inout [UInt8]) {
        head.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func appendField(_ name: String, _ value: String, to head: inout [UInt8]) {
        appendSafe(name, to: &head)
        append(": ", to: &head)
        appendSafe(value, to: &head)
        append("\r\n", to: &head)
    }

    /// `name: value\r\n` with the value's bytes appended by `writeValue`; CR and LF in either become spaces.
    static func appendField(_ name: String, to head: inout [UInt8], writingValue writeValue: (inout [UInt8]) -> Void) {
        appendSafe(name, to: &head)
        append(": ", to: &head)
        let valueStart = head.count
        writeValue(&head)
        neutraliseLineBreaks(in: &head, from: valueStart)
        append("\r\n", to: &head)
    }

    /// Header text from a handler with CR and LF replaced by spaces: no response splitting.
    static func appendSafe(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        let start = bytes.count
        text.withUTF8 { bytes.append(contentsOf: $0) }
        neutraliseLineBreaks(in: &bytes, from: start)
    }

    private static func neutraliseLineBreaks(in bytes: inout [UInt8], from start: Int) {
        for index in start..<bytes.count where bytes[index] == 0x0D || bytes[index] == 0x0A {
            bytes[index] = 0x20
        }
    }

    /// A non-negative integer in decimal, without going through String.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = UInt(max(0, value))
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = 0x30 + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            bytes.append(contentsOf: buffer[start...])
        }
    }
}
