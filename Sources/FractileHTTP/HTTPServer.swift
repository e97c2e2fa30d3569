import Dispatch
import Glibc
import Synchronization

/// An HTTP/1.1 server on non-blocking POSIX sockets: N event-loop threads, each with its own epoll set,
/// sharing one listening socket (EPOLLEXCLUSIVE). No thread per connection.
///
/// One request at a time per connection (RFC 9112 §9.3.2): reading pauses while the handler works and
/// while the response is written, so pipelined requests are answered in order and a client that does not
/// read its answers cannot make the server buffer without bound. A client that hangs up (or half-closes)
/// while its request is being handled counts as gone: its context reports `isConnectionOpen == false`.
public final class HTTPServer: Sendable {
    private enum State {
        case idle
        case running(listenerFD: Int32, loops: [EventLoop])
        case stopped
    }

    private let core: ServerCore
    private let state = Mutex(State.idle)

    public init(configuration: HTTPServerConfiguration, handler: some HTTPRequestHandler) {
        core = ServerCore(configuration: configuration, handler: handler)
    }

    public var configuration: HTTPServerConfiguration { core.configuration }

    /// Binds, listens and starts the loops; returns the real bound port (port 0 gives a free one).
    @discardableResult
    public func start() throws -> Int {
        try state.withLock { state throws -> Int in
            guard case .idle = state else { throw SocketError("start: server already started", errorNumber: EINVAL) }
            // A client that resets the connection must not kill the process on write (writev has no MSG_NOSIGNAL).
            signal(SIGPIPE, SIG_IGN)
            let configuration = core.configuration
            let (listenerFD, port) = try Socket.listen(host: configuration.host, port: configuration.port)
            var loops: [EventLoop] = []
            do {
                for _ in 0..<max(1, configuration.eventLoopCount) {
                    loops.append(try EventLoop(core: core, listenerFD: listenerFD))
                }
            } catch {
                close(listenerFD)
                throw error
            }
            core.setLoops(loops)
            for (index, loop) in loops.enumerated() { loop.start(name: "fractile-http-\(index)") }
            state = .running(listenerFD: listenerFD, loops: loops)
            return port
        }
    }

    /// Stops accepting, lets in-flight requests finish (their `respond` still works) for up to
    /// `gracePeriod` seconds, then closes every connection and ends the loops. Blocks until done, so
    /// never call it from inside `handle` (that runs on a loop thread it waits for). Responses written
    /// while draining carry `Connection: close`.
    public func shutdown(gracePeriod: Double = 10) {
        let running: (Int32, [EventLoop])? = state.withLock { state in
            guard case .running(let listenerFD, let loops) = state else {
                state = .stopped
                return nil
            }
            state = .stopped
            return (listenerFD, loops)
        }
        guard let (listenerFD, loops) = running else { return }

        let drained = DispatchGroup()
        for loop in loops {
            drained.enter()
            loop.execute {
                loop.beginDraining()
                drained.leave()
            }
        }
        drained.wait()
        // No loop watches the listener any more: closing it refuses whatever waits in the backlog.
        close(listenerFD)

        let deadline = monotonicSeconds() + gracePeriod
        while core.counters.open.load(ordering: .acquiring) > 0 && monotonicSeconds() < deadline {
            usleep(5_000)
        }
        for loop in loops {
            loop.execute { loop.stop() }
        }
        for loop in loops { loop.finished.wait() }
    }

    deinit {
        shutdown(gracePeriod: 0)
    }

    /// Connections open now, across all loops.
    public var openConnectionCount: Int { core.counters.open.load(ordering: .acquiring) }

    /// Counts of refused, dropped and failed work since start.
    public var statistics: HTTPServerStatistics { core.counters.snapshot }
}
