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
        let quotedTarget = target.replacing("\"", with: "%22")
        let milliseconds = (durationMilliseconds * 100).rounded() / 100
        var text = "\(remoteAddress) \"\(method) \(quotedTarget)\" \(status) \(bodyBytes) \(milliseconds)ms"
        if let note { text += " \(note)" }
        return text
    }
}
