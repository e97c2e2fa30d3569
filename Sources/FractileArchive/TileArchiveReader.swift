/// Reads one archive; safe to call from any thread.
public protocol TileArchiveReader: AnyObject, Sendable {
    var path: String { get }
    var metadata: TileArchiveMetadata { get }
    /// The tile's bytes, or nil if the archive does not hold it.
    func tile(_ address: TileAddress) throws(TileArchiveError) -> [UInt8]?
    /// Every tile the archive holds.
    func addresses() throws(TileArchiveError) -> [TileAddress]
}
