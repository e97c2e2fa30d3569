/// What is wrong with a configuration, as one line a user can act on: the key path and what was expected,
/// e.g. `maps[2].learningRate: expected a number or [re, im]` (docs/maps.md "Names that outside checks rely on").
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is, e.g. `maps[2].learningRate`; empty for the file itself and for JSON syntax errors.
    public var path: String
    /// What was expected there; syntax errors start with `line:column:` (and the file name when loaded from one).
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

extension ConfigurationError {
    /// A key the object does not take, with the keys it does: `unknown key (server takes: host, port, ...)`.
    static func unknownKey(_ path: String, takers: String, allowed: [String]) -> ConfigurationError {
        ConfigurationError(path: path, message: "unknown key (\(takers): \(allowed.joined(separator: ", ")))")
    }

    static func missingKey(_ key: String, in path: String) -> ConfigurationError {
        ConfigurationError(path: path, message: "missing required key \"\(key)\"")
    }

    /// A JSON syntax error, named by file when there is one: `config.json:12:5: expected ',' or '}'`.
    init(_ syntaxError: JSONSyntaxError, sourceName: String?) {
        self.init(path: "", message: sourceName.map { "\($0):\(syntaxError)" } ?? syntaxError.description)
    }
}

/// Joins key paths as the error messages show them.
enum ConfigurationPath {
    static func member(_ key: String, of path: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    static func element(_ index: Int, of path: String) -> String { "\(path)[\(index)]" }
}
