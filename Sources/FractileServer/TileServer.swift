import FractileCache
import FractileConfig
import FractileHTTP
import FractileRender
import Foundation

/// A whole fractile server built from a configuration: caches, render workers, the HTTP layer.
public final class TileServer: Sendable {
    public let configuration: FractileConfiguration
    public let metrics = ServerMetrics()
    public let tiles: TileService
    public let videos: VideoJobs
    private let http: HTTPServer

    /// `log` gets warnings and notices (one line each); access-log lines go to `accessLog`.
    public init(configuration: FractileConfiguration, archives: TileArchiveSet? = nil,
                log: @escaping @Sendable (String) -> Void = ServerLog.warning,
                accessLog: (@Sendable (String) -> Void)? = ServerLog.access) {
        self.configuration = configuration
        let memory = MemoryTileCache(capacityBytes: configuration.cache.memoryBytes)
        let disk = configuration.cache.diskBytes > 0
            ? DiskTileCache(directory: configuration.cache.directory, capacityBytes: configuration.cache.diskBytes,
                            staleTemporaryFileAge: Self.staleTemporaryFileAge(), log: log)
            : nil
        let renderer = TileRenderer(threads: configuration.render.threads)
        // Two tiles in flight per core's worth of threads: while one tile is being encoded (single-threaded), the
        // other keeps every core busy rendering.
        let tiles = TileService(memoryCache: memory, diskCache: disk, renderer: renderer, metrics: metrics,
                                queueLimit: configuration.render.queueLimit, workers: 2, archives: archives)
        self.tiles = tiles
        let server = configuration.server
        var httpConfiguration = HTTPServerConfiguration()
        httpConfiguration.host = server.host
        httpConfiguration.port = server.port
        httpConfiguration.headerTimeout = server.headerTimeoutSeconds
        httpConfiguration.idleTimeout = server.idleTimeoutSeconds
        httpConfiguration.maxConnections = server.maxConnections
        if server.accessLog, let accessLog {
            httpConfiguration.accessLog = { record in accessLog(record.line) }
        }
        let metrics = self.metrics
        let box = ServerBox()
        let videos = VideoJobs(disk: disk)
        self.videos = videos
        let application = TileServerApplication(configuration: configuration, tiles: tiles, metrics: metrics,
                                                videos: videos) {
            let memoryStatistics = memory.statistics
            let diskStatistics = disk?.statistics
            return ServerMetrics.Gauges(
                queueDepth: tiles.queueDepth, rendersInProgress: tiles.rendersInProgress,
                memoryCacheBytes: memoryStatistics.bytes, memoryCacheItems: memoryStatistics.itemCount,
                diskCacheBytes: diskStatistics?.bytes ?? 0, diskCacheItems: diskStatistics?.itemCount ?? 0,
                openConnections: box.server?.openConnectionCount ?? 0)
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
        tiles.stop()
        tiles.flush()
        videos.removeAll()
    }
}

/// Breaks the cycle between the server and the gauges closure that reads its connection count.
private final class ServerBox: @unchecked Sendable {
    var server: HTTPServer?
}
