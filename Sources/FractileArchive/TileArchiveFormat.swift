/// The two archive formats, chosen by the file's extension.
public enum TileArchiveFormat: String, Sendable, CaseIterable {
    /// MBTiles 1.3 (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md): one SQLite file.
    case mbtiles
    /// PMTiles v3 (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): one file read by HTTP ranges.
    case pmtiles

    /// `.mbtiles` or `.pmtiles` (any case); nil for anything else.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        self.init(rawValue: path[path.index(after: dot)...].lowercased())
    }

    /// Deepest zoom the format can address: PMTiles tile IDs are 64-bit Hilbert indices (zoom 31 and above
    /// would not fit); MBTiles rows are 64-bit SQLite integers.
    public var deepestZoom: Int {
        switch self {
        case .mbtiles: 62
        case .pmtiles: 31
        }
    }

    public static let expectation = "a file name ending in .mbtiles or .pmtiles"
}
