import Synchronization

/// Counters and gauges of the running server, written out in the Prometheus text exposition format.
public final class ServerMetrics: Sendable {
    /// Upper bounds of the render-time histogram, in seconds.
    static let renderBuckets: [Double] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var cacheHits: [String: Int] = ["memory": 0, "disk": 0]
        var cacheMisses: [String: Int] = ["memory": 0, "disk": 0]
        var renders = 0
        var renderBucketCounts = [Int](repeating: 0, count: ServerMetrics.renderBuckets.count)
        var renderSecondsSum = 0.0
        var rendersRejected = 0
        var rendersDropped = 0
        var rendersCoalesced = 0
    }

    private struct RequestKey: Hashable, Comparable {
        let route: String
        let status: Int
        static func < (a: RequestKey, b: RequestKey) -> Bool { (a.route, a.status) < (b.route, b.status) }
    }

    private let state = Mutex(State())
    /// The two counts a cached tile moves, kept out of the lock: they are bumped on every warm request.
    private let tilesOK = Atomic<Int>(0)
    private let memoryHits = Atomic<Int>(0)

    public init() {}

    public func countRequest(route: String, status: Int) {
        if status == 200 && route == "tile" {
            tilesOK.wrappingAdd(1, ordering: .relaxed)
            return
        }
        state.withLock { $0.requests[RequestKey(route: route, status: status), default: 0] += 1 }
    }

    /// A lookup in the "memory" or "disk" cache layer.
    public func countCacheLookup(layer: String, hit: Bool) {
        if hit && layer == "memory" {
            memoryHits.wrappingAdd(1, ordering: .relaxed)
            return
        }
        state.withLock {
            if hit { $0.cacheHits[layer, default: 0] += 1 } else { $0.cacheMisses[layer, default: 0] += 1 }
        }
    }

    public func countRender(seconds: Double) {
        state.withLock {
            $0.renders += 1
            $0.renderSecondsSum += seconds
            if let bucket = Self.renderBuckets.firstIndex(where: { seconds <= $0 }) { $0.renderBucketCounts[bucket] += 1 }
        }
    }

    /// A render refused because the queue was full (answered 503).
    public func countRenderRejected() { state.withLock { $0.rendersRejected += 1 } }
    /// A queued render dropped because every client that wanted it had gone.
    public func countRenderDropped() { state.withLock { $0.rendersDropped += 1 } }
    /// A request that joined a render already queued or running for the same tile.
    public func countRenderCoalesced() { state.withLock { $0.rendersCoalesced += 1 } }

    public var renderCount: Int { state.withLock { $0.renders } }

    /// Values read at scrape time from the parts that own them.
    public struct Gauges: Sendable {
        public var queueDepth: Int
        public var rendersInProgress: Int
        public var memoryCacheBytes: Int
        public var memoryCacheItems: Int
        public var diskCacheBytes: Int
        public var diskCacheItems: Int
        public var openConnections: Int
        /// The most renders that may wait (`render.queueLimit`).
        public var queueCapacity: Int
        /// The work pools off the event loops (compute: probes and `/dimension`; file: static files).
        public var pools: [WorkPool.Snapshot]

        public init(queueDepth: Int, rendersInProgress: Int, memoryCacheBytes: Int, memoryCacheItems: Int,
                    diskCacheBytes: Int, diskCacheItems: Int, openConnections: Int, queueCapacity: Int = 0,
                    pools: [WorkPool.Snapshot] = []) {
            self.queueCapacity = queueCapacity
            self.pools = pools
            self.queueDepth = queueDepth
            self.rendersInProgress = rendersInProgress
            self.memoryCacheBytes = memoryCacheBytes
            self.memoryCacheItems = memoryCacheItems
            self.diskCacheBytes = diskCacheBytes
            self.diskCacheItems = diskCacheItems
            self.openConnections = openConnections
        }
    }

    public func exposition(_ gauges: Gauges) -> String {
        var snapshot = state.withLock { $0 }
        let tilesOK = tilesOK.load(ordering: .relaxed)
        if tilesOK > 0 { snapshot.requests[RequestKey(route: "tile", status: 200), default: 0] += tilesOK }
        snapshot.cacheHits["memory", default: 0] += memoryHits.load(ordering: .relaxed)
        var text = ""
        func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ type: String, _ help: String, _ value: Int) {
            family(name, type, help)
            text += "\(name) \(value)\n"
        }
        family("fractile_http_requests_total", "counter", "HTTP requests answered, by route and status.")
        for (key, count) in snapshot.requests.sorted(by: { $0.key < $1.key }) {
            text += "fractile_http_requests_total{route=\"\(key.route)\",status=\"\(key.status)\"} \(count)\n"
        }
        family("fractile_cache_hits_total", "counter", "Tile cache hits, by layer.")
        for (layer, count) in snapshot.cacheHits.sorted(by: { $0.key < $1.key }) {
            text += "fractile_cache_hits_total{layer=\"\(layer)\"} \(count)\n"
        }
        family("fractile_cache_misses_total", "counter", "Tile cache misses, by layer.")
        for (layer, count) in snapshot.cacheMisses.sorted(by: { $0.key < $1.key }) {
            text += "fractile_cache_misses_total{layer=\"\(layer)\"} \(count)\n"
        }
        sample("fractile_renders_total", "counter", "Tiles rendered.", snapshot.renders)
        family("fractile_render_seconds", "histogram", "Time to render and encode one tile.")
        var cumulative = 0
        for (bound, count) in zip(Self.renderBuckets, snapshot.renderBucketCounts) {
            cumulative += count
            text += "fractile_render_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        text += "fractile_render_seconds_bucket{le=\"+Inf\"} \(snapshot.renders)\n"
        text += "fractile_render_seconds_sum \(snapshot.renderSecondsSum)\n"
        text += "fractile_render_seconds_count \(snapshot.renders)\n"
        sample("fractile_renders_rejected_total", "counter", "Renders refused with 503 because the queue was full.",
               snapshot.rendersRejected)
        sample("fractile_renders_dropped_total", "counter", "Queued renders dropped because their clients had gone.",
               snapshot.rendersDropped)
        sample("fractile_renders_coalesced_total", "counter", "Requests that shared a render of the same tile.",
               snapshot.rendersCoalesced)
        sample("fractile_render_queue_depth", "gauge", "Renders waiting for a worker.", gauges.queueDepth)
        sample("fractile_render_queue_capacity", "gauge", "Renders that may wait before new ones are refused (503).",
               gauges.queueCapacity)
        sample("fractile_renders_in_progress", "gauge", "Renders running now.", gauges.rendersInProgress)
        func poolFamily(_ name: String, _ type: String, _ help: String, _ value: (WorkPool.Snapshot) -> Int) {
            family(name, type, help)
            for pool in gauges.pools { text += "\(name){pool=\"\(pool.name)\"} \(value(pool))\n" }
        }
        poolFamily("fractile_work_queue_depth", "gauge", "Jobs waiting for a thread of a work pool off the event loops.",
                   \.queueDepth)
        poolFamily("fractile_work_queue_capacity", "gauge", "Jobs that may wait in a work pool before new ones get 503.",
                   \.queueLimit)
        poolFamily("fractile_work_busy_threads", "gauge", "Threads of a work pool running a job now.", \.busy)
        poolFamily("fractile_work_threads", "gauge", "Threads of a work pool.", \.threads)
        poolFamily("fractile_work_rejected_total", "counter", "Jobs refused with 503 because the pool's queue was full.",
                   \.rejected)
        family("fractile_cache_bytes", "gauge", "Bytes of tiles held, by layer.")
        text += "fractile_cache_bytes{layer=\"memory\"} \(gauges.memoryCacheBytes)\n"
        text += "fractile_cache_bytes{layer=\"disk\"} \(gauges.diskCacheBytes)\n"
        family("fractile_cache_items", "gauge", "Tiles held, by layer.")
        text += "fractile_cache_items{layer=\"memory\"} \(gauges.memoryCacheItems)\n"
        text += "fractile_cache_items{layer=\"disk\"} \(gauges.diskCacheItems)\n"
        sample("fractile_open_connections", "gauge", "Client connections open now.", gauges.openConnections)
        return text
    }
}
