// The fuzz target (mk/hardening.mk) compiles this file into one module with the HTTP sources.
#if canImport(FractileHTTP)
import FractileHTTP
#endif
import Foundation

/// Serves files below one directory and never anything outside it: the path is percent-decoded once, and refused if it
/// holds dot segments, encoded or literal backslashes, encoded slashes, NUL or other control bytes, invalid UTF-8
/// (overlong forms included), or hidden names; what remains is resolved with realpath, so a symlink that points out
/// of the directory is refused too.
public struct StaticFileServer: Sendable {
    public struct File: Sendable {
        public let bytes: [UInt8]
        public let contentType: String
        /// Strong validator from size and modification time.
        public let etag: String
        /// The modification time as an IMF-fixdate (RFC 9110 §8.8.2).
        public let lastModified: String
    }

    public struct Refusal: Error, Equatable, Sendable {
        public let status: HTTPStatus
        public let reason: String
    }

    /// The directory, resolved; nil when it does not exist (every request is then a 404).
    public let root: String?
    /// File served for a path that names a directory.
    public let indexName: String

    public init(directory: String, indexName: String = "index.html") {
        self.root = StaticFileServer.resolve(directory)
        self.indexName = indexName
    }

    /// `relativePath` is the raw (percent-encoded) remainder of the URL path below the directory's mount point.
    public func file(at relativePath: String) throws(Refusal) -> File {
        let decoded = try Self.decodedSegments(relativePath)
        guard let root else { throw Refusal(status: .notFound, reason: "no such file") }
        var segments = decoded
        if segments.isEmpty || segments.last == "" {
            segments = segments.filter { !$0.isEmpty } + [indexName]
        }
        guard !segments.contains(where: \.isEmpty) else { throw Refusal(status: .badRequest, reason: "empty path segment") }
        let candidate = root + "/" + segments.joined(separator: "/")
        guard let resolved = Self.resolve(candidate), resolved.hasPrefix(root + "/") else {
            throw Refusal(status: .notFound, reason: "no such file")
        }
        var status = stat()
        guard stat(resolved, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw Refusal(status: .notFound, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw Refusal(status: .notFound, reason: "no such file")
        }
        let etag = "\"\(String(status.st_size, radix: 16))-\(String(status.st_mtim.tv_sec, radix: 16))-\(String(status.st_mtim.tv_nsec, radix: 16))\""
        return File(bytes: [UInt8](data), contentType: Self.contentType(of: resolved), etag: etag,
                    lastModified: HTTPDate.format(status.st_mtim.tv_sec))
    }

    /// Percent-decodes each segment; refuses anything that could name another directory or hide a byte.
    static func decodedSegments(_ path: String) throws(Refusal) -> [String] {
        if path.isEmpty { return [] }
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard let bytes = PercentDecoding.bytes(raw) else {
                throw Refusal(status: .badRequest, reason: "bad percent-encoding in path")
            }
            // Segments were split on literal '/', so a '/' here was encoded: it would smuggle a separator.
            guard !bytes.contains(UInt8(ascii: "/")) else {
                throw Refusal(status: .badRequest, reason: "encoded slashes are not allowed in paths")
            }
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) else {
                throw Refusal(status: .badRequest, reason: "control characters and backslashes are not allowed in paths")
            }
            guard let segment = String(validating: bytes, as: UTF8.self) else {
                throw Refusal(status: .badRequest, reason: "path is not valid UTF-8")
            }
            guard !segment.hasPrefix(".") else {
                throw Refusal(status: .badRequest, reason: "dot segments and hidden files are not served")
            }
            segments.append(segment)
        }
        return segments
    }

    private static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func contentType(of path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json", "map": "application/json"
        case "webmanifest": "application/manifest+json"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        case "ico": "image/x-icon"
        case "txt", "md": "text/plain; charset=utf-8"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }
}
