import Synchronization

/// What the application implements: turn a request into exactly one response.
public protocol HTTPRequestHandler: Sendable {
    /// Called on a server thread; may call `respond` exactly once, from any thread, now or later.
    /// HEAD requests arrive as themselves but may be answered like GET: the server drops the body.
    func handle(_ request: HTTPRequest, context: HTTPRequestContext, respond: @escaping @Sendable (HTTPResponse) -> Void)
}

/// Facts about the connection a request came on, safe to read from any thread.
public final class HTTPRequestContext: Sendable {
    private let open = Atomic<Bool>(true)
    /// The client's address, such as "127.0.0.1:51234".
    public let remoteAddress: String

    /// Contexts are made by the server; tests of handlers may make their own.
    public init(remoteAddress: String = "-") {
        self.remoteAddress = remoteAddress
    }

    /// False once the client has gone (or the server closed the connection), so queued work can be dropped.
    public var isConnectionOpen: Bool { open.load(ordering: .acquiring) }

    /// Marks the connection gone; the server calls it when it closes the socket.
    public func markConnectionClosed() {
        open.store(false, ordering: .releasing)
    }
}
