import CSystemLinux
import Dispatch
import FractileCache
import FractileConfig
import FractileRender
import Foundation
import Synchronization

/// Produces tiles through the cache layers: memory, then disk, then a render. Every request for a tile that is not
/// in memory joins one flight per tile, so a hundred concurrent requests for a new tile read the disk once and render
/// once. Renders wait in a bounded `RenderQueue`: clients take turns, each client's newest first (a zooming user
/// wants the tiles of the view they are looking at now), so one client's flood cannot hold back another's tiles. When
/// the queue is full, new tiles are refused at once (the caller answers 503) rather than letting memory grow.
public final class TilePipeline: Sendable {
    /// Where a tile came from: printed in the access log and counted in metrics.
    public enum Source: String, Sendable {
        case memory, disk, render, archive
    }

    public enum Failure: Error, Sendable, Equatable {
        /// The render queue is full; try again after this many seconds.
        case overloaded(retryAfterSeconds: Int)
        /// Every client that wanted the tile had gone before its render started.
        case abandoned
        case renderFailed(String)
        /// The server answers this map only from archives (`--archive-only`) and none holds the tile.
        case notInArchive
    }

    public typealias Completion = @Sendable (Result<([UInt8], Source), Failure>) -> Void

    /// A request waiting for a tile: its completion, and whether its client is still there.
    private struct Waiter {
        let isWanted: @Sendable () -> Bool
        let completion: Completion
    }

    private struct Flight {
        let map: MapDefinition
        let tile: TileCoordinate
        /// The client whose request started the flight: its render waits for that client's turn.
        let client: String
        var waiters: [Waiter]
    }

    /// A render a worker is running: whose it is, and whether it leaves the cores to other clients' renders
    /// (`RenderQueue.yields`): a yielding render waits at its next checkpoint (every few rows) while a render of
    /// another client that does not yield runs. Threads do not preempt one another, and nice would need privilege
    /// to put back (the container runs as an ordinary user); waiting needs neither, and costs no CPU.
    struct RunningRender: Equatable {
        let client: String
        var yielding = false
        /// How long its worker thread has waited at checkpoints: not charged to the client's share.
        var waitedNanoseconds: UInt64 = 0
    }

    private struct State {
        var flights: [TileCacheKey: Flight] = [:]
        /// Keys waiting for a render worker.
        var pending: RenderQueue<TileCacheKey>
        /// Renders running now, by the index of their worker.
        var running: [Int: RunningRender] = [:]
        var rendering: Int { running.count }
        var stopping = false
    }

    /// How long a queued render may be passed over by its client's newer ones before it goes next: newest first
    /// keeps a zooming user's current view fast (the views zoomed through are mostly cancelled anyway), and this
    /// bound keeps the first tiles of one view from waiting for the whole view: a browser asks a view's tiles six
    /// at a time, and each answer brings a newer request.
    public static let maximumWaitBeforeFirst: UInt64 = 500_000_000

    /// Render seconds of head start for a client coming back after idling (`RenderQueue.returnCredit`): about what a
    /// browser's view of new shallow tiles costs (a dozen forward-pass tiles at z 5 take up to ~1.8 s), so a user's
    /// whole view goes first under a flood. With 1 s the costliest views ran their last tiles at half the cores:
    /// `make soak`'s user p99 1.11 s under the flood against 0.82 s with no flood; with 2 s, 0.82 s both ways.
    public static let returnCredit = 2.0

    public let memoryCache: MemoryTileCache
    public let diskCache: DiskTileCache?
    public let renderer: TileRenderer
    /// The same renderer on one thread, for renders that do not split (`splitsAcrossThreads`).
    private let oneThreadRenderer = TileRenderer(threads: 1)
    /// Archives looked up before the disk cache (`fractile serve --archive`).
    public let archives: TileArchiveSet?
    private let metrics: ServerMetrics
    /// The most renders that may wait; one more is refused (or displaces the busiest client's oldest).
    public let queueLimit: Int
    private let state: Mutex<State>
    private let workAvailable = DispatchSemaphore(value: 0)
    /// Where yielding renders wait; broadcast whenever a render starts or finishes.
    private let yieldingChanged = NSCondition()
    private let diskQueue = DispatchQueue(label: "fractile.disk", attributes: .concurrent)
    private let workerCount: Int

