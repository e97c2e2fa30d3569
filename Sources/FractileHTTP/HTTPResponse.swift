/// A response a handler gives back. The server adds `Date`, `Server`, `Content-Length` and
/// `Connection`, and drops the body for HEAD.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    /// Copy-on-write storage: a cached tile's bytes are shared, never copied, on the way to the socket.
    public var body: [UInt8]
    /// Fields serialised ahead of time, sent after `headers`.
    public var preparedHeaders: PreparedHeaders?
    /// A short word for the access log, such as "memory", "disk" or "render".
    public var logNote: String?

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), preparedHeaders: PreparedHeaders? = nil,
                body: [UInt8] = [], logNote: String? = nil) {
        self.status = status
        self.headers = headers
        self.preparedHeaders = preparedHeaders
        self.body = body
        self.logNote = logNote
    }

    /// A `text/plain; charset=utf-8` response whose body is `message` plus a newline.
    public static func text(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: ["Content-Type": "text/plain; charset=utf-8"],
            body: Array((message + "\n").utf8)
        )
    }
}
