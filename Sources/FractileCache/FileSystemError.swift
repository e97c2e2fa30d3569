import Glibc

/// A failed system call on a path, keeping its `errno` so the caller can tell a full or read-only disk from a fluke.
struct FileSystemError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32

    /// Captures the current `errno`; call right after the failing system call.
    static func failed(_ operation: String, _ path: String) -> FileSystemError {
        FileSystemError(operation: operation, path: path, code: errno)
    }

    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }

    /// Whether no write to the cache is likely to succeed until an operator acts: a read-only or full file system,
    /// missing permission, or (ENOTDIR) a regular file standing where the cache needs a directory.
    var meansNotWritable: Bool {
        [EROFS, EACCES, EPERM, ENOSPC, EDQUOT, ENOTDIR].contains(code)
    }
}
