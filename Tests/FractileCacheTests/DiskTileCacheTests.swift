import Foundation
import Glibc
import Synchronization
import XCTest

@testable import FractileCache

/// Collects the cache's log lines.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var log: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }
    func count(containing text: String) -> Int { all.filter { $0.contains(text) }.count }
}

final class DiskTileCacheTests: XCTestCase {
    private var root = ""
    private let logs = LogRecorder()

    override func setUpWithError() throws {
        var template = Array((NSTemporaryDirectory() + "/fractile-disk-cache-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw XCTSkip("mkdtemp failed: \(errno)") }
        root = String(cString: made)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)  // best effort: the test has already passed or failed
    }

    // MARK: - Helpers

    private func key(_ y: Int, map: String = "mandelbrot", scale: Int = 1) -> TileCacheKey {
        TileCacheKey(map: map, settingsHash: "5eed-01", z: 2, x: 3, y: UInt128(y), scale: scale)
    }

    /// A distinct valid PNG per `y`, all of one size.
    private func tile(_ y: Int) -> [UInt8] { PNGFixture.png(width: 16, grey: UInt8(y % 256)) }

    private var tileSize: Int { tile(0).count }

    private func makeCache(
        capacity: Int = 1 << 20, directory: String? = nil, retry: Double = 300
    ) -> DiskTileCache {
        let cache = DiskTileCache(
            directory: directory ?? root, capacityBytes: capacity, writeRetryInterval: retry, log: logs.log)
        cache.waitForInitialScan()
        return cache
    }

    private func path(_ key: TileCacheKey) -> String { root + "/" + key.relativePath }

    private func fileBytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    /// Every regular file under `root`, relative, sorted.
    private func filesOnDisk() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root).filter { relative in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }

