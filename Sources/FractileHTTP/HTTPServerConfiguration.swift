import Foundation

/// Server settings; every field has a default, so `HTTPServerConfiguration()` is a working local server.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: an IPv4 or IPv6 literal, or a name getaddrinfo resolves.
    public var host = "127.0.0.1"
    /// Port to bind; 0 lets the kernel choose, and `HTTPServer.start()` returns the real one.
    public var port = 0
    public var limits = HTTPParserLimits()
    /// Seconds to receive a whole request head, counted from its first byte (or from the connection
    /// opening, for the first request). A client trickling bytes is still cut off (slowloris).
    public var headerTimeout: Double = 10
    /// Seconds a keep-alive connection may sit idle between requests, and a response write may make no progress.
    public var idleTimeout: Double = 60
    /// Connections beyond this are accepted, answered 503 and closed at once, so the backlog never hangs.
    public var maxConnections = 1024
    /// Event-loop threads, each with its own epoll; one per active core by default.
    public var eventLoopCount = ProcessInfo.processInfo.activeProcessorCount
    /// Called once per response after it is written, on an event-loop thread; keep it quick.
    public var accessLog: (@Sendable (HTTPAccessRecord) -> Void)?
    /// The buffered access log: each loop formats its lines straight into bytes and writes them in batches.
    public var accessLogOutput: HTTPAccessLogOutput?
    /// Where socket errors and misuse (such as a second `respond`) are reported; standard error by default.
    public var errorLog: (@Sendable (String) -> Void)? = { message in
        FileHandle.standardError.write(Data("fractile-http: \(message)\n".utf8))
    }

    public init() {}

    public init(
        host: String = "127.0.0.1", port: Int = 0, limits: HTTPParserLimits = HTTPParserLimits(),
        headerTimeout: Double = 10, idleTimeout: Double = 60, maxConnections: Int = 1024,
        eventLoopCount: Int = ProcessInfo.processInfo.activeProcessorCount,
        accessLog: (@Sendable (HTTPAccessRecord) -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.eventLoopCount = eventLoopCount
        self.accessLog = accessLog
    }
}
