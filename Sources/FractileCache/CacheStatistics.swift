/// Counters of one cache, read as a consistent snapshot.
public struct CacheStatistics: Sendable, Equatable {
    public var hits: Int
    public var misses: Int
    /// Entries removed to stay within the byte capacity.
    public var evictions: Int
    public var itemCount: Int
    /// Sum of the stored tiles' byte counts (for the disk cache: file sizes).
    public var bytes: Int
    /// Disk only: files that failed the PNG structure check and were deleted.
    public var corruptFiles: Int
    /// Disk only: writes that failed (each also removes its temporary file).
    public var writeFailures: Int

    public init(
        hits: Int = 0, misses: Int = 0, evictions: Int = 0, itemCount: Int = 0, bytes: Int = 0,
        corruptFiles: Int = 0, writeFailures: Int = 0
    ) {
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
        self.itemCount = itemCount
        self.bytes = bytes
        self.corruptFiles = corruptFiles
        self.writeFailures = writeFailures
    }
}
