import FractileArchive
import FractileConfig
import FractileRender
import FractileServer

/// Seeding into an MBTiles or PMTiles file. The writer builds it under a temporary name and renames it into place
/// at `finish`, so a stopped run leaves the path as it was (and no temporary files). An archive is written whole:
/// a rerun starts again rather than resuming.
final class ArchiveSeedDestination: SeedDestination, @unchecked Sendable {
    let path: String
    let metadata: TileArchiveMetadata
    /// Used under the seed run's write lock only.
    private let writer: any TileArchiveWriter

    init(path: String, map: MapDefinition, scale: Int) throws(TileArchiveError) {
        self.path = path
        self.metadata = TileArchiveMetadata(map, scale: scale)
        self.writer = try TileArchive.writer(path: path)
    }

    var name: String { path }

    func prepare() {}

    func contains(_ tile: TileCoordinate) -> Bool { false }

    func write(_ tile: TileCoordinate, _ bytes: [UInt8]) -> String? {
        do {
            try writer.add(TileAddress(z: tile.z, x: Int(tile.x), y: Int(tile.y)), bytes)
            return nil
        } catch {
            return error.description
        }
    }

    func finish() -> String? {
        do {
            try writer.finish(metadata)
            return nil
        } catch {
            return error.description
        }
    }

    func abandon() {
        writer.abandon()
    }

    var warning: String? { nil }
}