    public init(memoryCache: MemoryTileCache, diskCache: DiskTileCache?, renderer: TileRenderer, metrics: ServerMetrics,
                queueLimit: Int, workers: Int, archives: TileArchiveSet? = nil) {
        self.archives = archives
        self.memoryCache = memoryCache
        self.diskCache = diskCache
        self.renderer = renderer
        self.metrics = metrics
        self.queueLimit = queueLimit
        // Twice what any one client may use at once: a client's costly renders never hold every worker, and while
        // they yield another client still has a full set of workers.
        self.workerCount = 2 * max(1, workers)
        self.state = Mutex(State(pending: RenderQueue(limit: queueLimit, maximumWait: Self.maximumWaitBeforeFirst,
                                                      maxRunningPerClient: max(1, workers),
                                                      returnCredit: Self.returnCredit)))
        for index in 0..<workerCount { startWorker(index) }
    }

    private func startWorker(_ index: Int) {
        let thread = Thread { [self] in self.workLoop(index) }
        thread.name = "fractile-render-\(index)"
        thread.start()
    }

    public static func cacheKey(_ map: MapDefinition, _ tile: TileCoordinate) -> TileCacheKey {
        TileCacheKey(map: map.name, settingsHash: map.settingsHash, z: tile.z, x: tile.x, y: tile.y, scale: tile.scale)
    }

    public var queueDepth: Int { state.withLock { $0.pending.count } }
    public var rendersInProgress: Int { state.withLock { $0.rendering } }

    /// The tile if the memory cache has it (counted as a lookup either way); nothing else is tried.
    public func cachedTile(_ map: MapDefinition, _ tile: TileCoordinate) -> [UInt8]? {
        let bytes = memoryCache.get(Self.cacheKey(map, tile))
        metrics.countCacheLookup(layer: "memory", hit: bytes != nil)
        return bytes
    }

    /// For a tile `cachedTile` did not have: joins or starts the tile's flight through the disk cache and a render.
    /// Calls `completion` exactly once, from the caller's thread if the flight landed meanwhile, otherwise from a
    /// disk or render thread. `client` (the peer's address) is whose turn the render waits for.
    public func fetchTile(_ map: MapDefinition, _ tile: TileCoordinate, client: String = "-",
                          isWanted: @escaping @Sendable () -> Bool, completion: @escaping Completion) {
        let key = Self.cacheKey(map, tile)
        let waiter = Waiter(isWanted: isWanted, completion: completion)
        enum Next { case done([UInt8]), joined, lookUpDisk }
        let next: Next = state.withLock { state in
            // A flight lands in memory before it leaves `flights`, so checking both under the lock never misses one.
            if let bytes = memoryCache.get(key) { return .done(bytes) }
            if state.flights[key] != nil {
                state.flights[key]!.waiters.append(waiter)
                // A queued render shared with another client waits in that client's turns too.
                state.pending.share(key, with: client)
                return .joined
            }
            state.flights[key] = Flight(map: map, tile: tile, client: client, waiters: [waiter])
            return .lookUpDisk
        }
        switch next {
        case .done(let bytes):
            completion(.success((bytes, .memory)))
        case .joined:
            metrics.countRenderCoalesced()
        case .lookUpDisk:
            diskQueue.async { self.lookUpDisk(key) }
        }
    }

