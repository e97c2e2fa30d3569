import FractileArchive
import FractileCache
import FractileConfig

/// Archives a server answers tiles from (`fractile serve --archive FILE`), checked at start against the configured
/// maps: an archive is used only for requests whose map, settings hash and tile size are the archive's, so its
/// tiles are exactly what a render would give. Requests with other settings (live parameters) render as usual.
public final class TileArchiveSet: Sendable {
    public enum Lookup: Equatable {
        case found([UInt8])
        /// The map and settings are archived but this tile is not in any of their archives.
        case missing
        /// No archive holds tiles of this map, settings and size.
        case notArchived
    }

    public let readers: [any TileArchiveReader]
    /// True: a tile of an archived map that no archive holds is a 404 rather than a render.
    public let archiveOnly: Bool

    /// Opens every archive and checks it against `maps`; the error names the file and what does not match.
    public init(paths: [String], maps: [MapDefinition], archiveOnly: Bool) throws(TileArchiveError) {
        var readers: [any TileArchiveReader] = []
        for path in paths {
            let reader = try TileArchive.reader(path: path)
            let metadata = reader.metadata
            guard let map = maps.first(where: { $0.name == metadata.map }) else {
                throw TileArchiveError("\(path) holds tiles of \(metadata.map), which the configuration has no map named")
            }
            guard map.settingsHash == metadata.settingsHash else {
                throw TileArchiveError("\(path) holds tiles of \(metadata.map) with settings hash \(metadata.settingsHash), but "
                    + "the configured \(map.name) has \(map.settingsHash): its math changed since the seed (seed it again)")
            }
            readers.append(reader)
        }
        self.readers = readers
        self.archiveOnly = archiveOnly
    }

    public func lookUp(_ key: TileCacheKey) -> Lookup {
        var archived = false
        for reader in readers {
            let metadata = reader.metadata
            guard metadata.map == key.map, metadata.settingsHash == key.settingsHash,
                  metadata.tileSize == 256 * key.scale else { continue }
            archived = true
            guard let x = Int(exactly: key.x), let y = Int(exactly: key.y),
                  // A read error (a file truncated under us) falls back to a render rather than failing the request.
                  let bytes = try? reader.tile(TileAddress(z: key.z, x: x, y: y)) else { continue }
            return .found(bytes)
        }
        return archived ? .missing : .notArchived
    }
}
