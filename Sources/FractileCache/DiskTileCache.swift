import Dispatch
import Glibc
import Synchronization

/// Tiles as files under `directory/<map>/<settingsHash>/<z>/<x>/<y>[@2x].png`, bounded in bytes with
/// least-recently-used eviction, shared safely with other processes (server replicas, a seeder) writing
/// the same tree: every write goes to a `.tmp-` file in the tile's own directory and is renamed into place.
///
/// It degrades and never fails: a corrupt file is deleted and reported as a miss; a read-only or full disk
/// turns writes off (one warning line) and they are tried again after `writeRetryInterval`; reads keep working.
///
/// The byte bound covers the files this process knows of: those found by the startup scan (which runs in the
/// background; until it finishes `statistics.bytes` counts only what is known so far), those it wrote and
/// those it read. Recency lives in memory only: a read does not touch the file.
public final class DiskTileCache: Sendable {
    struct State {
        var index = LRUList<String, Void>()
        var statistics = CacheStatistics()
        var isWritable = true
        /// When writes were last found to fail or last retried (`DispatchTime` uptime nanoseconds).
        var unwritableSince: UInt64 = 0
        /// Paths removed while the startup scan runs, so the scan does not add them back; nil once it is done.
        var removedDuringScan: Set<String>? = []
    }

    /// The cache's root, without a trailing slash; created with its parents on the first put.
    public let directory: String
    /// The most bytes of tile files this process keeps; also the largest tile it stores.
    public let capacityBytes: Int
    /// Seconds after a failed write before writes are tried again.
    public let writeRetryInterval: Double
    /// Seconds after which a `.tmp-` file left by a killed writer is deleted by the startup scan.
    public let staleTemporaryFileAge: Double
    let log: @Sendable (String) -> Void
    let state = Mutex(State())
    private let temporaryFileCounter = Atomic<Int>(0)
    private let processID = getpid()
    private let scan = DispatchGroup()

    /// Starts the scan of `directory` on a background queue; nothing here blocks or throws.
    public init(
        directory: String, capacityBytes: Int, writeRetryInterval: Double = 300, staleTemporaryFileAge: Double = 60,
        log: @escaping @Sendable (String) -> Void
    ) {
        var directory = directory.isEmpty ? "." : directory
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        self.directory = directory
        self.capacityBytes = max(0, capacityBytes)
        self.writeRetryInterval = writeRetryInterval
        self.staleTemporaryFileAge = staleTemporaryFileAge
        self.log = log
        DispatchQueue.global(qos: .utility).async(group: scan) { [self] in
            scanDirectory()
        }
    }

    /// Blocks until the startup scan has finished (tests, and a seeder that wants exact statistics).
    public func waitForInitialScan() {
        scan.wait()
    }

    /// The tile's bytes if its file exists and is a structurally valid PNG; otherwise nil, and a corrupt
    /// file is deleted, logged and counted so the caller renders and puts the tile again.
    public func get(_ key: TileCacheKey) -> [UInt8]? {
        guard key.isSafeForPath else {
            state.withLock { $0.statistics.misses += 1 }
            return nil
        }
        let relativePath = key.relativePath
        let path = directory + "/" + relativePath
        let file: (bytes: [UInt8], identity: POSIXFile.Identity)
        do {
            file = try POSIXFile.read(path, maximumBytes: capacityBytes)
        } catch {
            if error.code != ENOENT && error.code != ENOTDIR {
                log("disk cache: could not read tile (\(error))")
            }
            state.withLock { state in
                state.statistics.misses += 1
                forget(relativePath, in: &state)
            }
            return nil
        }
        if let problem = PNGStructure.problem(in: file.bytes) {
            deleteCorruptFile(path, relativePath: relativePath, identity: file.identity, problem: problem)
            return nil
        }
        let victims = state.withLock { state in
            state.statistics.hits += 1
            return record(relativePath, size: file.bytes.count, in: &state)
        }
        remove(victims)
        return file.bytes
    }

    /// Writes the tile (atomically, via a temporary file and rename) and evicts least recently used files until
    /// within capacity. A tile larger than the capacity, an unsafe key, or a disk found not writable: no-op.
    public func put(_ key: TileCacheKey, _ bytes: [UInt8]) {
        guard key.isSafeForPath, bytes.count <= capacityBytes, let attempt = writeAttempt() else { return }
        let relativePath = key.relativePath
        let tileDirectory = directory + "/" + key.relativeDirectoryComponents.joined(separator: "/")
        do {
            try write(bytes, to: directory + "/" + relativePath, in: tileDirectory)
        } catch {
            recordWriteFailure(error)
            return
        }
        let (victims, becameWritable) = state.withLock { state in
            // Only a retry turns writes back on: a write already under way when they turned off proves little.
            let becameWritable = attempt == .retry && !state.isWritable
            if becameWritable { state.isWritable = true }
            return (record(relativePath, size: bytes.count, in: &state), becameWritable)
        }
        if becameWritable {
            log("disk cache at \(directory) is writable again")
        }
        remove(victims)
    }

