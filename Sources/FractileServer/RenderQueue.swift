/// Which waiting render goes next: the render queue's policy as a plain value, with time passed in (nanoseconds on
/// any monotonic clock), so tests drive it with an injected clock and no threads.
///
/// - Fair share: clients (a peer address) take turns, round robin, so one client's flood of new tiles cannot hold
///   back another's: a browsing user's tile waits for at most one render per other active client.
/// - Newest first within a client: a zooming user wants the tiles of the view on screen now, not of the views they
///   zoomed through.
/// - Aging: a render passed over for longer than `maximumWait` goes next whatever its client's turn.
/// - Gone clients: a render nobody waits for any more (every client hung up) is dropped when it comes up, without
///   using a turn.
/// - Coalescing: a tile wanted by several clients is queued once and sits in each of their turns; whichever turn
///   comes first renders it for all.
/// - Bounded: at most `limit` renders wait. When full, a client with fewer waiting renders than the busiest client
///   displaces that client's oldest render (it is refused, 503), so a flood fills only its own share.
public struct RenderQueue<Key: Hashable & Sendable>: Sendable {
    public enum Admission: Equatable, Sendable {
        case queued
        /// Queued in place of `Key`, the busiest client's oldest render, which the caller refuses.
        case queuedDisplacing(Key)
        /// Already waiting: this client now shares it.
        case coalesced
        case refused
    }

    private struct Entry {
        var clients: [String]
        let since: UInt64
    }

    public let limit: Int
    public let maximumWait: UInt64
    private var entries: [Key: Entry] = [:]
    /// Each client's renders, oldest first (served from the end); may hold keys already taken through another client.
    private var stacks: [String: [Key]] = [:]
    /// Clients with waiting renders, in turn order; `turn` indexes the next to serve.
    private var rotation: [String] = []
    private var turn = 0
    /// Every key in arrival order, for aging; may hold keys already taken.
    private var arrivals: [Key] = []
    private var arrivalsStart = 0

    public init(limit: Int, maximumWait: UInt64) {
        self.limit = limit
        self.maximumWait = maximumWait
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [Key] { Array(entries.keys) }
    /// Waiting renders per client, for the soak's figures and tests.
    public func waiting(for client: String) -> Int { stacks[client]?.count { entries[$0] != nil } ?? 0 }

    public mutating func enqueue(_ key: Key, client: String, now: UInt64) -> Admission {
        if var entry = entries[key] {
            if !entry.clients.contains(client) {
                entry.clients.append(client)
                entries[key] = entry
                push(key, for: client)
            }
            return .coalesced
        }
        var displaced: Key?
        if entries.count >= limit {
            guard let victim = displacementVictim(for: client) else { return .refused }
            remove(victim)
            displaced = victim
        }
        entries[key] = Entry(clients: [client], since: now)
        arrivals.append(key)
        push(key, for: client)
        return displaced.map { .queuedDisplacing($0) } ?? .queued
    }

    /// Adds `client` as a sharer of a waiting render (a request that joined the tile's flight).
    public mutating func share(_ key: Key, with client: String) {
        guard var entry = entries[key], !entry.clients.contains(client) else { return }
        entry.clients.append(client)
        entries[key] = entry
        push(key, for: client)
    }

    /// The next render to start, and the renders found on the way that nobody wants any more (the caller answers
    /// those as abandoned). nil when nothing wanted waits.
    public mutating func next(now: UInt64, isWanted: (Key) -> Bool) -> (key: Key?, dropped: [Key]) {
        var dropped: [Key] = []
        while let key = pick(now: now) {
            remove(key)
            if isWanted(key) { return (key, dropped) }
            dropped.append(key)
        }
        return (nil, dropped)
    }

    /// Removes a render wherever it waits (for example when the server stops).
    public mutating func remove(_ key: Key) {
        guard entries.removeValue(forKey: key) != nil else { return }
        // Stacks and arrivals are cleaned lazily; keep them from growing without bound.
        if arrivals.count - arrivalsStart > 4 * (entries.count + 16) { compact() }
    }

    // MARK: Policy

    private mutating func pick(now: UInt64) -> Key? {
        if let oldest = oldestWaiting(), let entry = entries[oldest], now &- entry.since > maximumWait {
            return oldest
        }
        while !rotation.isEmpty {
            if turn >= rotation.count { turn = 0 }
            let client = rotation[turn]
            if let key = popNewest(of: client) {
                turn += 1
                return key
            }
            // This client has nothing left: it leaves the rotation, and the next client takes this position.
            rotation.remove(at: turn)
            stacks[client] = nil
        }
        return nil
    }

    private mutating func popNewest(of client: String) -> Key? {
        while let key = stacks[client]?.popLast() {
            if entries[key] != nil { return key }
        }
        return nil
    }

    private mutating func oldestWaiting() -> Key? {
        while arrivalsStart < arrivals.count {
            let key = arrivals[arrivalsStart]
            if entries[key] != nil { return key }
            arrivalsStart += 1
        }
        return nil
    }

    private mutating func push(_ key: Key, for client: String) {
        if stacks[client] == nil {
            stacks[client] = []
            // A new client goes last in the current round, so it waits for at most one render per other client.
            rotation.insert(client, at: turn)
            turn += 1
        }
        stacks[client]!.append(key)
    }

    /// The busiest client's oldest render, if that client has more waiting than `client` would with one more.
    private func displacementVictim(for client: String) -> Key? {
        let mine = waiting(for: client)
        var busiest: (client: String, count: Int)?
        for other in rotation where other != client {
            let count = waiting(for: other)
            if count > (busiest?.count ?? 0) { busiest = (other, count) }
        }
        guard let busiest, busiest.count > mine + 1 else { return nil }
        return stacks[busiest.client]?.first { entries[$0] != nil }
    }

    private mutating func compact() {
        arrivals = arrivals[arrivalsStart...].filter { entries[$0] != nil }
        arrivalsStart = 0
        for client in Array(stacks.keys) { stacks[client]!.removeAll { entries[$0] == nil } }
    }
}
