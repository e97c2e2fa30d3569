import Glibc

/// A file descriptor with whole-buffer reads and writes, errors as one line naming the file.
final class ArchiveFile: @unchecked Sendable {
    let path: String
    private let descriptor: Int32

    /// Opens for reading, or creates (truncating) for reading and writing.
    init(path: String, create: Bool) throws(TileArchiveError) {
        let flags = create ? (O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC)
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw TileArchiveError("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    var size: UInt64 {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? UInt64(status.st_size) : 0
    }

    /// Exactly `count` bytes at `offset` (pread: safe from many threads at once).
    func read(at offset: UInt64, count: Int) throws(TileArchiveError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else {
                throw TileArchiveError("\(path): " + (got == 0 ? "cut short (\(count) bytes at \(offset) are past its end)" : String(cString: strerror(errno))))
            }
            done += got
        }
        return bytes
    }

    /// Appends at the current position (the descriptor is the writer's alone).
    func write(_ bytes: [UInt8]) throws(TileArchiveError) {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if wrote < 0, errno == EINTR { continue }
            guard wrote > 0 else { throw TileArchiveError("cannot write \(path): \(String(cString: strerror(errno)))") }
            done += wrote
        }
    }

    func synchronize() throws(TileArchiveError) {
        guard fsync(descriptor) == 0 else { throw TileArchiveError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
