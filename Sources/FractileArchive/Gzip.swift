import CZlib

/// gzip through the system zlib: PMTiles' internal compression (its directories and metadata). zlib's output for
/// the same input and level is the same bytes, and the gzip header it writes carries no time, so archives are
/// reproducible.
enum Gzip {
    static func compress(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard fractile_deflate_init_gzip(&stream, 9) == Z_OK else { fatalError("zlib: deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        // deflateBound guarantees room for everything in one call.
        precondition(status == Z_STREAM_END, "zlib: deflate did not finish within deflateBound")
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// gzip or zlib data; `limit` bounds the output so a hostile file cannot make us allocate without end.
    static func decompress(_ input: [UInt8], limit: Int = 256 << 20) throws(TileArchiveError) -> [UInt8] {
        var stream = z_stream()
        guard fractile_inflate_init_gzip_or_zlib(&stream) == Z_OK else { throw TileArchiveError("zlib: inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var input = input
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while status == Z_OK, output.count <= limit {
                let produced = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                output += chunk[..<produced]
                if status == Z_BUF_ERROR, produced > 0 { status = Z_OK }
            }
        }
        guard status == Z_STREAM_END, output.count <= limit else {
            throw TileArchiveError(output.count > limit ? "gzip data inflates past \(limit) bytes" : "gzip data is corrupt or cut short")
        }
        return output
    }
}