    public var statistics: CacheStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.itemCount = state.index.count
            statistics.bytes = state.index.totalSize
            return statistics
        }
    }

    /// False after a write failed because the disk is read-only, full or not permitted; writes are then
    /// skipped until `writeRetryInterval` has passed and one succeeds again.
    public var isWritable: Bool {
        state.withLock { $0.isWritable }
    }

    /// Relative paths from most to least recently used (O(n); for tests and diagnostics).
    var relativePathsFromMostRecent: [String] {
        state.withLock { $0.index.keysFromNewest }
    }

    // MARK: - Writing

    private func write(_ bytes: [UInt8], to path: String, in tileDirectory: String) throws(FileSystemError) {
        let counter = temporaryFileCounter.add(1, ordering: .relaxed).newValue
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        let temporaryPath = "\(tileDirectory)/.tmp-\(processID)-\(counter)-\(random)"
        do {
            try POSIXFile.writeAtomically(bytes, to: path, via: temporaryPath)
        } catch where error.code == ENOENT {
            // First tile in this directory: create it (and any parents) and try once more.
            try POSIXFile.makeDirectories(tileDirectory)
            try POSIXFile.writeAtomically(bytes, to: path, via: temporaryPath)
        }
    }

    private enum WriteAttempt { case normal, retry }

    /// Whether to attempt a write: always while writable; when not, one retry per `writeRetryInterval`.
    private func writeAttempt() -> WriteAttempt? {
        let now = DispatchTime.now().uptimeNanoseconds
        return state.withLock { state in
            if state.isWritable { return .normal }
            // Another thread may have stamped a later time since `now` was read: no unsigned underflow.
            let elapsed = now > state.unwritableSince ? now - state.unwritableSince : 0
            guard Double(elapsed) >= writeRetryInterval * 1e9 else { return nil }
            state.unwritableSince = now
            return .retry
        }
    }

    private func recordWriteFailure(_ error: FileSystemError) {
        state.withLock { $0.statistics.writeFailures += 1 }
        if error.meansNotWritable {
            turnOffWrites(because: error)
        } else {
            log("disk cache: could not write a tile (\(error))")
        }
    }

    /// Stops writing until `writeRetryInterval` has passed; logs one warning when writes turn off, none on a failed retry.
    func turnOffWrites(because error: FileSystemError) {
        let now = DispatchTime.now().uptimeNanoseconds
        let wasWritable = state.withLock { state in
            state.unwritableSince = now
            let wasWritable = state.isWritable
            state.isWritable = false
            return wasWritable
        }
        if wasWritable {
            log("disk cache at \(directory) is not writable (\(error)): serving from memory only")
        }
    }

    // MARK: - Index

    /// Records `relativePath` as the most recently used file and returns the paths to delete to get within capacity.
    private func record(_ relativePath: String, size: Int, in state: inout State) -> [String] {
        state.index.insertAsNewest(relativePath, (), size: size)
        return evictions(in: &state)
    }

    /// Removes least recently used entries until within capacity; returns their paths for deletion outside the lock.
    func evictions(in state: inout State) -> [String] {
        var victims: [String] = []
        while state.index.totalSize > capacityBytes, let oldest = state.index.removeOldest() {
            state.statistics.evictions += 1
            state.removedDuringScan?.insert(oldest.key)
            victims.append(oldest.key)
        }
        return victims
    }

    /// Drops a file found missing or corrupt; while the scan runs, also keeps the scan from adding it back.
    private func forget(_ relativePath: String, in state: inout State) {
        state.index.remove(relativePath)
        state.removedDuringScan?.insert(relativePath)
    }

    /// Deletes evicted files. Another process may have deleted one already; that is fine.
    func remove(_ victims: [String]) {
        for relativePath in victims {
            do {
                try POSIXFile.remove(directory + "/" + relativePath)
            } catch {
                log("disk cache: could not evict a tile (\(error))")
            }
        }
    }

    private func deleteCorruptFile(
        _ path: String, relativePath: String, identity: POSIXFile.Identity, problem: PNGStructureProblem
    ) {
        state.withLock { state in
            state.statistics.misses += 1
            state.statistics.corruptFiles += 1
            forget(relativePath, in: &state)
        }
        // Only if no writer has renamed a fresh tile over it since it was read.
        guard POSIXFile.identity(path) == identity else { return }
        do {
            try POSIXFile.remove(path)
            log("disk cache: deleted corrupt tile \(path) (\(problem))")
        } catch {
            log("disk cache: corrupt tile \(path) (\(problem)) could not be deleted (\(error))")
        }
    }
}
