import Logging
import Synchronization

/// Where the server's warnings and errors go: swift-log, through `ServerLogHandler` on standard error, as text
/// (`fractile: message`) or as one JSON object per line for container log collectors (`fractile serve --log-format
/// json` or `FRACTILE_LOG_FORMAT=json`). Access-log lines do not come here: the event loops write them to standard
/// output in batches (`HTTPAccessLogOutput`).
public enum ServerLog {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    private static let currentFormat = Mutex(Format.text)

    /// Set once at startup, before the server logs anything.
    public static var format: Format {
        get { currentFormat.withLock { $0 } }
        set { currentFormat.withLock { $0 = newValue } }
    }

    /// The server's logger. Made with its own handler rather than through `LoggingSystem.bootstrap`, which may run
    /// only once per process (tests start many servers).
    public static let logger = Logger(label: "fractile") { label in ServerLogHandler(label: label, format: { format }) }

    public static let warning: @Sendable (String) -> Void = { line in logger.warning("\(line)") }
    public static let error: @Sendable (String) -> Void = { line in logger.error("\(line)") }
}
