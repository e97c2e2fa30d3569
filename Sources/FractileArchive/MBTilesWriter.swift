import Foundation

/// MBTiles 1.3: a SQLite file with a `metadata` table of name/value rows and a `tiles` table whose rows count from
/// the bottom (TMS: tile_row = 2^z - 1 - y). Built under a temporary name in one transaction, renamed at `finish`.
final class MBTilesWriter: TileArchiveWriter {
    private let path: String
    private let temporaryPath: String
    private let database: SQLiteDatabase
    private let insert: SQLiteStatement
    private var bounds = TileBounds()

    init(path: String) throws(TileArchiveError) {
        self.path = path
        temporaryPath = TileArchive.temporaryPath(for: path)
        unlink(temporaryPath)
        database = try SQLiteDatabase(path: temporaryPath, readOnly: false)
        do {
            // No journal: the file is not in place until it is complete, so a crash loses nothing worth keeping.
            try database.execute("""
                PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;
                CREATE TABLE metadata (name TEXT, value TEXT);
                CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
                CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
                BEGIN;
                """)
            insert = try database.prepare("INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)")
        } catch {
            unlink(temporaryPath)
            throw error
        }
    }

    func add(_ address: TileAddress, _ bytes: [UInt8]) throws(TileArchiveError) {
        insert.bind([address.z, address.x, (1 << address.z) - 1 - address.y])
        insert.bind(blob: bytes, at: 4)
        defer { insert.reset() }
        do {
            _ = try insert.step()
        } catch {
            throw TileArchiveError("\(path): cannot add tile \(address): \(error)")
        }
        bounds.add(address)
    }

    func finish(_ metadata: TileArchiveMetadata) throws(TileArchiveError) {
        guard !bounds.isEmpty else { throw TileArchiveError("\(path): no tiles to write") }
        var rows = metadata.fields
        let centerZoom = bounds.minZoom
        rows += [
            ("minzoom", "\(bounds.minZoom)"), ("maxzoom", "\(bounds.maxZoom)"), ("bounds", bounds.text),
            ("center", String(format: "%.6f,%.6f,%d", (bounds.west + bounds.east) / 2,
                              (bounds.south + bounds.north) / 2, centerZoom)),
        ]
        let row = try database.prepare("INSERT INTO metadata (name, value) VALUES (?, ?)")
        for (name, value) in rows {
            row.bind(text: name, at: 1)
            row.bind(text: value, at: 2)
            _ = try row.step()
            row.reset()
        }
        try database.execute("COMMIT;")
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw TileArchiveError("cannot move the finished archive to \(path): \(reason)")
        }
    }

    func abandon() {
        unlink(temporaryPath)
    }
}