    private func setModified(_ path: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)], ofItemAtPath: path)
    }

    private func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    // MARK: - Round trip and layout

    func testPutThenGetRoundTripsAtTheDocumentedPath() throws {
        let cache = makeCache()
        cache.put(key(4), tile(4))
        cache.put(key(4, scale: 2), tile(5))

        XCTAssertEqual(fileBytes(root + "/mandelbrot/5eed-01/2/3/4.png"), tile(4))
        XCTAssertEqual(fileBytes(root + "/mandelbrot/5eed-01/2/3/4@2x.png"), tile(5))
        XCTAssertEqual(try filesOnDisk(), ["mandelbrot/5eed-01/2/3/4.png", "mandelbrot/5eed-01/2/3/4@2x.png"])
        XCTAssertEqual(cache.get(key(4)), tile(4))
        XCTAssertEqual(cache.get(key(4, scale: 2)), tile(5))
        XCTAssertNil(cache.get(key(9)))
        XCTAssertEqual(
            cache.statistics,
            CacheStatistics(hits: 2, misses: 1, evictions: 0, itemCount: 2, bytes: 2 * tileSize))
        XCTAssertTrue(cache.isWritable)
        XCTAssertEqual(logs.all, [])
    }

    func testRootDirectoryIsCreatedWhenMissing() throws {
        let nested = root + "/not/yet/there"
        let cache = makeCache(directory: nested + "/")
        cache.put(key(1), tile(1))
        XCTAssertEqual(fileBytes(nested + "/" + key(1).relativePath), tile(1))
        XCTAssertEqual(logs.all, [])
    }

    func testUnsafeKeysNeverTouchTheDisk() throws {
        let cache = makeCache()
        for map in ["..", "../escape", "a/b", "UPPER", ""] {
            cache.put(key(1, map: map), tile(1))
            XCTAssertNil(cache.get(key(1, map: map)))
        }
        XCTAssertEqual(try filesOnDisk(), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/../escape"))
    }

    func testTileLargerThanCapacityIsNotWritten() throws {
        let cache = makeCache(capacity: tileSize - 1)
        cache.put(key(1), tile(1))
        XCTAssertEqual(try filesOnDisk(), [])
        XCTAssertEqual(cache.statistics.evictions, 0)
    }

    // MARK: - Restart

    func testRestartFindsExistingTilesAndCountsTheirBytes() throws {
        let first = makeCache()
        for y in 0..<3 { first.put(key(y), tile(y)) }
        first.put(key(7, map: "julia"), PNGFixture.png(width: 100))

        let second = makeCache()
        XCTAssertEqual(second.statistics.itemCount, 4)
        XCTAssertEqual(second.statistics.bytes, 3 * tileSize + PNGFixture.png(width: 100).count)
        for y in 0..<3 { XCTAssertEqual(second.get(key(y)), tile(y)) }
    }

    func testRestartTakesModificationTimeAsRecency() throws {
        let first = makeCache()
        for y in 0..<3 { first.put(key(y), tile(y)) }
        try setModified(path(key(0)), secondsAgo: 100)  // newest
        try setModified(path(key(1)), secondsAgo: 300)  // oldest
        try setModified(path(key(2)), secondsAgo: 200)

        let second = makeCache(capacity: 3 * tileSize)
        XCTAssertEqual(second.relativePathsFromMostRecent, [0, 2, 1].map { key($0).relativePath })
        second.put(key(3), tile(3))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path(key(1))), "the oldest file is evicted")
        XCTAssertEqual(try filesOnDisk(), [0, 2, 3].map { key($0).relativePath })
    }

    func testScanPutsFoundFilesBehindTilesUsedSinceStartup() throws {
        let cache = makeCache()
        cache.put(key(0), tile(0))
        // Files the scan has not reached yet when the put happens, as in a long scan of a big tree.
        for y in 1...2 {
            try writeFile(path(key(y)), tile(y))
            try setModified(path(key(y)), secondsAgo: Double(10 * y))
        }
        try setModified(path(key(0)), secondsAgo: 1000)  // its mtime must not outrank the put's recency
        cache.scanDirectory()
        XCTAssertEqual(cache.relativePathsFromMostRecent, [0, 1, 2].map { key($0).relativePath })
        XCTAssertEqual(cache.statistics.bytes, 3 * tileSize)
    }

    func testScanEvictsDownToASmallerCapacity() throws {
        let first = makeCache()
        for y in 0..<5 {
            first.put(key(y), tile(y))
            try setModified(path(key(y)), secondsAgo: Double(100 - y))
        }
        let second = makeCache(capacity: 2 * tileSize)
        XCTAssertEqual(try filesOnDisk(), [3, 4].map { key($0).relativePath })
        XCTAssertEqual(second.statistics.bytes, 2 * tileSize)
        XCTAssertEqual(second.statistics.evictions, 3)
    }

    // MARK: - Corruption

    func testCorruptFilesAreDetectedDeletedLoggedAndMissed() throws {
        let cache = makeCache()
        var flipped = tile(1)
        flipped[flipped.count / 2] ^= 0x10
        let damaged: [(Int, [UInt8])] = [
            (0, Array(tile(0).prefix(tileSize - 5))),  // truncated
            (1, flipped),  // one flipped bit
            (2, Array("<html>502 Bad Gateway</html>".utf8)),  // garbage
            (3, []),  // empty
        ]
        for (y, bytes) in damaged {
            cache.put(key(y), tile(y))
            try writeFile(path(key(y)), bytes)
        }
        for (y, _) in damaged {
            XCTAssertNil(cache.get(key(y)))
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(key(y))), "deleted: \(y)")
            XCTAssertEqual(logs.count(containing: path(key(y))), 1, "one log line names \(path(key(y)))")
        }
        XCTAssertEqual(cache.statistics.corruptFiles, 4)
        XCTAssertEqual(cache.statistics.misses, 4)
        XCTAssertEqual(cache.statistics.itemCount, 0)
        XCTAssertEqual(cache.statistics.bytes, 0)

        cache.put(key(1), tile(1))  // the caller renders again
        XCTAssertEqual(cache.get(key(1)), tile(1))
    }

    func testCorruptFileWrittenByAnotherProcessIsDetected() throws {
        try writeFile(path(key(1)), Array(tile(1).dropLast()))
        let cache = makeCache()
        XCTAssertEqual(cache.statistics.itemCount, 1)
        XCTAssertNil(cache.get(key(1)))
        XCTAssertEqual(cache.statistics.itemCount, 0)
        XCTAssertEqual(try filesOnDisk(), [])
    }

    // MARK: - Eviction

    func testEvictionRemovesTheLeastRecentlyUsedAndStaysWithinCapacity() throws {
        let cache = makeCache(capacity: 3 * tileSize)
        for y in 0..<3 { cache.put(key(y), tile(y)) }
        XCTAssertNotNil(cache.get(key(0)))  // 1 is now the least recently used
        cache.put(key(3), tile(3))

        XCTAssertEqual(try filesOnDisk(), [0, 2, 3].map { key($0).relativePath })
        XCTAssertNil(cache.get(key(1)))
        XCTAssertEqual(cache.statistics.evictions, 1)
        XCTAssertEqual(cache.statistics.bytes, 3 * tileSize)

        for y in 4..<20 {
            cache.put(key(y), tile(y))
            XCTAssertLessThanOrEqual(cache.statistics.bytes, 3 * tileSize)
        }
        XCTAssertEqual(try filesOnDisk(), [17, 18, 19].map { key($0).relativePath })
    }

    func testTileFoundOnDiskButNotInTheIndexIsCounted() throws {
        let cache = makeCache(capacity: 2 * tileSize)
        try writeFile(path(key(1)), tile(1))  // e.g. a seeder process wrote it after the scan
        XCTAssertEqual(cache.get(key(1)), tile(1))
        XCTAssertEqual(cache.statistics.itemCount, 1)
        XCTAssertEqual(cache.statistics.bytes, tileSize)
    }

    func testFileLargerThanTheCapacityIsAMissNotARead() throws {
        let cache = makeCache(capacity: tileSize)
        try writeFile(path(key(1)), PNGFixture.png(width: 1000))  // written by a process with a larger capacity
        XCTAssertNil(cache.get(key(1)))
        XCTAssertEqual(logs.count(containing: "File too large"), 1, "\(logs.all)")
        XCTAssertEqual(cache.statistics.itemCount, 0)
    }

    // MARK: - Temporary files

    func testStaleTemporaryFilesAreRemovedAtStartupAndFreshOnesKept() throws {
        let tileDirectory = root + "/mandelbrot/5eed-01/2/3"
        try writeFile(tileDirectory + "/.tmp-99-1-dead", [1, 2, 3])
        try writeFile(root + "/.tmp-99-2-dead", [1])
        try writeFile(tileDirectory + "/.tmp-99-3-live", [4, 5, 6])
        try setModified(tileDirectory + "/.tmp-99-1-dead", secondsAgo: 120)
        try setModified(root + "/.tmp-99-2-dead", secondsAgo: 3600)
        try setModified(tileDirectory + "/.tmp-99-3-live", secondsAgo: 5)

        let cache = makeCache()
        XCTAssertEqual(try filesOnDisk(), ["mandelbrot/5eed-01/2/3/.tmp-99-3-live"])
        XCTAssertEqual(cache.statistics.itemCount, 0, "temporary files are not tiles")
        XCTAssertEqual(logs.count(containing: "removed 2 stale temporary files"), 1)
    }

    // MARK: - Degrading

    func testDirectoryThatIsARegularFileDegradesWithOneWarning() throws {
        let file = root + "/cache"
        try writeFile(file, [0])
        let cache = makeCache(directory: file)
        for y in 0..<5 { cache.put(key(y), tile(y)) }

        XCTAssertFalse(cache.isWritable)
        XCTAssertNil(cache.get(key(0)))
        XCTAssertEqual(logs.all.count, 1, "\(logs.all)")
        XCTAssertEqual(logs.count(containing: "disk cache at \(file) is not writable ("), 1)
        XCTAssertEqual(logs.count(containing: "): serving from memory only"), 1)
        XCTAssertEqual(try filesOnDisk(), ["cache"])
    }

    func testWriteFailureDegradesWithOneWarningAndCleansUp() throws {
        let cache = makeCache()
        // A regular file where the map's directory must go: mkdir fails with ENOTDIR for root as for anyone.
        try writeFile(root + "/julia", [0])
        for y in 0..<5 { cache.put(key(y, map: "julia"), tile(y)) }

        XCTAssertFalse(cache.isWritable)
        XCTAssertEqual(cache.statistics.writeFailures, 1, "writes are not tried again before the retry interval")
        XCTAssertEqual(logs.all.count, 1, "\(logs.all)")
        XCTAssertEqual(logs.count(containing: "is not writable"), 1)
        XCTAssertEqual(try filesOnDisk(), ["julia"])
    }

    func testReadOnlyDirectoryDegradesAndReadsKeepWorking() throws {
        let cache = makeCache()
        cache.put(key(1), tile(1))
        // Root ignores permission bits, but not the immutable attribute: creating anything inside fails with EPERM.
        guard run("/usr/bin/chattr", "+i", root) else { throw XCTSkip("chattr +i is not available here") }
        defer { _ = run("/usr/bin/chattr", "-i", root) }

        cache.put(key(2, map: "julia"), tile(2))
        cache.put(key(3, map: "julia"), tile(3))
        XCTAssertFalse(cache.isWritable)
        XCTAssertEqual(logs.all.count, 1, "\(logs.all)")
        XCTAssertEqual(logs.count(containing: "Operation not permitted): serving from memory only"), 1)
        XCTAssertEqual(cache.get(key(1)), tile(1), "reads keep working")
        XCTAssertNil(cache.get(key(2, map: "julia")))
    }

    func testWritesResumeAfterTheRetryInterval() throws {
        try writeFile(root + "/julia", [0])
        let cache = makeCache(retry: 0)
        cache.put(key(1, map: "julia"), tile(1))
        XCTAssertFalse(cache.isWritable)
        cache.put(key(1, map: "julia"), tile(1))  // the retry fails too: no second warning
        XCTAssertEqual(logs.count(containing: "is not writable"), 1)

        try FileManager.default.removeItem(atPath: root + "/julia")
        cache.put(key(1, map: "julia"), tile(1))
        XCTAssertTrue(cache.isWritable)
        XCTAssertEqual(cache.get(key(1, map: "julia")), tile(1))
        XCTAssertEqual(logs.count(containing: "is writable again"), 1)
        XCTAssertEqual(cache.statistics.writeFailures, 2)
    }

    private func run(_ executable: String, _ arguments: String...) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    // MARK: - Concurrency

    func testConcurrentPutsOfTheSameKeyLeaveOneValidFile() throws {
        let cache = makeCache()
        let bytes = tile(1)
        let key = key(1)
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            cache.put(key, bytes)
        }
        XCTAssertEqual(try filesOnDisk(), [key.relativePath], "one file and no temporary files")
        XCTAssertEqual(cache.get(key), bytes)
        XCTAssertEqual(cache.statistics.itemCount, 1)
        XCTAssertEqual(cache.statistics.bytes, bytes.count)
        XCTAssertEqual(logs.all, [])
    }

    func testTwoCachesOnOneDirectoryShareItSafely() throws {
        // Two replicas (or a server and a seeder) writing and reading the same tree at once.
        let caches = [makeCache(), makeCache()]
        let keys = (0..<40).map { key($0) }
        let tiles = (0..<40).map { tile($0) }
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let cache = caches[worker % 2]
            for y in 0..<40 {
                cache.put(keys[y], tiles[y])
                if let found = cache.get(keys[(y * 7 + worker) % 40]) {
                    XCTAssertNil(PNGStructure.problem(in: found))
                }
            }
        }
        XCTAssertEqual(try filesOnDisk(), (0..<40).map { key($0).relativePath }.sorted())
        XCTAssertEqual(caches[0].statistics.corruptFiles + caches[1].statistics.corruptFiles, 0)
        XCTAssertEqual(logs.all, [])
    }

    func testConcurrentPutsAndGetsKeepTheIndexEqualToTheFiles() throws {
        let cache = makeCache(capacity: 10 * tileSize)
        let keys = (0..<30).map { key($0) }
        let tiles = (0..<30).map { tile($0) }
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for step in 0..<60 {
                let y = (step * 13 + worker * 5) % 30
                if step % 3 == 0 {
                    _ = cache.get(keys[y])
                } else {
                    cache.put(keys[y], tiles[y])
                }
            }
        }
        let files = try filesOnDisk()
        XCTAssertFalse(files.contains { $0.contains(".tmp-") })
        XCTAssertLessThanOrEqual(cache.statistics.bytes, 10 * tileSize)
        // Every indexed tile is on disk (an eviction racing a put of the same key may leave a file unindexed,
        // which the next get re-adds; it never leaves an indexed tile without its file).
        XCTAssertTrue(Set(cache.relativePathsFromMostRecent).isSubset(of: Set(files)))
    }
}