    private func lookUpDisk(_ key: TileCacheKey) {
        if let archives {
            switch archives.lookUp(key) {
            case .found(let bytes):
                metrics.countCacheLookup(layer: "archive", hit: true)
                memoryCache.put(key, bytes)
                return land(key, .success((bytes, .archive)))
            case .missing:
                metrics.countCacheLookup(layer: "archive", hit: false)
                if archives.archiveOnly { return land(key, .failure(.notInArchive)) }
            case .notArchived:
                break
            }
        }
        if let diskCache {
            let bytes = diskCache.get(key)
            metrics.countCacheLookup(layer: "disk", hit: bytes != nil)
            if let bytes {
                memoryCache.put(key, bytes)
                land(key, .success((bytes, .disk)))
                return
            }
        }
        let admission = state.withLock { state -> RenderQueue<TileCacheKey>.Admission in
            guard !state.stopping, let client = state.flights[key]?.client else { return .refused }
            return state.pending.enqueue(key, client: client, now: DispatchTime.now().uptimeNanoseconds)
        }
        switch admission {
        case .queued, .coalesced:
            workAvailable.signal()
        case .queuedDisplacing(let displaced):
            // The busiest client's oldest render gave up its place: its waiters retry later.
            metrics.countRenderRejected()
            land(displaced, .failure(.overloaded(retryAfterSeconds: 2)))
            workAvailable.signal()
        case .refused:
            metrics.countRenderRejected()
            land(key, .failure(.overloaded(retryAfterSeconds: 2)))
        }
    }

    /// Ends a flight: every waiter gets the same result.
    private func land(_ key: TileCacheKey, _ result: Result<([UInt8], Source), Failure>) {
        let waiters = state.withLock { $0.flights.removeValue(forKey: key)?.waiters ?? [] }
        for waiter in waiters { waiter.completion(result) }
    }

    private func workLoop(_ index: Int) {
        let thread = fractile_thread_id()
        while true {
            workAvailable.wait()
            let (job, dropped) = state.withLock { state -> ((TileCacheKey, Flight, String, Bool)?, [TileCacheKey]) in
                guard !state.stopping else { return (nil, []) }
                let flights = state.flights
                let (next, client, dropped) = state.pending.next(now: DispatchTime.now().uptimeNanoseconds) { key in
                    flights[key]?.waiters.contains { $0.isWanted() } ?? false
                }
                guard let key = next, let flight = state.flights[key] else { return (nil, dropped) }
                Self.start(client, worker: index, running: &state.running, queue: state.pending)
                let split = Self.splitsAcrossThreads(index, running: state.running,
                                                     clientWaiting: state.pending.waiting(for: client))
                return ((key, flight, client, split), dropped)
            }
            wakeYielding()
            for key in dropped {
                metrics.countRenderDropped()
                land(key, .failure(.abandoned))
            }
            guard let (key, flight, client, split) = job else {
                if state.withLock({ $0.stopping }) { return }
                continue
            }
            let started = DispatchTime.now().uptimeNanoseconds
            render(key, flight, with: split ? renderer : oneThreadRenderer) { [self] in
                waitWhileYielding(index, workerThread: thread)
            }
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            let more = state.withLock { state -> Bool in
                let waited = state.running.removeValue(forKey: index)?.waitedNanoseconds ?? 0
                state.pending.finished(client, seconds: Double(elapsed - min(elapsed, waited)) / 1e9)
                return !state.pending.isEmpty
            }
            wakeYielding()
            // Renders held back by their client's cap may start now.
            if more { workAvailable.signal() }
        }
    }

    /// A render's checkpoint: while it yields and another client's render that does not yield runs, wait. Only
    /// the worker's own thread counts the time (a split render's helper threads wait alongside it).
    private func waitWhileYielding(_ index: Int, workerThread: Int32) {
        let mustWait = { [self] in state.withLock { Self.mustWait(index, in: $0) } }
        guard mustWait() else { return }
        let started = DispatchTime.now().uptimeNanoseconds
        yieldingChanged.lock()
        while mustWait() { yieldingChanged.wait() }
        yieldingChanged.unlock()
        guard fractile_thread_id() == workerThread else { return }
        let waited = DispatchTime.now().uptimeNanoseconds - started
        state.withLock { $0.running[index]?.waitedNanoseconds += waited }
    }

