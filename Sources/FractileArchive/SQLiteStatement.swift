import CSQLite

/// A prepared statement, reused with `reset` between rows.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let database: SQLiteDatabase

    init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit {
        sqlite3_finalize(handle)
    }

    func bind(_ values: [Int], from index: Int32 = 1) {
        for (offset, value) in values.enumerated() {
            sqlite3_bind_int64(handle, index + Int32(offset), Int64(value))
        }
    }

    func bind(text: String, at index: Int32) {
        fractile_sqlite3_bind_text_copy(handle, index, text)
    }

    func bind(blob: [UInt8], at index: Int32) {
        blob.withUnsafeBytes { bytes in
            // A zero-length blob still binds a blob, not NULL.
            _ = fractile_sqlite3_bind_blob_copy(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count))
        }
    }

    /// True while there is a row to read; false when done.
    func step() throws(TileArchiveError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.failure()
        }
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func text(_ column: Int32) -> String {
        sqlite3_column_text(handle, column).map { String(cString: $0) } ?? ""
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
