import Dispatch
import XCTest

@testable import FractileCache

final class MemoryTileCacheTests: XCTestCase {
    private func key(_ y: Int, map: String = "mandelbrot") -> TileCacheKey {
        TileCacheKey(map: map, settingsHash: "abc123", z: 3, x: 1, y: UInt128(y), scale: 1)
    }

    private func bytes(_ count: Int, _ fill: UInt8 = 7) -> [UInt8] {
        [UInt8](repeating: fill, count: count)
    }

    func testGetReturnsWhatWasPut() {
        let cache = MemoryTileCache(capacityBytes: 1000)
        XCTAssertNil(cache.get(key(0)))
        cache.put(key(0), bytes(10, 1))
        XCTAssertEqual(cache.get(key(0)), bytes(10, 1))
        cache.put(key(0), bytes(20, 2))
        XCTAssertEqual(cache.get(key(0)), bytes(20, 2))
        XCTAssertEqual(cache.statistics, CacheStatistics(hits: 2, misses: 1, evictions: 0, itemCount: 1, bytes: 20))
    }

    func testEvictsLeastRecentlyUsedAndGetRefreshes() {
        let cache = MemoryTileCache(capacityBytes: 30)
        cache.put(key(0), bytes(10))
        cache.put(key(1), bytes(10))
        cache.put(key(2), bytes(10))
        XCTAssertEqual(cache.keysFromMostRecent, [key(2), key(1), key(0)])

        XCTAssertNotNil(cache.get(key(0)))  // 0 becomes the most recent; 1 is now the oldest
        XCTAssertEqual(cache.keysFromMostRecent, [key(0), key(2), key(1)])

        cache.put(key(3), bytes(10))
        XCTAssertNil(cache.get(key(1)))
        XCTAssertNotNil(cache.get(key(0)))
        XCTAssertNotNil(cache.get(key(2)))
        XCTAssertNotNil(cache.get(key(3)))
        XCTAssertEqual(cache.statistics.evictions, 1)
    }

    func testByteBoundIsRespectedExactly() {
        let cache = MemoryTileCache(capacityBytes: 100)
        cache.put(key(0), bytes(40))
        cache.put(key(1), bytes(60))
        XCTAssertEqual(cache.statistics.bytes, 100)  // exactly at capacity: nothing evicted
        XCTAssertEqual(cache.statistics.evictions, 0)

        cache.put(key(2), bytes(1))  // one byte over: the oldest (40) goes
        XCTAssertEqual(cache.statistics.bytes, 61)
        XCTAssertNil(cache.get(key(0)))

        cache.put(key(3), bytes(100))  // fills the whole capacity: everything else goes
        XCTAssertEqual(cache.statistics.bytes, 100)
        XCTAssertEqual(cache.statistics.itemCount, 1)
        XCTAssertEqual(cache.statistics.evictions, 3)
    }

    func testReplacingAKeyAccountsOnlyTheNewSize() {
        let cache = MemoryTileCache(capacityBytes: 100)
        cache.put(key(0), bytes(90))
        cache.put(key(0), bytes(30))
        XCTAssertEqual(cache.statistics.bytes, 30)
        XCTAssertEqual(cache.statistics.itemCount, 1)
        XCTAssertEqual(cache.statistics.evictions, 0)
    }

    func testOversizeItemIsNotStored() {
        let cache = MemoryTileCache(capacityBytes: 50)
        cache.put(key(0), bytes(10))
        cache.put(key(1), bytes(51))
        XCTAssertNil(cache.get(key(1)))
        XCTAssertNotNil(cache.get(key(0)), "an oversize put must not evict anything")
        XCTAssertEqual(cache.statistics.bytes, 10)

        // An oversize value for a stored key drops the old value rather than serving it.
        cache.put(key(0), bytes(51))
        XCTAssertNil(cache.get(key(0)))
        XCTAssertEqual(cache.statistics.itemCount, 0)
        XCTAssertEqual(cache.statistics.bytes, 0)
    }

    func testZeroCapacityStoresNoBytes() {
        let cache = MemoryTileCache(capacityBytes: 0)
        cache.put(key(0), bytes(1))
        XCTAssertNil(cache.get(key(0)))
        XCTAssertEqual(cache.statistics.bytes, 0)
    }

    func testStatisticsCountHitsMissesAndEvictions() {
        let cache = MemoryTileCache(capacityBytes: 20)
        _ = cache.get(key(0))
        cache.put(key(0), bytes(10))
        cache.put(key(1), bytes(10))
        _ = cache.get(key(0))
        _ = cache.get(key(1))
        cache.put(key(2), bytes(10))  // evicts 0
        _ = cache.get(key(0))
        XCTAssertEqual(cache.statistics, CacheStatistics(hits: 2, misses: 2, evictions: 1, itemCount: 2, bytes: 20))
    }

    func testSlotsAreReusedAfterManyEvictions() {
        let cache = MemoryTileCache(capacityBytes: 30)
        for y in 0..<10_000 {
            cache.put(key(y), bytes(10, UInt8(truncatingIfNeeded: y)))
        }
        XCTAssertEqual(cache.keysFromMostRecent, [key(9999), key(9998), key(9997)])
        XCTAssertEqual(cache.get(key(9998)), bytes(10, UInt8(truncatingIfNeeded: 9998)))
        XCTAssertEqual(cache.statistics.evictions, 10_000 - 3)
    }

    func testConcurrentGetAndPutKeepInvariants() {
        let capacity = 5_000
        let cache = MemoryTileCache(capacityBytes: capacity)
        let keys = (0..<200).map { key($0, map: "m\($0 % 5)") }
        @Sendable func size(of index: Int) -> Int { 10 + index * 7 % 190 }
        // Each worker's operations, drawn up front: (is a put, key index).
        let workers: [[(put: Bool, index: Int)]] = (0..<16).map { worker in
            var random = UInt64(worker + 1)
            return (0..<5_000).map { _ in
                random = random &* 6364136223846793005 &+ 1442695040888963407
                return (random >> 63 == 0, Int(random >> 33) % keys.count)
            }
        }

        DispatchQueue.concurrentPerform(iterations: workers.count) { worker in
            for (put, index) in workers[worker] {
                if put {
                    cache.put(keys[index], [UInt8](repeating: UInt8(index % 256), count: size(of: index)))
                } else if let found = cache.get(keys[index]) {
                    // A hit returns exactly what was put for that key: never another key's bytes.
                    XCTAssertEqual(found.count, size(of: index))
                    XCTAssertEqual(found.first, UInt8(index % 256))
                }
            }
        }

        let statistics = cache.statistics
        let stored = Set(cache.keysFromMostRecent)
        let storedIndices = keys.indices.filter { stored.contains(keys[$0]) }
        XCTAssertEqual(statistics.itemCount, storedIndices.count)
        XCTAssertEqual(statistics.bytes, storedIndices.map(size(of:)).reduce(0, +))
        XCTAssertLessThanOrEqual(statistics.bytes, capacity)
        let gets = workers.joined().filter { !$0.put }.count
        XCTAssertEqual(statistics.hits + statistics.misses, gets)
        XCTAssertGreaterThan(statistics.hits, 0)
        XCTAssertGreaterThan(statistics.evictions, 0)
    }
}
