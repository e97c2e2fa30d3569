import FractileMath

/// A map's settings changed for one request by URL query parameters (docs/maps.md "Live parameters in URLs"). The same
/// settings table that reads config.json reads them, so a tile with parameters is the tile of a config that holds
/// those settings: same settings hash, same bytes.
extension MapDefinition {
    /// This map with `parameters` (decoded, in query order) applied. Every key must be a live setting of the map,
    /// given once, with a value of its type within its live bounds; the settings must fit together afterwards.
    public func applying(parameters: [(key: String, value: String)]) throws(LiveParameterError) -> MapDefinition {
        guard !parameters.isEmpty else { return self }
        var settings = self.settings
        let rows = settings.descriptors
        var given: Set<String> = []
        for (key, text) in parameters {
            guard given.insert(key).inserted else { throw LiveParameterError(key: key, message: "given more than once") }
            guard let row = rows.first(where: { $0.key == key }) else {
                throw LiveParameterError(
                    key: key,
                    message: "unknown parameter (\(kind.rawValue) maps take \(rows.map(\.key).joined(separator: ", ")))")
            }
            guard let bounds = liveBounds[key] else {
                let live = rows.map(\.key).filter { liveBounds[$0] != nil }
                throw LiveParameterError(
                    key: key,
                    message: live.isEmpty ? "map \(name) takes no URL parameters"
                        : "not a live parameter of map \(name) (live: \(live.joined(separator: ", ")))")
            }
            let value = try Self.parse(text, as: row)
            if let violation = row.violation(by: value, within: bounds) {
                throw LiveParameterError(key: key, message: violation)
            }
            settings.setValue(value, forKey: key)
        }
        if let (row, count, other, otherCount) = settings.lengthMismatch(among: rows) {
            throw LiveParameterError(
                key: row.key, message: "has \(MapSettings.count(count)) but \(other.key) has \(otherCount)")
        }
        if let (key, message) = settings.validationFailure() { throw LiveParameterError(key: key, message: message) }
        var variant = self
        variant.settings = settings
        return variant
    }

    /// The query that turns `base` into this map: each setting that differs, in table order, written canonically
    /// (shortest decimals, complex as `re,im` or a plain number); "" when they are equal.
    public func canonicalQuery(from base: MapDefinition) -> String {
        settings.descriptors.compactMap { row -> String? in
            guard let value = settings.value(forKey: row.key), value != base.settings.value(forKey: row.key) else {
                return nil
            }
            return "\(row.key)=\(Self.text(of: value))"
        }.joined(separator: "&")
    }

    /// A value as URLs write it; `parse` reads it back to the same value.
    public static func text(of value: SettingValue) -> String {
        let number = SettingBounds.text
        func complex(_ c: Complex) -> String {
            c.im == 0 && c.im.sign == .plus ? number(c.re) : "\(number(c.re)),\(number(c.im))"
        }
        return switch value {
        case .integer(let n): String(n)
        case .real(let x): number(x)
        case .complex(let c): complex(c)
        case .complexList(let list): list.map(complex).joined(separator: ";")
        case .choice(let name): name
        }
    }

    /// One URL value as a value of `row`'s type: integers as digits, numbers as plain decimals (no hex, inf or nan),
    /// complex as `re,im` or a number, lists as `v1;v2;...`, choices by name.
    static func parse(_ text: String, as row: SettingDescriptor) throws(LiveParameterError) -> SettingValue {
        let expected = LiveParameterError(key: row.key, message: "expected \(row.type.urlPhrase)")
        switch row.type {
        case .integer:
            let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw expected }
            guard let n = Int(text) else { throw LiveParameterError(key: row.key, message: "must be " + row.live.rangeText) }
            return .integer(n)
        case .real:
            guard let x = decimal(text) else { throw expected }
            return .real(x)
        case .complex:
            guard let c = complex(text) else { throw expected }
            return .complex(c)
        case .complexList:
            var list: [Complex] = []
            for part in text.split(separator: ";", omittingEmptySubsequences: false) {
                guard let c = complex(String(part)) else { throw expected }
                list.append(c)
            }
            return .complexList(list)
        case .choice:
            guard row.choices.contains(text) else {
                throw LiveParameterError(
                    key: row.key, message: "must be one of " + row.choices.joined(separator: ", "))
            }
            return .choice(text)
        }
    }

    private static func decimal(_ text: String) -> Double? {
        guard ProbePoint.isDecimal(text), let x = Double(text), x.isFinite else { return nil }
        return x
    }

    private static func complex(_ text: String) -> Complex? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 2, let re = decimal(String(parts[0])) else { return nil }
        guard parts.count == 2 else { return Complex(re) }
        guard let im = decimal(String(parts[1])) else { return nil }
        return Complex(re, im)
    }
}

extension SettingType {
    /// What a value of this type looks like in a URL, for errors.
    var urlPhrase: String {
        switch self {
        case .integer: "an integer"
        case .real: "a decimal number"
        case .complex: "a decimal number or re,im"
        case .complexList: "values separated by ; (each a decimal number or re,im)"
        case .choice: "a name"
        }
    }
}
