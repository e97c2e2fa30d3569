import Foundation

/// Reads a PMTiles v3 archive: the header, then every directory (root and leaves) into one sorted entry list at
/// open, so a tile costs a binary search and one pread. Immutable after `init`, so safe from any thread.
public final class PMTilesReader: TileArchiveReader {
    public let path: String
    public let metadata: TileArchiveMetadata
    private let file: ArchiveFile
    private let header: PMTilesHeader
    private let entries: [PMTilesDirectory.Entry]

    public init(path: String) throws(TileArchiveError) {
        self.path = path
        file = try ArchiveFile(path: path, create: false)
        let size = file.size
        header = try PMTilesHeader(parsing: try file.read(at: 0, count: min(Int(size), PMTilesHeader.size)), source: path)
        let header = header
        let file = file
        func section(_ offset: UInt64, _ length: UInt64) throws(TileArchiveError) -> [UInt8] {
            let (end, overflow) = offset.addingReportingOverflow(length)
            guard !overflow, end <= size, length <= 1 << 30 else { throw TileArchiveError("\(path): a section lies past the end of the file") }
            let bytes = try file.read(at: offset, count: Int(length))
            return header.internalCompression == .gzip ? try Gzip.decompress(bytes) : bytes
        }
        var entries: [PMTilesDirectory.Entry] = []
        func collect(_ offset: UInt64, _ length: UInt64, depth: Int) throws(TileArchiveError) {
            guard depth < 4 else { throw TileArchiveError("\(path): its leaf directories nest deeper than 3") }
            for entry in try PMTilesDirectory(parsing: try section(offset, length), source: path).entries {
                if entry.runLength == 0 {
                    try collect(header.leafOffset + entry.offset, entry.length, depth: depth + 1)
                } else {
                    guard entry.offset + entry.length <= header.dataLength else {
                        throw TileArchiveError("\(path): a tile lies past the end of its data section")
                    }
                    entries.append(entry)
                }
            }
        }
        try collect(header.rootOffset, header.rootLength, depth: 0)
        self.entries = entries.sorted { $0.tileID < $1.tileID }
        let json = try section(header.metadataOffset, header.metadataLength)
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw TileArchiveError("\(path): its metadata is not a JSON object")
        }
        metadata = try TileArchiveMetadata(fields: object.mapValues { "\($0)" }, source: path)
    }

    public func tile(_ address: TileAddress) throws(TileArchiveError) -> [UInt8]? {
        guard address.z >= 0, address.z <= TileArchiveFormat.pmtiles.deepestZoom,
              address.x >= 0, address.y >= 0, address.x >> address.z == 0, address.y >> address.z == 0 else { return nil }
        let id = PMTilesTileID.id(address)
        // The last entry starting at or before `id`.
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].tileID <= id { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let entry = entries[low - 1]
        guard id - entry.tileID < entry.runLength else { return nil }
        return try file.read(at: header.dataOffset + entry.offset, count: Int(entry.length))
    }

    public func addresses() throws(TileArchiveError) -> [TileAddress] {
        entries.flatMap { entry in (0..<entry.runLength).map { PMTilesTileID.address(entry.tileID + $0) } }.sorted()
    }
}
