import Glibc
import Synchronization

/// Where the event loops write access-log lines, and how long they may hold them. Each loop keeps its own buffer and
/// hands over whole lines in batches: when `maxLines` or `maxBytes` are buffered, when the oldest line is `maxDelay`
/// seconds old (checked every 0.1 s), and when the loop stops (graceful shutdown loses nothing). A crash loses at most
/// what the loops hold: `maxLines` lines per loop, and never more than about `maxDelay` + 0.1 s of traffic.
public struct HTTPAccessLogOutput: Sendable {
    /// Takes one batch of whole lines, each ending in a newline; called on a loop thread.
    public var write: @Sendable ([UInt8]) -> Void
    public var maxLines = 256
    public var maxBytes = 65536
    public var maxDelay = 0.2

    public init(write: @escaping @Sendable ([UInt8]) -> Void) {
        self.write = write
    }

    /// Batches written to a file descriptor (standard output: 1), one loop at a time so that batches from different
    /// loops never interleave, even where one write(2) of a pipe is not atomic (over PIPE_BUF bytes).
    public static func fileDescriptor(_ fd: Int32) -> HTTPAccessLogOutput {
        let lock = Mutex(())
        return HTTPAccessLogOutput { bytes in
            lock.withLock { _ in
                bytes.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                        if written < 0 {
                            if errno == EINTR { continue }
                            return  // a closed or full output must not stop serving; the lines are lost
                        }
                        offset += written
                    }
                }
            }
        }
    }
}

/// One event loop's pending access-log lines (loop thread only).
struct AccessLogBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var lines = 0
    /// When the oldest buffered line was added (monotonic seconds).
    private var oldest = 0.0

    /// Adds a line; true when the buffer should be written now.
    mutating func append(_ output: HTTPAccessLogOutput, now: Double, _ line: (inout [UInt8]) -> Void) -> Bool {
        if lines == 0 {
            oldest = now
            bytes.reserveCapacity(output.maxBytes + 512)
        }
        line(&bytes)
        lines += 1
        return lines >= output.maxLines || bytes.count >= output.maxBytes
    }

    func isDue(_ output: HTTPAccessLogOutput, now: Double) -> Bool {
        lines > 0 && now - oldest >= output.maxDelay
    }

    /// Writes and empties the buffer.
    mutating func flush(_ output: HTTPAccessLogOutput) {
        guard lines > 0 else { return }
        output.write(bytes)
        bytes.removeAll(keepingCapacity: true)
        lines = 0
    }
}
