import Glibc

extension DiskTileCache {
    /// A tile file found by the startup scan.
    struct ScannedFile {
        var relativePath: String
        var size: Int
        var modified: timespec
    }

    /// Deepest directory the scan enters: `<map>/<settingsHash>/<z>/<x>` is 4; a little room for odd trees.
    static let maximumScanDepth = 8

    /// Walks the tree once: learns every `*.png` file and its size, taking modification time as its initial
    /// recency (older than anything read or written since startup), deletes `.tmp-` files older than
    /// `staleTemporaryFileAge` (left by killed writers), then evicts down to capacity.
    func scanDirectory() {
        var files: [ScannedFile] = []
        var staleRemoved = 0
        walk(relativeTo: "", depth: 0, files: &files, staleRemoved: &staleRemoved)
        if staleRemoved > 0 {
            log("disk cache: removed \(staleRemoved) stale temporary files under \(directory)")
        }
        files.sort { isNewer($0.modified, than: $1.modified) }
        let victims = state.withLock { state in
            let removed = state.removedDuringScan ?? []
            for file in files where !removed.contains(file.relativePath) {
                // Newest first, each behind the last: the oldest file ends up the first to evict.
                state.index.insertAsOldestIfAbsent(file.relativePath, (), size: file.size)
            }
            state.removedDuringScan = nil
            return evictions(in: &state)
        }
        remove(victims)
    }

    private func walk(relativeTo relativeDirectory: String, depth: Int, files: inout [ScannedFile], staleRemoved: inout Int) {
        let path = relativeDirectory.isEmpty ? directory : directory + "/" + relativeDirectory
        guard let stream = opendir(path) else {
            let error = FileSystemError.failed("opendir", path)
            if error.code == ENOENT {
                // No directory yet: nothing cached; the first put creates it.
            } else if depth == 0, error.code == ENOTDIR {
                turnOffWrites(because: error)  // the cache directory is a regular file: no write can succeed
            } else {
                log("disk cache: could not scan (\(error))")
            }
            return
        }
        defer { closedir(stream) }
        let now = time(nil)
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let relativePath = relativeDirectory.isEmpty ? name : relativeDirectory + "/" + name
            let fullPath = directory + "/" + relativePath
            var status = stat()
            guard lstat(fullPath, &status) == 0 else { continue }  // removed meanwhile by another process
            let type = status.st_mode & S_IFMT
            if name.hasPrefix(".tmp-") {
                guard type == S_IFREG, Double(now - status.st_mtim.tv_sec) > staleTemporaryFileAge else { continue }
                do {
                    try POSIXFile.remove(fullPath)
                    staleRemoved += 1
                } catch {
                    log("disk cache: could not remove a stale temporary file (\(error))")
                }
            } else if type == S_IFDIR, depth < Self.maximumScanDepth {
                walk(relativeTo: relativePath, depth: depth + 1, files: &files, staleRemoved: &staleRemoved)
            } else if type == S_IFREG, name.hasSuffix(".png") {
                files.append(ScannedFile(relativePath: relativePath, size: Int(status.st_size), modified: status.st_mtim))
            }
        }
    }

    private func isNewer(_ a: timespec, than b: timespec) -> Bool {
        a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec
    }
}
