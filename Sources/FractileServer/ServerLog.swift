import Foundation
import Synchronization

/// Where the server's lines go: access-log lines on stdout, warnings on stderr; one write per line so lines from
/// different threads never interleave.
public enum ServerLog {
    private static let lock = Mutex(())

    public static let access: @Sendable (String) -> Void = { line in write(line, to: FileHandle.standardOutput) }
    public static let warning: @Sendable (String) -> Void = { line in write("fractile: " + line, to: FileHandle.standardError) }

    private static func write(_ line: String, to handle: FileHandle) {
        lock.withLock { _ in handle.write(Data((line + "\n").utf8)) }
    }
}
