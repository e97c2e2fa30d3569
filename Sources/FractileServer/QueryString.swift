/// `application/x-www-form-urlencoded` query parameters; the first value of a repeated name wins.
struct QueryString {
    private var values: [String: String] = [:]

    init(_ query: String) {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if values[name] == nil, let value { values[name] = value }
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// Every name and value in order, repeats kept (for strict readers such as live parameters); nil when a part
    /// is not valid percent-encoded UTF-8.
    static func pairs(_ query: String) -> [(key: String, value: String)]? {
        var pairs: [(key: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = parts.count > 1 ? decode(parts[1]) : "" else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func decode(_ text: Substring) -> String? {
        PercentDecoding.bytes(text, plusIsSpace: true).flatMap { String(validating: $0, as: UTF8.self) }
    }
}
