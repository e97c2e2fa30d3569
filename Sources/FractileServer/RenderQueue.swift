/// Which waiting render goes next: the render queue's policy as a plain value, with time passed in (nanoseconds on
/// any monotonic clock), so tests drive it with an injected clock and no threads.
///
/// - Fair share: clients (a peer address) share render time. The next render is the one of the waiting client that
///   has used the least render time so far (`finished`), ties in round-robin order. A client that comes back after
///   idling starts `returnCredit` seconds of render time ahead of the least-served waiting client, never with more
///   credit saved up (as Linux's scheduler places a task that wakes a little before the others): a browsing user's
///   view, a dozen tiles, goes before a flood's tiles, and the flood is behind by at most that much per return. So
///   one client's flood of costly tiles cannot hold back another's cheap ones.
/// - Newest first within a client: a zooming user wants the tiles of the view on screen now, not of the views they
///   zoomed through.
/// - Workers left for others: one client runs at most `maxRunningPerClient` renders at once, so with more workers
///   than that (`TilePipeline` has twice as many), a client's costly tiles never occupy every worker while another
///   client waits.
/// - Aging: in its client's turn, a render that client has waited on for longer than `maximumWait` goes before the
///   client's newer ones. (Aging across clients would undo the fair share: under a sustained flood the flood's own
///   renders are always the oldest, so they would always go next.)
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
    public let maxRunningPerClient: Int
    /// Render seconds a client coming back after idling is placed ahead of the least-served waiting client.
    public let returnCredit: Double
    private var entries: [Key: Entry] = [:]
    /// Each client's renders, oldest first (served from the end); may hold keys already taken through another client.
    private var stacks: [String: [Key]] = [:]
    /// Clients with waiting renders, in turn order; `turn` indexes where the next tie-break starts.
    private var rotation: [String] = []
    private var turn = 0
    /// Render seconds each client has been charged (its virtual time).
    private var usage: [String: Double] = [:]
    /// Renders started and not yet finished, per client.
    private var running: [String: Int] = [:]
    private var removalsSinceCompaction = 0

    public init(limit: Int, maximumWait: UInt64, maxRunningPerClient: Int = .max, returnCredit: Double = 0) {
        self.limit = limit
        self.maximumWait = maximumWait
        self.maxRunningPerClient = max(1, maxRunningPerClient)
        self.returnCredit = max(0, returnCredit)
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [Key] { Array(entries.keys) }
    /// Waiting renders per client, for the soak's figures and tests.
    public func waiting(for client: String) -> Int { stacks[client]?.count { entries[$0] != nil } ?? 0 }

    /// Whether `other`'s running renders should yield the cores to a render of `client` that starts now: `other`
    /// still has renders waiting (a flood, not one last tile) and has used at least as much render time as `client`.
    /// Threads do not preempt one another, so without this a flood's long renders already running would share the
    /// cores equally with the tiles the fair share has just put first.
    public func yields(_ other: String, to client: String) -> Bool {
        other != client && waiting(for: other) > 0 && usage[other, default: 0] >= usage[client, default: 0]
    }

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

    /// The next render to start, the client whose share it counts against (report it to `finished`), and the renders
    /// found on the way that nobody wants any more (the caller answers those as abandoned). nil when nothing wanted
    /// waits.
    public mutating func next(now: UInt64, isWanted: (Key) -> Bool) -> (key: Key?, client: String, dropped: [Key]) {
        var dropped: [Key] = []
        while let (key, client) = pick(now: now) {
            remove(key)
            if isWanted(key) {
                running[client, default: 0] += 1
                return (key, client, dropped)
            }
            dropped.append(key)
        }
        return (nil, "", dropped)
    }

    /// A render `next` handed out has finished after `seconds`: counted against `client`'s share, and the client may
    /// start another.
    public mutating func finished(_ client: String, seconds: Double) {
        if let count = running[client] { running[client] = count > 1 ? count - 1 : nil }
        // A client that has left the rotation is levelled when it returns, so its usage need not be kept (nor grow
        // a table of every client ever seen).
        guard stacks[client] != nil else { return }
        usage[client, default: 0] += max(0, seconds)
    }

    /// Removes a render wherever it waits (for example when the server stops).
    public mutating func remove(_ key: Key) {
        guard entries.removeValue(forKey: key) != nil else { return }
        // Stacks are cleaned lazily (a shared key stays in its other clients' stacks); keep them from growing.
        removalsSinceCompaction += 1
        if removalsSinceCompaction > 4 * (entries.count + 16) { compact() }
    }

    // MARK: Policy

    private mutating func pick(now: UInt64) -> (Key, String)? {
        while !rotation.isEmpty {
            if turn >= rotation.count { turn = 0 }
            // The least-served client below its running cap, searching from `turn` so that equals take turns.
            var chosen: Int?
            for step in 0..<rotation.count {
                let index = (turn + step) % rotation.count
                guard running[rotation[index], default: 0] < maxRunningPerClient else { continue }
                if chosen == nil || usage[rotation[index], default: 0] < usage[rotation[chosen!], default: 0] {
                    chosen = index
                }
            }
            // Everyone waiting is at the cap: nothing starts until one of their renders finishes.
            guard let chosen else { return nil }
            let client = rotation[chosen]
            if let key = popAged(of: client, now: now) ?? popNewest(of: client) {
                turn = chosen + 1
                return (key, client)
            }
            // This client has nothing left: it leaves the rotation, and the next client takes this position.
            rotation.remove(at: chosen)
            stacks[client] = nil
            usage[client] = nil
            if chosen < turn { turn -= 1 }
        }
        return nil
    }

    private mutating func popNewest(of client: String) -> Key? {
        while let key = stacks[client]?.popLast() {
            if entries[key] != nil { return key }
        }
        return nil
    }

    /// The client's oldest render if it has waited past `maximumWait`.
    private mutating func popAged(of client: String, now: UInt64) -> Key? {
        guard let stack = stacks[client], let index = stack.firstIndex(where: { entries[$0] != nil }),
              let entry = entries[stack[index]], now &- entry.since > maximumWait else { return nil }
        return stacks[client]!.remove(at: index)
    }

    private mutating func push(_ key: Key, for client: String) {
        if waiting(for: client) == 0 {
            // A client (re)joining starts `returnCredit` ahead of the least-served waiting client: no more credit
            // saved while idle.
            let others = rotation.filter { $0 != client && waiting(for: $0) > 0 }.map { usage[$0, default: 0] }
            if let least = others.min() { usage[client] = max(usage[client, default: 0], least - returnCredit) }
        }
        if stacks[client] == nil {
            stacks[client] = []
            // Last in the current round among equals.
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
        removalsSinceCompaction = 0
        for client in Array(stacks.keys) { stacks[client]!.removeAll { entries[$0] == nil } }
    }
}