    /// Under the condition's lock, so a render between its check and its wait cannot miss the change.
    private func wakeYielding() {
        yieldingChanged.lock()
        yieldingChanged.broadcast()
        yieldingChanged.unlock()
    }

    private static func mustWait(_ index: Int, in state: State) -> Bool {
        !state.stopping && mustWait(index, running: state.running)
    }

    /// A render of `client` starts on `worker`: the running renders of clients that yield to it (`RenderQueue.yields`)
    /// now yield, and it yields itself if its client yields to one of theirs. Between equals (a client coming back
    /// is levelled with the least served) the newcomer goes.
    static func start(_ client: String, worker: Int, running: inout [Int: RunningRender],
                      queue: RenderQueue<TileCacheKey>) {
        var render = RunningRender(client: client)
        for (other, their) in running where their.client != client {
            if queue.yields(their.client, to: client) {
                running[other]!.yielding = true
            } else if queue.yields(client, to: their.client) {
                render.yielding = true
            }
        }
        running[worker] = render
    }

    /// Whether the render on `worker` waits at its checkpoint: it yields, and another client's render that does not
    /// yield is running. Renders that do not yield never wait, so some render always runs.
    static func mustWait(_ worker: Int, running: [Int: RunningRender]) -> Bool {
        guard let render = running[worker], render.yielding else { return false }
        return running.values.contains { !$0.yielding && $0.client != render.client }
    }

    /// Whether a render starting now splits its tile across the renderer's threads: when its client has nothing
    /// else waiting and every other client's running render yields, so a lone user's tile, and the last tile of a
    /// view, render at full speed instead of leaving a core to renders that would wait anyway. Otherwise every render
    /// runs on its own worker thread and the fair share decides who gets the cores. Bytes are the same either way
    /// (`TileRenderer`).
    static func splitsAcrossThreads(_ worker: Int, running: [Int: RunningRender], clientWaiting: Int) -> Bool {
        guard clientWaiting == 0, let render = running[worker], !render.yielding else { return false }
        return !running.values.contains { !$0.yielding && $0.client != render.client }
    }

    private func render(_ key: TileCacheKey, _ flight: Flight, with renderer: TileRenderer,
                        checkpoint: @escaping TileRenderer.Checkpoint) {
        // Waiters that joined after the job was taken are still in `flights` and are answered by `land`.
        let someoneWaits = state.withLock { $0.flights[key]?.waiters.contains { $0.isWanted() } ?? false }
        guard someoneWaits else {
            metrics.countRenderDropped()
            land(key, .failure(.abandoned))
            return
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let bytes: [UInt8]
        do {
            bytes = try renderer.renderPNG(flight.map, flight.tile, checkpoint: checkpoint)
        } catch {
            land(key, .failure(.renderFailed("the PNG encoder failed")))
            return
        }
        metrics.countRender(seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        memoryCache.put(key, bytes)
        if let diskCache {
            diskQueue.async { diskCache.put(key, bytes) }
        }
        land(key, .success((bytes, .render)))
    }

    /// Waits until every disk write queued so far has finished.
    public func flush() {
        diskQueue.sync(flags: .barrier) {}
    }

    /// Stops the workers after their current render; queued renders are answered as abandoned.
    public func stop() {
        let keys = state.withLock { state -> [TileCacheKey] in
            state.stopping = true
            let keys = state.pending.keys
            for key in keys { state.pending.remove(key) }
            return keys
        }
        for key in keys { land(key, .failure(.abandoned)) }
        wakeYielding()
        for _ in 0..<workerCount { workAvailable.signal() }
    }
}
