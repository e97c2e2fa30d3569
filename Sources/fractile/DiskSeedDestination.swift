import FractileCache
import FractileConfig
import FractileRender
import FractileServer

/// Seeding into the disk cache: exactly the files the server reads (same keys, same atomic writes).
final class DiskSeedDestination: SeedDestination {
    let map: MapDefinition
    let disk: DiskTileCache

    init(map: MapDefinition, cache: CacheSettings, log: @escaping @Sendable (String) -> Void) {
        self.map = map
        self.disk = DiskTileCache(directory: cache.directory, capacityBytes: cache.diskBytes, log: log)
    }

    var name: String { disk.directory }

    func prepare() {
        disk.waitForInitialScan()  // so the size bound counts every tile already there
    }

    func contains(_ tile: TileCoordinate) -> Bool {
        disk.get(TilePipeline.cacheKey(map, tile)) != nil
    }

    func write(_ tile: TileCoordinate, _ bytes: [UInt8]) -> String? {
        let failuresBefore = disk.statistics.writeFailures
        disk.put(TilePipeline.cacheKey(map, tile), bytes)
        let written = disk.statistics.writeFailures == failuresBefore && disk.isWritable
        return written ? nil : "could not write tile \(tile) under \(disk.directory) (see the line above)"
    }

    func finish() -> String? { nil }

    /// DiskTileCache writes a temporary file and renames it, and the run's write lock is held: nothing to undo.
    func abandon() {}

    var warning: String? {
        let evictions = disk.statistics.evictions
        return evictions > 0
            ? "warning: \(evictions) tiles evicted to stay within \(disk.capacityBytes) bytes (raise cache.diskBytes)"
            : nil
    }
}
