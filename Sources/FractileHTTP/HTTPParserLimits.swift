/// Every bound the request parser enforces, in one place (compare swift-nio `HTTPDecoder`).
///
/// A request that exceeds a limit fails with the status RFC 9110 names for it, and the
/// connection is closed after the error response.
public struct HTTPParserLimits: Sendable, Hashable {
    /// Longest request line, without its line ending. Over it: 414 URI Too Long
    /// (RFC 9112 §3: servers must be able to read at least 8000 octets; RFC 9110 §15.5.15).
    public var maxRequestLineBytes = 8192
    /// Largest header section after the request line, line endings included.
    /// Over it: 431 Request Header Fields Too Large (RFC 6585 §5).
    public var maxHeaderBytes = 16384
    /// Most header field lines. Over it: 431 (RFC 6585 §5).
    public var maxHeaderCount = 64
    /// Largest body announced by Content-Length. Over it: 413 Content Too Large (RFC 9110 §15.5.14).
    /// A tile server takes no uploads, so this stays small.
    public var maxBodyBytes = 1024

    public init() {}

    public init(maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 64, maxBodyBytes: Int = 1024) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
