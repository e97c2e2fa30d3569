import CSystemLinux
import Foundation
import Glibc
import Synchronization

/// Shared by the server and all its loops.
final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: any HTTPRequestHandler
    let counters = ServerCounters()
    /// Every loop, set once before any starts.
    private let loops = Mutex<[EventLoop]>([])
    private let acceptedCount = Atomic<Int>(0)

    init(configuration: HTTPServerConfiguration, handler: any HTTPRequestHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    func setLoops(_ all: [EventLoop]) {
        loops.withLock { $0 = all }
    }

    /// The loop that takes the next accepted connection, in turn.
    func nextLoop() -> EventLoop {
        let turn = acceptedCount.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops.withLock { $0[turn % $0.count] }
    }

    func logError(_ message: String) {
        configuration.errorLog?(message)
    }
}

/// One thread with its own epoll set and an eventfd mailbox. All connection state lives on this
/// thread; other threads talk to it only through `execute`, which wakes it.
///
/// `@unchecked Sendable`: the mutable fields below `// Loop thread only` are touched only by the loop's
/// own thread; the mailbox is behind a mutex and the rest is immutable.
final class EventLoop: @unchecked Sendable {
    private static let listenerToken: UInt64 = 0
    private static let wakeToken: UInt64 = 1
    private static let scanInterval = 0.1
    private static let readChunk = 65536
    /// Longest wait for a client to close after a closing response (see `Connection.State.lingering`).
    private static let lingerTime = 2.0
    /// How much a request head may grow between parser checks of the limits.
    private static let limitCheckStep = 1024

    let core: ServerCore
    private let listenerFD: Int32
    private let epollFD: Int32
    private let wakeFD: Int32
    private let mailbox = Mutex<[@Sendable () -> Void]>([])
    private let wakePending = Atomic<Bool>(false)
    /// The loop thread's pthread id, so work queued from the loop itself needs no eventfd wake.
    private let loopThread = Atomic<UInt>(0)
    let finished = DispatchSemaphore(value: 0)

