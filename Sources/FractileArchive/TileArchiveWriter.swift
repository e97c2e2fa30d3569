import Glibc

/// Writes one archive. Tiles arrive in any order, from one thread at a time; nothing appears at the path until
/// `finish` renames the complete file into place, so a stopped seed never leaves a half-written archive.
public protocol TileArchiveWriter: AnyObject {
    /// Adds one tile; a tile given twice is an error.
    func add(_ address: TileAddress, _ bytes: [UInt8]) throws(TileArchiveError)
    /// Writes the metadata (with the zoom range and bounds of the tiles added) and moves the file into place.
    func finish(_ metadata: TileArchiveMetadata) throws(TileArchiveError)
    /// Removes the temporary files; the path is left as it was.
    func abandon()
}

/// Opening archives by their file name.
public enum TileArchive {
    /// A writer for `path`, in the format its extension names.
    public static func writer(path: String) throws(TileArchiveError) -> any TileArchiveWriter {
        switch try format(of: path) {
        case .mbtiles: try MBTilesWriter(path: path)
        case .pmtiles: try PMTilesWriter(path: path)
        }
    }

    /// A reader for an existing archive at `path`.
    public static func reader(path: String) throws(TileArchiveError) -> any TileArchiveReader {
        switch try format(of: path) {
        case .mbtiles: try MBTilesReader(path: path)
        case .pmtiles: try PMTilesReader(path: path)
        }
    }

    public static func format(of path: String) throws(TileArchiveError) -> TileArchiveFormat {
        guard let format = TileArchiveFormat(path: path) else {
            throw TileArchiveError("\(path): expected \(TileArchiveFormat.expectation)")
        }
        return format
    }

    /// Where a writer builds the file before renaming it to `path`: beside it (same file system), hidden, unique
    /// to the process.
    static func temporaryPath(for path: String, suffix: String = "") -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(name).tmp-\(getpid())\(suffix)"
    }
}
