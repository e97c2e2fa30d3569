/// One parsed request. Values are as received: nothing is percent-decoded.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The raw request-target from the request line (RFC 9112 §3.2).
    public var target: String
    /// The raw, undecoded path part of the target (before `?`); for absolute-form, the path after the authority.
    public var path: String
    /// The raw query after the first `?`, or nil when there is no `?`.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Whether the connection persists after this exchange (RFC 9112 §9.3).
    public var keepAlive: Bool

    public init(
        method: String, target: String, path: String, query: String?, version: HTTPVersion,
        headers: HTTPHeaders, body: [UInt8] = [], keepAlive: Bool
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// RFC 9112 §9.3: `close` ends the connection; HTTP/1.1 persists by default;
    /// HTTP/1.0 persists only with `Connection: keep-alive`.
    public static func persists(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version.major == 1 && version.minor >= 1 { return true }
        return headers.containsToken("keep-alive", in: "Connection")
    }
}
