import Glibc

/// The few file operations the disk cache needs, as thin checked wrappers over POSIX calls.
enum POSIXFile {
    /// Which file was read: a file replaced by `rename` since has another identity.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    /// The whole content of the regular file at `path` and its identity; EFBIG if it is over `maximumBytes`
    /// (no tile that large is ever stored, and reading it whole could exhaust memory).
    static func read(_ path: String, maximumBytes: Int) throws(FileSystemError) -> (bytes: [UInt8], identity: Identity) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .failed("open", path) }
        defer { close(descriptor) }  // a failed close of a read-only descriptor loses nothing
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .failed("fstat", path) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw FileSystemError(operation: "read", path: path, code: EISDIR)
        }
        let size = Int(status.st_size)
        guard size <= maximumBytes else { throw FileSystemError(operation: "read", path: path, code: EFBIG) }
        var failure: FileSystemError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initializedCount in
            while initializedCount < size {
                let count = Glibc.read(descriptor, buffer.baseAddress! + initializedCount, size - initializedCount)
                if count > 0 {
                    initializedCount += count
                } else if count == 0 {
                    break  // shorter than fstat said: the PNG check will reject it
                } else if errno != EINTR {
                    failure = .failed("read", path)
                    break
                }
            }
        }
        if let failure { throw failure }
        return (bytes, Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)))
    }

    /// The identity of the file at `path` now, without following a final symbolic link; nil if it is gone.
    static func identity(_ path: String) -> Identity? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    /// Writes `bytes` to `temporaryPath` (created exclusively, mode 0644) and renames it to `path`, so `path` is
    /// never seen partly written and the last of several identical writers wins. The temporary file is removed
    /// on any failure. No fsync: a file cut short by a power loss fails the PNG check on read and is rendered again.
    static func writeAtomically(_ bytes: [UInt8], to path: String, via temporaryPath: String) throws(FileSystemError) {
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .failed("create", temporaryPath) }
        var failure = writeAll(bytes, to: descriptor, path: temporaryPath)
        if close(descriptor) != 0, failure == nil {
            failure = .failed("close", temporaryPath)  // NFS and quotas may report a failed write only here
        }
        if failure == nil, rename(temporaryPath, path) != 0 {
            failure = .failed("rename", path)
        }
        if let failure {
            unlink(temporaryPath)
            throw failure
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) -> FileSystemError? {
        bytes.withUnsafeBytes { buffer -> FileSystemError? in
            var written = 0
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count > 0 {
                    written += count
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    // A zero-byte write with room left is a full device in practice.
                    return count == 0 ? FileSystemError(operation: "write", path: path, code: ENOSPC) : .failed("write", path)
                }
            }
            return nil
        }
    }

    /// `mkdir -p` of `path`, tolerant of other processes creating the same directories at the same time.
    static func makeDirectories(_ path: String) throws(FileSystemError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw .failed("mkdir", prefix)
            }
        }
    }

    /// Removes the file at `path`; a file that is already gone is not an error.
    static func remove(_ path: String) throws(FileSystemError) {
        if unlink(path) != 0, errno != ENOENT {
            throw .failed("unlink", path)
        }
    }
}
