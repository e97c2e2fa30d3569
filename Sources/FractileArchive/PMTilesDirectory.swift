/// A PMTiles v3 directory: entries sorted by tile ID, stored column by column as varints (PMTiles v3 spec,
/// "Directories"): the count, tile-ID deltas, run lengths, lengths, then offsets (0 = right after the previous
/// entry's bytes, else offset + 1). An entry with run length 0 points to a leaf directory instead of tile data.
struct PMTilesDirectory: Equatable {
    struct Entry: Equatable {
        var tileID: UInt64
        var offset: UInt64
        var length: UInt64
        var runLength: UInt64
    }

    var entries: [Entry]

    func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        Self.appendVarint(UInt64(entries.count), to: &bytes)
        var lastID: UInt64 = 0
        for entry in entries {
            Self.appendVarint(entry.tileID - lastID, to: &bytes)
            lastID = entry.tileID
        }
        for entry in entries { Self.appendVarint(entry.runLength, to: &bytes) }
        for entry in entries { Self.appendVarint(entry.length, to: &bytes) }
        for (index, entry) in entries.enumerated() {
            let follows = index > 0 && entry.offset == entries[index - 1].offset + entries[index - 1].length
            Self.appendVarint(follows ? 0 : entry.offset + 1, to: &bytes)
        }
        return bytes
    }

    init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses an uncompressed directory; anything cut short, overflowing or out of order is an error.
    init(parsing bytes: [UInt8], source: String) throws(TileArchiveError) {
        var reader = VarintReader(bytes: bytes, source: source)
        let count = try reader.next()
        // Each entry takes at least four bytes, so a count beyond that is corrupt (and must not reserve memory).
        guard count <= UInt64(bytes.count) / 4 + 1 else { throw TileArchiveError("\(source): a directory is corrupt") }
        var entries = [Entry](repeating: Entry(tileID: 0, offset: 0, length: 0, runLength: 0), count: Int(count))
        var lastID: UInt64 = 0
        for index in entries.indices {
            let (sum, overflow) = lastID.addingReportingOverflow(try reader.next())
            guard !overflow, index == 0 || sum > lastID else { throw TileArchiveError("\(source): a directory's tile IDs are not increasing") }
            entries[index].tileID = sum
            lastID = sum
        }
        for index in entries.indices { entries[index].runLength = try reader.next() }
        for index in entries.indices { entries[index].length = try reader.next() }
        for index in entries.indices {
            let value = try reader.next()
            if value == 0 {
                guard index > 0 else { throw TileArchiveError("\(source): a directory's first offset is missing") }
                entries[index].offset = entries[index - 1].offset &+ entries[index - 1].length
            } else {
                entries[index].offset = value - 1
            }
        }
        self.entries = entries
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Unsigned LEB128, at most ten bytes.
    private struct VarintReader {
        let bytes: [UInt8]
        let source: String
        var position = 0

        mutating func next() throws(TileArchiveError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count, shift < 64 else { throw TileArchiveError("\(source): a directory is cut short or corrupt") }
                let byte = bytes[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
    }
}
