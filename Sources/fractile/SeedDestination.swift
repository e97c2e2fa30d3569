import FractileRender

/// Where a seed run puts its tiles: the disk cache the server reads, or an archive file. `write` and `finish` are
/// called under the run's write lock, one at a time; `abandon` too, just before the process exits on a signal or
/// an error.
protocol SeedDestination: Sendable {
    /// Where the tiles went, for the summary line ("into ...").
    var name: String { get }
    /// Work before the first tile (the disk cache's initial scan).
    func prepare()
    /// True if the tile is already there and valid, so a rerun skips it.
    func contains(_ tile: TileCoordinate) -> Bool
    /// Puts one tile; returns why it failed, or nil.
    func write(_ tile: TileCoordinate, _ bytes: [UInt8]) -> String?
    /// After the last tile; returns why it failed, or nil.
    func finish() -> String?
    /// Stopped early: leave nothing half-written behind.
    func abandon()
    /// A warning for the summary line, if any.
    var warning: String? { get }
}
