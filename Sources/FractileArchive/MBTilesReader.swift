import Foundation

/// Reads an MBTiles file (ours or any MBTiles 1.3 file with fractile's metadata rows). One connection, used under a
/// lock: SQLite page reads are microseconds, far below a render.
public final class MBTilesReader: TileArchiveReader, @unchecked Sendable {
    public let path: String
    public let metadata: TileArchiveMetadata
    private let lock = NSLock()
    private let database: SQLiteDatabase
    private let select: SQLiteStatement

    public init(path: String) throws(TileArchiveError) {
        guard access(path, R_OK) == 0 else {
            throw TileArchiveError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        database = try SQLiteDatabase(path: path, readOnly: true)
        var fields: [String: String] = [:]
        let rows = try database.prepare("SELECT name, value FROM metadata")
        while try rows.step() { fields[rows.text(0)] = rows.text(1) }
        metadata = try TileArchiveMetadata(fields: fields, source: path)
        select = try database.prepare(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?")
    }

    public func tile(_ address: TileAddress) throws(TileArchiveError) -> [UInt8]? {
        guard address.z >= 0, address.z <= TileArchiveFormat.mbtiles.deepestZoom else { return nil }
        lock.lock()
        defer { lock.unlock() }
        select.bind([address.z, address.x, (1 << address.z) - 1 - address.y])
        defer { select.reset() }
        return try select.step() ? select.blob(0) : nil
    }

    public func addresses() throws(TileArchiveError) -> [TileAddress] {
        lock.lock()
        defer { lock.unlock() }
        let rows = try database.prepare("SELECT zoom_level, tile_column, tile_row FROM tiles")
        var found: [TileAddress] = []
        while try rows.step() {
            let z = rows.int(0)
            guard (0...TileArchiveFormat.mbtiles.deepestZoom).contains(z) else {
                throw TileArchiveError("\(path): a tile row has zoom_level \(z)")
            }
            found.append(TileAddress(z: z, x: rows.int(1), y: (1 << z) - 1 - rows.int(2)))
        }
        return found.sorted()
    }
}
