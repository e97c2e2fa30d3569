/// Why a request was refused, with the status to answer and a one-line reason a client can act on.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPStatus
    public var reason: String
    /// The request line's method and target when it was read before the refusal, for the access log.
    public var method: String?
    public var target: String?

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status): \(reason)" }

    /// The response to send: text/plain reason, `Connection: close` (the framing can no longer be
    /// trusted, RFC 9112 §9.6), and `Allow` on 405 (RFC 9110 §15.5.6).
    public var response: HTTPResponse {
        var response = HTTPResponse.text(status, reason)
        if status == .methodNotAllowed {
            response.headers.add(name: "Allow", value: HTTPRequestParser.allowedMethods.joined(separator: ", "))
        }
        response.headers.add(name: "Connection", value: "close")
        return response
    }
}

/// The outcome of parsing the bytes received so far on a connection.
public enum HTTPParseResult: Sendable, Equatable {
    /// No complete request yet and no limit broken: read more.
    case needMoreData
    /// A complete request that used the first `consumed` bytes; the rest belongs to the next request.
    case request(HTTPRequest, consumed: Int)
    /// Refuse, answer `error.response`, and close.
    case failure(HTTPParseError)
}
