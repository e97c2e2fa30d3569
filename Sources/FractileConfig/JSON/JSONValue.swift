/// A JSON document as written, for reading config.json with exact error messages (RFC 8259).
///
/// Foundation's `JSONSerialization` cannot tell `true` from `1` on Linux and forgets how a number was written;
/// this keeps objects in document order and every number's literal text, so a deep-zoom centre can later be
/// read as the exact decimal the user typed.
public enum JSONValue: Sendable, Hashable {
    /// Members in document order; the parser guarantees the keys are unique.
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null

    /// The value of `key` when this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}

/// One `"key": value` pair of a JSON object.
public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON number: its literal text exactly as written, and the nearest Double.
public struct JSONNumber: Sendable, Hashable {
    /// The literal as it stands in the document, e.g. `-0`, `1e-3` or `0.30000000000000000001`.
    public var literal: String
    /// The correctly rounded Double; ±infinity when the literal overflows, 0 when it underflows.
    public var value: Double

    public init(literal: String, value: Double) {
        self.literal = literal
        self.value = value
    }

    /// Reads a literal that already follows the JSON number grammar.
    init(literal: String) {
        self.init(literal: literal, value: Double(literal) ?? (literal.hasPrefix("-") ? -.infinity : .infinity))
    }
}
