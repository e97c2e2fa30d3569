/// The fixed 127-byte PMTiles v3 header (spec, "Header"): where each section is, counts, formats, zooms and bounds.
/// Little-endian throughout.
struct PMTilesHeader: Equatable {
    static let size = 127
    /// The root directory must end within the first 16 KiB, so one fetch gets the header and the root.
    static let firstFetchSize = 16_384

    enum Compression: UInt8 { case unknown = 0, none = 1, gzip = 2, brotli = 3, zstd = 4 }
    static let tileTypePNG: UInt8 = 2

    var rootOffset: UInt64 = 0
    var rootLength: UInt64 = 0
    var metadataOffset: UInt64 = 0
    var metadataLength: UInt64 = 0
    var leafOffset: UInt64 = 0
    var leafLength: UInt64 = 0
    var dataOffset: UInt64 = 0
    var dataLength: UInt64 = 0
    var addressedTiles: UInt64 = 0
    var tileEntries: UInt64 = 0
    var tileContents: UInt64 = 0
    var clustered = true
    var internalCompression = Compression.gzip
    var tileCompression = Compression.none
    var tileType = tileTypePNG
    var minZoom: UInt8 = 0
    var maxZoom: UInt8 = 0
    /// Longitudes and latitudes times 10^7.
    var minLonE7: Int32 = 0, minLatE7: Int32 = 0, maxLonE7: Int32 = 0, maxLatE7: Int32 = 0
    var centerZoom: UInt8 = 0
    var centerLonE7: Int32 = 0, centerLatE7: Int32 = 0

    func serialized() -> [UInt8] {
        var bytes = Array("PMTiles".utf8) + [3]
        for value in [rootOffset, rootLength, metadataOffset, metadataLength, leafOffset, leafLength, dataOffset,
                      dataLength, addressedTiles, tileEntries, tileContents] {
            withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        }
        bytes += [clustered ? 1 : 0, internalCompression.rawValue, tileCompression.rawValue, tileType, minZoom, maxZoom]
        for value in [minLonE7, minLatE7, maxLonE7, maxLatE7] { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        bytes.append(centerZoom)
        for value in [centerLonE7, centerLatE7] { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        return bytes
    }

    init() {}

    init(parsing bytes: [UInt8], source: String) throws(TileArchiveError) {
        guard bytes.count >= Self.size, Array(bytes[0..<7]) == Array("PMTiles".utf8) else {
            throw TileArchiveError("\(source): not a PMTiles file")
        }
        guard bytes[7] == 3 else { throw TileArchiveError("\(source): PMTiles version \(bytes[7]); only version 3 is read") }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) } }
        func i32(_ at: Int) -> Int32 { Int32(bitPattern: (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) }) }
        (rootOffset, rootLength, metadataOffset, metadataLength) = (u64(8), u64(16), u64(24), u64(32))
        (leafOffset, leafLength, dataOffset, dataLength) = (u64(40), u64(48), u64(56), u64(64))
        (addressedTiles, tileEntries, tileContents) = (u64(72), u64(80), u64(88))
        clustered = bytes[96] == 1
        guard let compression = Compression(rawValue: bytes[97]), compression == .none || compression == .gzip else {
            throw TileArchiveError("\(source): internal compression \(bytes[97]) is not read (only none and gzip)")
        }
        internalCompression = compression
        tileCompression = Compression(rawValue: bytes[98]) ?? .unknown
        tileType = bytes[99]
        (minZoom, maxZoom) = (bytes[100], bytes[101])
        (minLonE7, minLatE7, maxLonE7, maxLatE7) = (i32(102), i32(106), i32(110), i32(114))
        centerZoom = bytes[118]
        (centerLonE7, centerLatE7) = (i32(119), i32(123))
    }
}
