/// Where and why a document is not JSON; `line` and `column` count from 1, columns in Unicode scalars.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `12:5: expected ',' or '}'`: prefix it with a file name for the compiler-style `config.json:12:5: ...`.
    public var description: String { "\(line):\(column): \(reason)" }
}
