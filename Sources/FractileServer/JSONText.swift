import FractileMath

/// Small helpers to write JSON text by hand, where the field order and number forms are part of the contract.
enum JSONText {
    static func string(_ value: String) -> String {
        JSONWriter.quoted(value)
    }

    /// Shortest round-trip form; non-finite numbers have no JSON form and become null.
    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ",") + "]"
    }
}
