import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one line per message to standard error: `fractile: message` (the level is named
/// unless it is a notice or a warning, the usual cases), or a JSON object with time, level, label, message and metadata.
/// One write per line under a lock, so lines from different threads never interleave.
public struct ServerLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: @Sendable () -> ServerLog.Format
    private static let lock = Mutex(())

    public init(label: String, format: @escaping @Sendable () -> ServerLog.Format) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let line = format() == .json ? jsonLine(event, merged) : textLine(event, merged)
        Self.lock.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    private func textLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var line = event.level == .warning || event.level == .notice ? "fractile: " : "fractile: \(event.level): "
        line += "\(event.message)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        return line
    }

    private func jsonLine(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [
            ("time", Date().formatted(.iso8601)), ("level", event.level.rawValue), ("label", label),
            ("message", "\(event.message)"),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { fields.append((key, "\(value)")) }
        return JSONText.object(fields.map { ($0.0, JSONText.string($0.1)) })
    }
}
