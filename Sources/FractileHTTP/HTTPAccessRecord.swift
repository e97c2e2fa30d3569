/// One access-log entry, made after a response has been written.
public struct HTTPAccessRecord: Sendable, Equatable {
    /// "-" when the request could not be parsed.
    public var method: String
    /// "-" when the request could not be parsed.
    public var target: String
    public var status: Int
    /// Body bytes written (0 for HEAD).
    public var bodyBytes: Int
    /// From the request being parsed to the response being written.
    public var durationMilliseconds: Double
    /// The response's `logNote`, such as "memory", "disk" or "render".
    public var note: String?
    public var remoteAddress: String

    public init(
        method: String, target: String, status: Int, bodyBytes: Int, durationMilliseconds: Double,
        note: String? = nil, remoteAddress: String = "-"
    ) {
        self.method = method
        self.target = target
        self.status = status
        self.bodyBytes = bodyBytes
        self.durationMilliseconds = durationMilliseconds
        self.note = note
        self.remoteAddress = remoteAddress
    }

    /// `127.0.0.1 "GET /t/1/2/3.png" 200 5120 1.25ms memory`; quotes in the target become %22.
    public var line: String {
        var bytes: [UInt8] = []
        Self.appendLine(to: &bytes, remoteAddress: remoteAddress, method: method, target: target, status: status,
                        bodyBytes: bodyBytes, durationMilliseconds: durationMilliseconds, note: note)
        bytes.removeLast()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the line and its newline as bytes, with no String made on the way: the event loops log every
    /// response, and formatting the line as a String cost more than serving a cached tile.
    static func appendLine(to bytes: inout [UInt8], remoteAddress: String, method: String, target: String, status: Int,
                           bodyBytes: Int, durationMilliseconds: Double, note: String?) {
        bytes.append(contentsOf: remoteAddress.utf8)
        bytes.append(contentsOf: " \"".utf8)
        bytes.append(contentsOf: method.utf8)
        bytes.append(0x20)
        for byte in target.utf8 {
            if byte == 0x22 { bytes.append(contentsOf: "%22".utf8) } else { bytes.append(byte) }
        }
        bytes.append(contentsOf: "\" ".utf8)
        appendDecimal(status, to: &bytes)
        bytes.append(0x20)
        appendDecimal(bodyBytes, to: &bytes)
        bytes.append(0x20)
        // Hundredths, written as Double's shortest form would be (1.25, 1.2, 12.0).
        let hundredths = durationMilliseconds.isFinite ? Int(max(0, min(1e15, (durationMilliseconds * 100).rounded()))) : 0
        appendDecimal(hundredths / 100, to: &bytes)
        bytes.append(0x2E)
        let fraction = hundredths % 100
        if fraction % 10 == 0 {
            appendDecimal(fraction / 10, to: &bytes)
        } else {
            if fraction < 10 { bytes.append(0x30) }
            appendDecimal(fraction, to: &bytes)
        }
        bytes.append(contentsOf: "ms".utf8)
        if let note {
            bytes.append(0x20)
            bytes.append(contentsOf: note.utf8)
        }
        bytes.append(0x0A)
    }

    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        let start = bytes.count
        var remaining = value.magnitude
        repeat {
            bytes.append(0x30 + UInt8(remaining % 10))
            remaining /= 10
        } while remaining > 0
        if value < 0 { bytes.append(0x2D) }
        bytes[start...].reverse()
    }
}
