import Synchronization

/// Counts of what the server refused, dropped or failed at: nothing is swallowed silently.
public struct HTTPServerStatistics: Sendable, Equatable {
    public var acceptedConnections = 0
    /// Accepted over `maxConnections`, answered 503 and closed.
    public var rejectedConnections = 0
    public var responses = 0
    /// Requests refused by the parser (400, 405, 413, 414, 431, 501, 505).
    public var parseFailures = 0
    /// Connections closed by the header, idle or write timeout.
    public var timeouts = 0
    /// Socket calls that failed other than would-block or a client hanging up.
    public var socketErrors = 0
    /// `respond` calls that came after the connection closed, or a second time for one request.
    public var droppedResponses = 0
}

/// The counters behind `HTTPServerStatistics`, updated from every loop.
final class ServerCounters: Sendable {
    let open = Atomic<Int>(0)
    let accepted = Atomic<Int>(0)
    let rejected = Atomic<Int>(0)
    let responses = Atomic<Int>(0)
    let parseFailures = Atomic<Int>(0)
    let timeouts = Atomic<Int>(0)
    let socketErrors = Atomic<Int>(0)
    let droppedResponses = Atomic<Int>(0)

    /// Takes a connection slot unless `limit` are open.
    func reserveConnection(limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    var snapshot: HTTPServerStatistics {
        HTTPServerStatistics(
            acceptedConnections: accepted.load(ordering: .relaxed),
            rejectedConnections: rejected.load(ordering: .relaxed),
            responses: responses.load(ordering: .relaxed),
            parseFailures: parseFailures.load(ordering: .relaxed),
            timeouts: timeouts.load(ordering: .relaxed),
            socketErrors: socketErrors.load(ordering: .relaxed),
            droppedResponses: droppedResponses.load(ordering: .relaxed)
        )
    }
}

extension Atomic<Int> {
    func increment() {
        wrappingAdd(1, ordering: .relaxed)
    }
}
