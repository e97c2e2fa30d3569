import CSQLite

/// One connection to a SQLite file through the system libsqlite3. Not thread-safe: its owner serialises calls.
final class SQLiteDatabase {
    private let handle: OpaquePointer
    let path: String

    init(path: String, readOnly: Bool) throws(TileArchiveError) {
        var handle: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let status = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close(handle)
            throw TileArchiveError("cannot open \(path): \(reason)")
        }
        self.handle = handle
        self.path = path
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    func execute(_ sql: String) throws(TileArchiveError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let reason = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw TileArchiveError("\(path): \(reason)")
        }
    }

    func prepare(_ sql: String) throws(TileArchiveError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure()
        }
        return SQLiteStatement(statement, database: self)
    }

    /// The connection's last error as a line naming the file (SQLite says e.g. "file is not a database").
    func failure() -> TileArchiveError {
        TileArchiveError("\(path): \(String(cString: sqlite3_errmsg(handle)))")
    }
}
