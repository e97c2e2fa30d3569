import CSystemLinux
import Dispatch
import FractileHTTP
import Foundation
import Synchronization

/// A few threads off the event loops for request work that computes (probes) or reads the disk (static files), with
/// a bounded queue: the loops only move bytes, so a flood of slow requests cannot stall anyone's cached tiles. When
/// the queue is full the request is answered `503` with `Retry-After` at once, as renders are.
///
/// From a route handler:
///
///     pool.respond(to: context, respond) { self.expensiveAnswer(request) }
///
/// The threads run at a lower priority (nice 10) than the event loops, so on a busy machine the kernel gives the loops
/// the CPU first; the work still gets all the CPU the loops leave.
public final class WorkPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var running = 0
        var stopping = false

        var waiting: Int { jobs.count - head }

        mutating func pop() -> (@Sendable () -> Void)? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head == jobs.count || head >= 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    public let name: String
    /// The most jobs that may wait for a thread; one more is refused.
    public let queueLimit: Int
    /// Seconds a refused client is told to wait.
    public let retryAfterSeconds: Int
    public let threadCount: Int
    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    private let rejectedCount = Atomic<Int>(0)

    public init(name: String, threads: Int, queueLimit: Int, retryAfterSeconds: Int = 1, nice: Int32 = 10) {
        self.name = name
        self.queueLimit = max(0, queueLimit)
        self.retryAfterSeconds = retryAfterSeconds
        self.threadCount = max(1, threads)
        for index in 0..<threadCount {
            let thread = Thread { [self] in
                _ = fractile_set_thread_nice(nice)
                work()
            }
            thread.name = "fractile-\(name)-\(index)"
            thread.start()
        }
    }

    /// Jobs waiting for a thread.
    public var queueDepth: Int { state.withLock { $0.waiting } }
    /// Jobs running now.
    public var busy: Int { state.withLock { $0.running } }
    /// Jobs refused because the queue was full, since start.
    public var rejected: Int { rejectedCount.load(ordering: .relaxed) }

    /// The pool's figures at one moment, for `/metrics`.
    public struct Snapshot: Sendable, Equatable {
        public let name: String
        public let queueDepth: Int
        public let queueLimit: Int
        public let busy: Int
        public let threads: Int
        public let rejected: Int
    }

    public var snapshot: Snapshot {
        let (waiting, running) = state.withLock { ($0.waiting, $0.running) }
        return Snapshot(name: name, queueDepth: waiting, queueLimit: queueLimit, busy: running, threads: threadCount,
                        rejected: rejected)
    }

    /// Queues `job`; false (and nothing queued) when `queueLimit` jobs already wait or the pool is stopping.
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping, state.waiting < queueLimit else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted {
            available.signal()
        } else {
            rejectedCount.wrappingAdd(1, ordering: .relaxed)
        }
        return accepted
    }

    /// Answers a request with `answer()` computed on a pool thread; when the pool is full, with `503` and
    /// `Retry-After` at once. If the client has gone by the time a thread is free, the work is skipped (the answer
    /// would be dropped anyway).
    public func respond(to context: HTTPRequestContext, _ respond: @escaping @Sendable (HTTPResponse) -> Void,
                        _ answer: @escaping @Sendable () -> HTTPResponse) {
        let queued = submit {
            guard context.isConnectionOpen else {
                return respond(.text(.serviceUnavailable, "the client went away before its turn"))
            }
            respond(answer())
        }
        if !queued { respond(overloaded) }
    }

    /// The refusal when the queue is full.
    public var overloaded: HTTPResponse {
        var response = HTTPResponse.text(
            .serviceUnavailable, "the \(name) queue is full (\(queueLimit) waiting); retry in \(retryAfterSeconds) s")
        response.headers["Retry-After"] = "\(retryAfterSeconds)"
        return response
    }

    /// Finishes the jobs already queued, then ends the threads; later submissions are refused.
    public func stop() {
        state.withLock { $0.stopping = true }
        for _ in 0..<threadCount { available.signal() }
    }

    private func work() {
        while true {
            available.wait()
            let job: (@Sendable () -> Void)? = state.withLock { state in
                guard let job = state.pop() else { return nil }
                state.running += 1
                return job
            }
            guard let job else {
                if state.withLock({ $0.stopping && $0.waiting == 0 }) { return }
                continue
            }
            job()
            state.withLock { $0.running -= 1 }
        }
    }
}
