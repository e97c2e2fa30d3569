import FractileCache
import FractileConfig
import FractileHTTP
import FractileRender
import Foundation

/// The whole server assembled from a configuration: the caches and the `TilePipeline`, the `RouteHandler` that
/// answers each route, and the `HTTPServer` (sockets, event loops) that carries it. `fractile serve` makes one.
public final class ServerAssembly: Sendable {
    public let configuration: FractileConfiguration
    public let metrics = ServerMetrics()
    public let tiles: TilePipeline
    /// Probes and any other computation a route asks for, off the event loops (`WorkPool.respond`).
    public let computeWork: WorkPool
    /// Static-file reads, off the event loops.
    public let fileWork: WorkPool
    /// Zoom video jobs (`POST /videos`), one at a time.
    public let videos: VideoJobs
    private let http: HTTPServer

    /// `log` gets warnings and notices (one line each); access-log lines go to `accessLog` in batches (standard output
    /// by default) when `server.accessLog` is on.
    public init(configuration: FractileConfiguration, archives: TileArchiveSet? = nil, log: @escaping @Sendable (String) -> Void = ServerLog.warning,
                accessLog: HTTPAccessLogOutput? = .fileDescriptor(STDOUT_FILENO)) {
        self.configuration = configuration
        let memory = MemoryTileCache(capacityBytes: configuration.cache.memoryBytes)
        let disk = configuration.cache.diskBytes > 0
            ? DiskTileCache(directory: configuration.cache.directory, capacityBytes: configuration.cache.diskBytes,
                            staleTemporaryFileAge: Self.staleTemporaryFileAge(), log: log)
            : nil
        let renderer = TileRenderer(threads: configuration.render.threads)
        // As many renders per client at once as render threads: under load each tile renders on one worker, so the
        // fair share decides who gets the cores (the pipeline has as many workers again for the other clients).
        let tiles = TilePipeline(memoryCache: memory, diskCache: disk, renderer: renderer, metrics: metrics,
                                queueLimit: configuration.render.queueLimit, workers: renderer.threads,
                                archives: archives)
        self.tiles = tiles
        let server = configuration.server
        var httpConfiguration = HTTPServerConfiguration()
        httpConfiguration.host = server.host
        httpConfiguration.port = server.port
        httpConfiguration.headerTimeout = server.headerTimeoutSeconds
        httpConfiguration.idleTimeout = server.idleTimeoutSeconds
        httpConfiguration.maxConnections = server.maxConnections
        if server.accessLog { httpConfiguration.accessLogOutput = accessLog }
        httpConfiguration.errorLog = { message in log(message) }
        let metrics = self.metrics
        let box = ServerBox()
        // One thread per core for computation (the threads run below the event loops' priority); two for files.
        let computeWork = WorkPool(name: "compute", threads: ProcessInfo.processInfo.activeProcessorCount, queueLimit: 64)
        let fileWork = WorkPool(name: "file", threads: 2, queueLimit: 256)
        self.computeWork = computeWork
        self.fileWork = fileWork
        let videos = VideoJobs(disk: disk)
        self.videos = videos
        let application = RouteHandler(configuration: configuration, tiles: tiles, metrics: metrics, videos: videos,
                                       probeWork: computeWork, fileWork: fileWork) {
            let memoryStatistics = memory.statistics
            let diskStatistics = disk?.statistics
            return ServerMetrics.Gauges(
                queueDepth: tiles.queueDepth, rendersInProgress: tiles.rendersInProgress,
                memoryCacheBytes: memoryStatistics.bytes, memoryCacheItems: memoryStatistics.itemCount,
                diskCacheBytes: diskStatistics?.bytes ?? 0, diskCacheItems: diskStatistics?.itemCount ?? 0,
                openConnections: box.server?.openConnectionCount ?? 0, queueCapacity: tiles.queueLimit,
                pools: [computeWork.snapshot, fileWork.snapshot])
        }
        self.http = HTTPServer(configuration: httpConfiguration, handler: application)
        box.server = http
    }

    /// Seconds after which the startup scan deletes `.tmp-` files left by a killed writer: 60, or
    /// `FRACTILE_CACHE_STALE_TEMP_SECONDS` (a non-negative number) so crash tests need not wait a minute.
    static func staleTemporaryFileAge(environment: [String: String] = ProcessInfo.processInfo.environment) -> Double {
        guard let text = environment["FRACTILE_CACHE_STALE_TEMP_SECONDS"], let seconds = Double(text),
              seconds.isFinite, seconds >= 0 else { return 60 }
        return seconds
    }

    /// Binds and starts serving; returns the port actually bound (the configured one, or a free one for port 0).
    public func start() throws -> Int {
        try http.start()
    }

    /// Stops accepting, finishes in-flight responses, stops render workers.
    public func shutdown(gracePeriod: Double = 10) {
        http.shutdown(gracePeriod: gracePeriod)
        computeWork.stop()
        fileWork.stop()
        tiles.stop()
        tiles.flush()
        videos.removeAll()
    }
}

/// Breaks the cycle between the server and the gauges closure that reads its connection count.
private final class ServerBox: @unchecked Sendable {
    var server: HTTPServer?
}
