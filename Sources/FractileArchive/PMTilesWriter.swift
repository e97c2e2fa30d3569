import FractileMath
import Glibc

/// Writes a clustered PMTiles v3 archive: header, root directory, metadata, leaf directories, then tile data in
/// tile-ID order (PMTiles v3 spec). Tiles arrive in any order and are spooled to a temporary file; equal tiles
/// (a uniform region gives many) are stored once, and runs of them become one directory entry. The same set of
/// tiles always gives the same file, whatever order or shards they came from.
final class PMTilesWriter: TileArchiveWriter {
    private struct Spooled {
        let tileID: UInt64
        let offset: UInt64
        let length: UInt64
    }

    private let path: String
    private let temporaryPath: String
    private let spoolPath: String
    private let spool: ArchiveFile
    private var spoolSize: UInt64 = 0
    private var tiles: [Spooled] = []
    /// Spooled contents by hash, to store equal tiles once (compared byte for byte on a hash match).
    private var contents: [Int: [(offset: UInt64, length: UInt64)]] = [:]
    private var bounds = TileBounds()

    init(path: String) throws(TileArchiveError) {
        self.path = path
        temporaryPath = TileArchive.temporaryPath(for: path)
        spoolPath = TileArchive.temporaryPath(for: path, suffix: ".tiles")
        spool = try ArchiveFile(path: spoolPath, create: true)
    }

    func add(_ address: TileAddress, _ bytes: [UInt8]) throws(TileArchiveError) {
        guard address.z <= TileArchiveFormat.pmtiles.deepestZoom else {
            throw TileArchiveError("\(path): PMTiles holds zoom levels up to \(TileArchiveFormat.pmtiles.deepestZoom), not \(address.z)")
        }
        let hash = bytes.hashValue
        var stored: (offset: UInt64, length: UInt64)?
        for candidate in contents[hash] ?? [] where candidate.length == UInt64(bytes.count) {
            if try spool.read(at: candidate.offset, count: bytes.count) == bytes {
                stored = candidate
                break
            }
        }
        if stored == nil {
            try spool.write(bytes)
            stored = (spoolSize, UInt64(bytes.count))
            contents[hash, default: []].append(stored!)
            spoolSize += UInt64(bytes.count)
        }
        tiles.append(Spooled(tileID: PMTilesTileID.id(address), offset: stored!.offset, length: stored!.length))
        bounds.add(address)
    }

    func finish(_ metadata: TileArchiveMetadata) throws(TileArchiveError) {
        guard !bounds.isEmpty else { throw TileArchiveError("\(path): no tiles to write") }
        tiles.sort { $0.tileID < $1.tileID }
        // Data in tile-ID order, each distinct content where it first appears (clustered).
        var entries: [PMTilesDirectory.Entry] = []
        var placed: [UInt64: UInt64] = [:]
        var order: [(offset: UInt64, length: UInt64)] = []
        var dataLength: UInt64 = 0
        for (index, tile) in tiles.enumerated() {
            if index > 0, tiles[index - 1].tileID == tile.tileID {
                throw TileArchiveError("\(path): tile \(PMTilesTileID.address(tile.tileID)) was given twice")
            }
            let offset: UInt64
            if let known = placed[tile.offset] {
                offset = known
            } else {
                offset = dataLength
                placed[tile.offset] = offset
                order.append((tile.offset, tile.length))
                dataLength += tile.length
            }
            if var last = entries.last, last.tileID + last.runLength == tile.tileID, last.offset == offset,
               last.length == tile.length {
                last.runLength += 1
                entries[entries.count - 1] = last
            } else {
                entries.append(.init(tileID: tile.tileID, offset: offset, length: tile.length, runLength: 1))
            }
        }
        let (root, leaves) = Self.directories(entries)
        let metadataBytes = Gzip.compress(Array(Self.json(metadata.fields).utf8))

        var header = PMTilesHeader()
        header.rootOffset = UInt64(PMTilesHeader.size)
        header.rootLength = UInt64(root.count)
        header.metadataOffset = header.rootOffset + header.rootLength
        header.metadataLength = UInt64(metadataBytes.count)
        header.leafOffset = header.metadataOffset + header.metadataLength
        header.leafLength = UInt64(leaves.count)
        header.dataOffset = header.leafOffset + header.leafLength
        header.dataLength = dataLength
        header.addressedTiles = UInt64(tiles.count)
        header.tileEntries = UInt64(entries.count)
        header.tileContents = UInt64(order.count)
        header.minZoom = UInt8(bounds.minZoom)
        header.maxZoom = UInt8(bounds.maxZoom)
        func e7(_ degrees: Double) -> Int32 { Int32((degrees * 1e7).rounded()) }
        (header.minLonE7, header.minLatE7, header.maxLonE7, header.maxLatE7) =
            (e7(bounds.west), e7(bounds.south), e7(bounds.east), e7(bounds.north))
        header.centerZoom = UInt8(bounds.minZoom)
        (header.centerLonE7, header.centerLatE7) = (e7((bounds.west + bounds.east) / 2), e7((bounds.south + bounds.north) / 2))

        do throws(TileArchiveError) {
            let file = try ArchiveFile(path: temporaryPath, create: true)
            try file.write(header.serialized() + root + metadataBytes + leaves)
            // Copied in batches of up to 4 MiB: one write per batch, not per tile.
            var batch: [UInt8] = []
            for content in order {
                batch += try spool.read(at: content.offset, count: Int(content.length))
                if batch.count >= 4 << 20 {
                    try file.write(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            try file.write(batch)
            try file.synchronize()
            guard rename(temporaryPath, path) == 0 else {
                throw TileArchiveError("cannot move the finished archive to \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            abandon()
            throw error
        }
        unlink(spoolPath)
    }

    func abandon() {
        unlink(temporaryPath)
        unlink(spoolPath)
    }

    /// The root directory alone if it fits the first 16 KiB with the header; otherwise leaves of 4096 entries
    /// (doubled until the root of leaf pointers fits), as the spec's reference writer does.
    static func directories(_ entries: [PMTilesDirectory.Entry]) -> (root: [UInt8], leaves: [UInt8]) {
        let whole = Gzip.compress(PMTilesDirectory(entries: entries).serialized())
        if PMTilesHeader.size + whole.count <= PMTilesHeader.firstFetchSize { return (whole, []) }
        var leafSize = 4096
        while true {
            var leaves: [UInt8] = []
            var pointers: [PMTilesDirectory.Entry] = []
            for start in stride(from: 0, to: entries.count, by: leafSize) {
                let leaf = Gzip.compress(PMTilesDirectory(entries: Array(entries[start..<min(start + leafSize, entries.count)])).serialized())
                pointers.append(.init(tileID: entries[start].tileID, offset: UInt64(leaves.count), length: UInt64(leaf.count), runLength: 0))
                leaves += leaf
            }
            let root = Gzip.compress(PMTilesDirectory(entries: pointers).serialized())
            if PMTilesHeader.size + root.count <= PMTilesHeader.firstFetchSize { return (root, leaves) }
            leafSize *= 2
        }
    }

    /// A JSON object of string values, keys in the given order.
    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(JSONWriter.quoted($0.0)): \(JSONWriter.quoted($0.1))" }.joined(separator: ", ") + "}"
    }
}
