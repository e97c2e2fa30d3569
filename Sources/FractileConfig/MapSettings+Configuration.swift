import FractileMath

/// Reading a kind's own keys from config.json through its settings table (docs/maps.md keys and defaults): a table row
/// `weight.scale` is the member `scale` of the config object `weight`, any other row a key of its own.
extension MapSettings {
    /// The kind's own config keys in table order.
    var configurationKeys: [String] {
        var keys: [String] = []
        for key in descriptors.map(\.configKey) where !keys.contains(key) { keys.append(key) }
        return keys
    }

    /// Reads one of the kind's own keys; false when the kind has no such key.
    mutating func read(_ key: String, _ value: JSONValue, at path: String) throws(ConfigurationError) -> Bool {
        let rows = descriptors.filter { $0.configKey == key }
        guard let first = rows.first else { return false }
        if rows.count == 1, first.groupMember == nil {
            setValue(try value.setting(first, at: path), forKey: first.key)
            return true
        }
        let members = rows.compactMap(\.groupMember)
        let shape = rows.map { "\"\($0.groupMember ?? "")\": \($0.type == .complexList ? "[...]" : "...")" }
        var given: Set<String> = []
        try value.forEachMember(at: path, expected: "an object {\(shape.joined(separator: ", "))}") {
            member, memberValue, memberPath throws(ConfigurationError) in
            guard let row = rows.first(where: { $0.groupMember == member }) else {
                throw .unknownKey(memberPath, takers: "\(key) takes", allowed: members)
            }
            setValue(try memberValue.setting(row, at: memberPath), forKey: row.key)
            given.insert(member)
        }
        for row in rows where row.requiredInGroup && !given.contains(row.groupMember ?? "") {
            throw .missingKey(row.groupMember ?? row.key, in: path)
        }
        if let mismatch = lengthMismatch(among: rows) {
            throw ConfigurationError(
                path: path,
                message: "\(mismatch.0.groupMember ?? mismatch.0.key) has \(Self.count(mismatch.1)) but "
                    + "\(mismatch.2.groupMember ?? mismatch.2.key) has \(mismatch.3)")
        }
        return true
    }

    /// Checks that settings read separately fit together; `path` is the map's.
    func validate(at path: String) throws(ConfigurationError) {
        if let (key, message) = validationFailure() {
            throw ConfigurationError(path: ConfigurationPath.member(key, of: path), message: message)
        }
    }

    /// The first pair of lists among `rows` that must be equally long and are not, with their lengths.
    func lengthMismatch(among rows: [SettingDescriptor]) -> (SettingDescriptor, Int, SettingDescriptor, Int)? {
        for row in rows {
            guard let otherKey = row.sameLengthAs, let other = descriptors.first(where: { $0.key == otherKey }),
                case .complexList(let mine)? = value(forKey: row.key),
                case .complexList(let theirs)? = value(forKey: otherKey), mine.count != theirs.count
            else { continue }
            return (row, mine.count, other, theirs.count)
        }
        return nil
    }

    static func count(_ n: Int) -> String { "\(n) value\(n == 1 ? "" : "s")" }
}

extension JSONValue {
    /// The value of one settings-table row, checked against what config.json may hold.
    func setting(_ row: SettingDescriptor, at path: String) throws(ConfigurationError) -> SettingValue {
        let value: SettingValue
        switch row.type {
        case .integer:
            let range = Int(row.valid.min)...Int(row.valid.max)
            value = .integer(try integer(at: path, in: range))
        case .real:
            value = .real(try number(at: path))
        case .complex:
            value = .complex(try complex(at: path))
        case .complexList:
            let elements = try elements(at: path, expected: "an array of numbers or [re, im]")
            if elements.isEmpty { throw ConfigurationError(path: path, message: "must not be empty") }
            var samples: [Complex] = []
            for (index, element) in elements.enumerated() {
                samples.append(try element.complex(at: ConfigurationPath.element(index, of: path)))
            }
            value = .complexList(samples)
        case .choice:
            if case .string(let name) = self, row.choices.contains(name) {
                value = .choice(name)
            } else {
                let names = row.choices.map { "\"\($0)\"" }
                let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
                throw ConfigurationError(path: path, message: "expected \(list)")
            }
        }
        if let violation = row.violation(by: value, within: row.valid) {
            throw ConfigurationError(path: path, message: violation)
        }
        return value
    }
}
