import Synchronization

/// Tiles in memory, bounded in bytes with least-recently-used eviction. O(1) `get` and `put`; safe under concurrency
/// (one lock around each operation; evicted arrays are released after the lock is dropped).
///
/// Byte accounting counts only `bytes.count` of each tile: the bookkeeping per entry (a dictionary slot and a
/// list node, roughly 100 bytes) is not counted, so `bytes` never exceeds `capacityBytes` and tests can check it exactly.
public final class MemoryTileCache: Sendable {
    private struct State {
        var entries = LRUList<TileCacheKey, [UInt8]>()
        var hits = 0
        var misses = 0
        var evictions = 0
    }

    /// The most tile bytes kept; also the largest tile stored.
    public let capacityBytes: Int
    private let state = Mutex(State())

    public init(capacityBytes: Int) {
        self.capacityBytes = max(0, capacityBytes)
    }

    /// The stored array (copy-on-write, no copy) marked most recently used, or nil.
    public func get(_ key: TileCacheKey) -> [UInt8]? {
        state.withLock { state in
            if let bytes = state.entries.touch(key) {
                state.hits += 1
                return bytes
            }
            state.misses += 1
            return nil
        }
    }

    /// Stores `bytes` as most recently used and evicts least recently used tiles until within capacity.
    /// A tile larger than the whole capacity is not stored (and any older value for the key is dropped).
    public func put(_ key: TileCacheKey, _ bytes: [UInt8]) {
        let capacity = capacityBytes
        // The replaced and evicted arrays are returned and so freed after the lock is dropped:
        // freeing large arrays is the slow part of an eviction.
        _ = state.withLock { state -> [[UInt8]] in
            guard bytes.count <= capacity else {
                return state.entries.remove(key).map { [$0.value] } ?? []
            }
            var released: [[UInt8]] = []
            if let replaced = state.entries.insertAsNewest(key, bytes, size: bytes.count) {
                released.append(replaced)
            }
            while state.entries.totalSize > capacity, let evicted = state.entries.removeOldest() {
                state.evictions += 1
                released.append(evicted.value)
            }
            return released
        }
    }

    public var statistics: CacheStatistics {
        state.withLock { state in
            CacheStatistics(
                hits: state.hits, misses: state.misses, evictions: state.evictions,
                itemCount: state.entries.count, bytes: state.entries.totalSize
            )
        }
    }

    /// Keys from most to least recently used (O(n); for tests and diagnostics).
    var keysFromMostRecent: [TileCacheKey] {
        state.withLock { $0.entries.keysFromNewest }
    }
}