    // Loop thread only.
    private var connections: [UInt64: Connection] = [:]
    private var nextID: UInt64 = 16
    private var listening = false
    private var acceptPausedUntil: Double?
    private var draining = false
    private var stopping = false
    private var dates = HTTPDateCache()
    private var accessLog = AccessLogBuffer()
    private var nextScan = 0.0
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: EventLoop.readChunk, alignment: 16)
    /// The connection whose request the handler is being called with, and the response if it answers before returning.
    private var inlineCall: InlineCall?
    private var inlineResponse: HTTPResponse?

    init(core: ServerCore, listenerFD: Int32) throws(SocketError) {
        self.core = core
        self.listenerFD = listenerFD
        epollFD = Epoll.create()
        guard epollFD >= 0 else { throw SocketError("epoll_create1") }
        wakeFD = Epoll.eventFD()
        guard wakeFD >= 0 else {
            let error = SocketError("eventfd")
            close(epollFD)
            throw error
        }
        guard control(Epoll.add, fd: wakeFD, events: Epoll.inEvent, token: Self.wakeToken) else {
            let error = SocketError("epoll_ctl add eventfd")
            close(epollFD)
            close(wakeFD)
            throw error
        }
    }

    deinit {
        readBuffer.deallocate()
    }

    // MARK: Any thread

    /// Runs `work` on the loop thread soon.
    func execute(_ work: @escaping @Sendable () -> Void) {
        mailbox.withLock { $0.append(work) }
        // On the loop thread the mailbox is run before the next epoll_wait, so no wake is needed. (A handler that
        // answers before `handle` returns does not come here at all: `dispatch` writes that response directly.)
        if isLoopThread { return }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            if write(wakeFD, &one, 8) < 0 && errno != EAGAIN {
                core.counters.socketErrors.increment()
                core.logError(SocketError("write eventfd").description)
            }
        }
    }

    func start(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    // MARK: Loop thread

    private func run() {
        loopThread.store(UInt(pthread_self()), ordering: .relaxed)
        listening = control(Epoll.add, fd: listenerFD, events: Epoll.inEvent | Epoll.exclusive, token: Self.listenerToken)
        if !listening { reportSocketError("epoll_ctl add listener") }
        let capacity = 128
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        nextScan = monotonicSeconds() + Self.scanInterval

        while !stopping {
            let count = Epoll.wait(epollFD, events, timeoutMilliseconds: Int32(Self.scanInterval * 1000))
            if count < 0 && errno != EINTR {
                reportSocketError("epoll_wait")
                usleep(10_000)
            }
            let now = monotonicSeconds()
            for index in 0..<max(0, Int(count)) {
                let event = events[index]
                switch event.data.u64 {
                case Self.listenerToken: acceptConnections(now: now)
                case Self.wakeToken: drainWakeFD()
                default:
                    if let connection = connections[event.data.u64] {
                        handle(event.events, on: connection, now: now)
                    }
                }
            }
            runMailbox()
            if now >= nextScan {
                nextScan = now + Self.scanInterval
                scanDeadlines(now: now)
            }
        }
        for connection in Array(connections.values) { closeConnection(connection) }
        if let output = core.configuration.accessLogOutput { accessLog.flush(output) }
        if listening { _ = control(Epoll.delete, fd: listenerFD, events: 0, token: 0) }
        close(epollFD)
        close(wakeFD)
        finished.signal()
    }

    private func runMailbox() {
        while true {
            wakePending.store(false, ordering: .releasing)
            let work = mailbox.withLock { items -> [@Sendable () -> Void] in
                defer { items.removeAll(keepingCapacity: true) }
                return items
            }
            if work.isEmpty { return }
            for item in work { item() }
        }
    }

    private func drainWakeFD() {
        var value: UInt64 = 0
        if read(wakeFD, &value, 8) < 0 && errno != EAGAIN { reportSocketError("read eventfd") }
    }

    /// Stop accepting; close connections with no request in progress; the rest close after their response.
    func beginDraining() {
        draining = true
        if listening {
            listening = false
            if !control(Epoll.delete, fd: listenerFD, events: 0, token: 0) { reportSocketError("epoll_ctl del listener") }
        }
        for connection in Array(connections.values) where connection.state == .awaitingRequest {
            closeConnection(connection)
        }
    }

    /// Close everything and end the thread.
    func stop() {
        stopping = true
    }

    // MARK: Accepting

    private func acceptConnections(now: Double) {
        let configuration = core.configuration
        while listening {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Epoll.accept(listenerFD, $0, &length)
                }
            }
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                default:
                    // EMFILE and friends: pause accepting briefly instead of spinning on a ready listener.
                    reportSocketError("accept4")
                    listening = false
                    _ = control(Epoll.delete, fd: listenerFD, events: 0, token: 0)
                    acceptPausedUntil = now + 0.1
                    return
                }
            }
            guard core.counters.reserveConnection(limit: configuration.maxConnections) else {
                core.counters.rejected.increment()
                rejectConnection(fd)
                continue
            }
            core.counters.accepted.increment()
            do throws(SocketError) {
                try Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1, name: "TCP_NODELAY")
            } catch {
                report(error)
            }
            let remote = Socket.describe(address)
            let remoteAddress = "\(remote.host):\(remote.port)"
            // Round robin over the loops: whichever loop wakes for a burst of connections accepts all of it, so
            // without this a client's whole connection pool could land on one core.
            let owner = core.nextLoop()
            if owner === self {
                adopt(fd, remoteAddress: remoteAddress, now: now)
            } else {
                owner.execute { owner.adopt(fd, remoteAddress: remoteAddress, now: monotonicSeconds()) }
            }
        }
    }

    /// Starts serving an accepted connection on this loop (the loop's thread only).
    private func adopt(_ fd: Int32, remoteAddress: String, now: Double) {
        if stopping || draining {
            close(fd)
            core.counters.open.wrappingSubtract(1, ordering: .acquiringAndReleasing)
            return
        }
        let connection = Connection(id: nextID, fd: fd, remoteAddress: remoteAddress,
                                    deadline: now + core.configuration.headerTimeout)
        nextID += 1
        connections[connection.id] = connection
        setInterest(Epoll.inEvent | Epoll.readHangUpEvent, on: connection, add: true)
    }

    /// Over the connection cap: a best-effort 503 and close, so the client is not left hanging.
    private func rejectConnection(_ fd: Int32) {
        let response = HTTPResponse.text(.serviceUnavailable, "server busy: too many connections, retry later")
        let wire = response.wire(date: dates.current(), isHead: false, keepAlive: false, requestVersion: .http1_1)
        let bytes = wire.head + wire.body
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        if sent < 0 && errno != EAGAIN && errno != EPIPE && errno != ECONNRESET { reportSocketError("send 503") }
        close(fd)
    }

    // MARK: Events

    private func handle(_ events: UInt32, on connection: Connection, now: Double) {
        if connection.state == .awaitingRequest && events & Epoll.inEvent != 0 {
            readAvailable(connection, now: now)
            return
        }
        if connection.state == .lingering {
            discardInput(connection)
            return
        }
        if connection.state == .writing && events & Epoll.outEvent != 0 {
            flush(connection, now: now)
            return
        }
        if events & (Epoll.readHangUpEvent | Epoll.hangUpEvent | Epoll.errorEvent) != 0 {
            // The client hung up while we were working or writing: drop it so queued work can stop.
            closeConnection(connection)
        }
    }

    private func readAvailable(_ connection: Connection, now: Double) {
        let received = recv(connection.fd, readBuffer.baseAddress, readBuffer.count, 0)
        if received == 0 {
            closeConnection(connection)
            return
        }
        if received < 0 {
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR: return
            case ECONNRESET: closeConnection(connection)
            default:
                reportSocketError("recv")
                closeConnection(connection)
            }
            return
        }
        connection.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<received]))
        let firstBytes = !connection.headStarted
        if firstBytes {
            connection.headStarted = true
            // Counted from the first byte, or from opening for a new connection (whichever is earlier).
            connection.deadline = min(connection.deadline, now + core.configuration.headerTimeout)
        }
        processInput(connection, now: now, checkNow: firstBytes)
    }

    /// Parses buffered bytes into the next request, if one is complete. Cheap per read: the head end is
    /// searched only in new bytes, and the parser runs when the head is complete, on the first bytes of a
    /// request (to refuse garbage at once), or when the buffer crosses a limit.
    private func processInput(_ connection: Connection, now: Double, checkNow: Bool) {
        guard connection.state == .awaitingRequest, connection.bufferedCount > 0 else { return }
        let limits = core.configuration.limits
        var sendContinue = false
        let result: HTTPParseResult = connection.input.withUnsafeBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[connection.inputStart...])
            if HTTPRequestParser.headEnd(in: bytes, from: connection.headSearchFrom) == nil {
                connection.headSearchFrom = max(0, bytes.count - 2)
                guard checkNow || bytes.count >= connection.nextLimitCheck else { return .needMoreData }
                connection.nextLimitCheck = bytes.count + Self.limitCheckStep
                return HTTPRequestParser.parse(bytes, limits: limits)
            }
            let result = HTTPRequestParser.parse(bytes, limits: limits)
            if result == .needMoreData && !connection.continueSent {
                sendContinue = HTTPRequestParser.expectsContinue(bytes, limits: limits)
            }
            return result
        }
        switch result {
        case .needMoreData:
            if sendContinue { sendInterimContinue(connection) }
            return
        case .request(let request, let consumed):
            connection.consumeInput(consumed)
            connection.nextLimitCheck = 0
            dispatch(request, on: connection, now: now)
        case .failure(let error):
            core.counters.parseFailures.increment()
            connection.exchange += 1
            connection.requestMethod = error.method ?? "-"
            connection.requestTarget = error.target ?? "-"
            connection.requestStart = now
            connection.isHeadRequest = false
            connection.requestKeepAlive = false
            connection.requestVersion = .http1_1
            connection.closeAfterWrite = true
            startResponse(error.response, on: connection, now: now)
        }
    }

    /// `100 Continue` for a client that waits for it before sending its body (RFC 9110 §10.1.1). Nothing else is
    /// being written on the connection while a request is still being read, so it goes straight out; if the socket
    /// will not take 25 bytes at once, the client's own wait (curl: 1 s) sends the body anyway.
    private func sendInterimContinue(_ connection: Connection) {
        connection.continueSent = true
        let line: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"
        let sent = Glibc.send(connection.fd, line.utf8Start, line.utf8CodeUnitCount, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        if sent < 0 && errno != EAGAIN && errno != EPIPE && errno != ECONNRESET { reportSocketError("send 100") }
    }

    private func dispatch(_ request: HTTPRequest, on connection: Connection, now: Double) {
        connection.exchange += 1
        connection.state = .processing
        connection.deadline = .infinity
        connection.requestMethod = request.method
        connection.requestTarget = request.target
        connection.requestStart = now
        connection.isHeadRequest = request.method == "HEAD"
        connection.requestKeepAlive = request.keepAlive
        connection.requestVersion = request.version

        let id = connection.id
        let exchange = connection.exchange
        let box = RespondOnce()
        // Only the target is kept for the duplicate-respond message: capturing the whole request would copy its
        // strings into every respond closure.
        let target = request.target
        inlineCall = InlineCall(connection: id, exchange: exchange)
        core.handler.handle(request, context: connection.context) { [self] response in
            guard box.claim() else {
                core.counters.droppedResponses.increment()
                core.logError("respond called more than once for \(target); ignored")
                return
            }
            if isLoopThread && inlineCall == InlineCall(connection: id, exchange: exchange) {
                inlineResponse = response
                return
            }
            execute { [self] in deliver(response, connection: id, exchange: exchange) }
        }
        inlineCall = nil
        if let response = inlineResponse {
            // Answered before `handle` returned (a memory-cache hit): write it now, with no mailbox round
            // and no change of epoll interest.
            inlineResponse = nil
            startResponse(response, on: connection, now: now)
            return
        }
        // Pause reading: later pipelined requests wait their turn (in our buffer or the kernel's).
        setInterest(Epoll.readHangUpEvent, on: connection)
    }

    private var isLoopThread: Bool { loopThread.load(ordering: .relaxed) == UInt(pthread_self()) }

    private func deliver(_ response: HTTPResponse, connection id: UInt64, exchange: UInt64) {
        guard let connection = connections[id], connection.exchange == exchange, connection.state == .processing else {
            // The client left (or the server closed) before the handler answered.
            core.counters.droppedResponses.increment()
            return
        }
        startResponse(response, on: connection, now: monotonicSeconds())
    }

    private func startResponse(_ response: HTTPResponse, on connection: Connection, now: Double) {
        let keepAlive = connection.requestKeepAlive && !connection.closeAfterWrite && !draining
        let wire = response.wire(
            date: dates.current(), isHead: connection.isHeadRequest, keepAlive: keepAlive,
            requestVersion: connection.requestVersion
        )
        connection.closeAfterWrite = !wire.keepAlive
        connection.output = wire
        connection.outputSent = 0
        connection.logNote = response.logNote
        connection.state = .writing
        connection.deadline = now + core.configuration.idleTimeout
        flush(connection, now: now)
    }

    /// Writes the status line, headers and body with one writev per attempt; what the socket will not
    /// take now is finished on EPOLLOUT.
    private func flush(_ connection: Connection, now: Double) {
        guard let output = connection.output else { return }
        let total = output.head.count + output.body.count
        while connection.outputSent < total {
            let sent = connection.outputSent
            let written = output.head.withUnsafeBytes { head in
                output.body.withUnsafeBytes { body in
                    withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2) { vectors in
                        var count = 0
                        if sent < head.count {
                            vectors[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress! + sent), iov_len: head.count - sent)
                            count += 1
                        }
                        let bodyOffset = max(0, sent - head.count)
                        if bodyOffset < body.count {
                            vectors[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress! + bodyOffset), iov_len: body.count - bodyOffset)
                            count += 1
                        }
                        return writev(connection.fd, vectors.baseAddress, Int32(count))
                    }
                }
            }
            if written < 0 {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    setInterest(Epoll.outEvent | Epoll.readHangUpEvent, on: connection)
                    return
                case EPIPE, ECONNRESET:
                    closeConnection(connection)
                    return
                default:
                    reportSocketError("writev")
                    closeConnection(connection)
                    return
                }
            }
            connection.outputSent += written
            connection.deadline = now + core.configuration.idleTimeout
        }
        finishExchange(connection, now: now)
    }

    private func finishExchange(_ connection: Connection, now: Double) {
        if let output = connection.output {
            core.counters.responses.increment()
            if let logOutput = core.configuration.accessLogOutput {
                let full = accessLog.append(logOutput, now: now) { bytes in
                    HTTPAccessRecord.appendLine(
                        to: &bytes, remoteAddress: connection.context.remoteAddress, method: connection.requestMethod,
                        target: connection.requestTarget, status: output.status, bodyBytes: output.body.count,
                        durationMilliseconds: (now - connection.requestStart) * 1000, note: connection.logNote)
                }
                if full { accessLog.flush(logOutput) }
            }
            core.configuration.accessLog?(HTTPAccessRecord(
                method: connection.requestMethod, target: connection.requestTarget, status: output.status,
                bodyBytes: output.body.count, durationMilliseconds: (now - connection.requestStart) * 1000,
                note: connection.logNote, remoteAddress: connection.context.remoteAddress
            ))
        }
        connection.output = nil
        connection.logNote = nil
        if connection.closeAfterWrite || draining {
            linger(connection, now: now)
            return
        }
        connection.state = .awaitingRequest
        connection.headStarted = connection.bufferedCount > 0
        connection.deadline = now + (connection.headStarted ? core.configuration.headerTimeout : core.configuration.idleTimeout)
        setInterest(Epoll.inEvent | Epoll.readHangUpEvent, on: connection)
        processInput(connection, now: now, checkNow: true)
    }

    // MARK: Deadlines and closing

    private func scanDeadlines(now: Double) {
        if let output = core.configuration.accessLogOutput, accessLog.isDue(output, now: now) { accessLog.flush(output) }
        if let until = acceptPausedUntil, now >= until, !draining {
            acceptPausedUntil = nil
            listening = control(Epoll.add, fd: listenerFD, events: Epoll.inEvent | Epoll.exclusive, token: Self.listenerToken)
            if !listening { reportSocketError("epoll_ctl re-add listener") }
        }
        for connection in Array(connections.values) where now >= connection.deadline {
            if connection.state != .lingering { core.counters.timeouts.increment() }
            closeConnection(connection)
        }
    }

    private func linger(_ connection: Connection, now: Double) {
        guard shutdown(connection.fd, Int32(SHUT_WR)) == 0 else {
            closeConnection(connection)
            return
        }
        connection.state = .lingering
        connection.deadline = now + Self.lingerTime
        connection.input = []
        connection.inputStart = 0
        setInterest(Epoll.inEvent | Epoll.readHangUpEvent, on: connection)
    }

    private func discardInput(_ connection: Connection) {
        let received = recv(connection.fd, readBuffer.baseAddress, readBuffer.count, 0)
        if received == 0 || (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            closeConnection(connection)
        }
    }

    private func closeConnection(_ connection: Connection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        connection.context.markConnectionClosed()
        // Closing the descriptor also removes it from the epoll set.
        if close(connection.fd) != 0 { reportSocketError("close") }
        core.counters.open.wrappingSubtract(1, ordering: .acquiringAndReleasing)
    }

    private func setInterest(_ events: UInt32, on connection: Connection, add: Bool = false) {
        guard add || connection.interest != events else { return }
        connection.interest = events
        if !control(add ? Epoll.add : Epoll.modify, fd: connection.fd, events: events, token: connection.id) {
            reportSocketError("epoll_ctl")
            closeConnection(connection)
        }
    }

    private func control(_ operation: Int32, fd: Int32, events: UInt32, token: UInt64) -> Bool {
        Epoll.control(epoll: epollFD, operation: operation, fd: fd, events: events, token: token)
    }

    private func reportSocketError(_ operation: String) {
        report(SocketError(operation))
    }

    private func report(_ error: SocketError) {
        core.counters.socketErrors.increment()
        core.logError(error.description)
    }
}

/// Which exchange the handler is being called for, on the loop thread.
private struct InlineCall: Equatable {
    let connection: UInt64
    let exchange: UInt64
}

/// Makes `respond` work exactly once, whichever thread calls it.
private final class RespondOnce: Sendable {
    private let claimed = Atomic<Bool>(false)

    func claim() -> Bool {
        !claimed.exchange(true, ordering: .acquiringAndReleasing)
    }
}
