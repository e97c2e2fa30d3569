import FractileMath

extension MapDefinition {
    /// The FNV-1a 64 of `canonicalSettingsText`, as `settingsHash` stores it.
    static func settingsHash(of map: MapDefinition) -> String {
        var hash = FNV1a64()
        hash.combine(map.canonicalSettingsText.utf8)
        return hash.hexDigest
    }

    /// The text that `settingsHash` hashes: one `key value` line per setting, every Double as its bit pattern in
    /// hex, so that the hash never depends on how a number was written or formatted.
    var canonicalSettingsText: String {
        var text = CanonicalText()
        text.add("tileFormatVersion", Self.tileFormatVersion)
        text.add("kind", settings.kind.rawValue)
        text.add("center", center)
        text.add("span", span)
        // Every row of the kind's table, in table order: a setting cannot be read without being hashed.
        for row in settings.descriptors {
            if let value = settings.value(forKey: row.key) { text.add(row.key, value) }
        }
        return text.text
    }
}

/// Builds the canonical settings text line by line.
private struct CanonicalText {
    var text = ""

    mutating func add(_ key: String, _ value: String) { text += "\(key) \(value)\n" }
    mutating func add(_ key: String, _ value: Int) { add(key, String(value)) }
    mutating func add(_ key: String, _ value: Double) { add(key, Self.bits(value)) }
    mutating func add(_ key: String, _ value: Complex) { add(key, Self.bits(value)) }
    mutating func add(_ key: String, _ value: SettingValue) {
        switch value {
        case .integer(let n): add(key, n)
        case .real(let x): add(key, x)
        case .complex(let c): add(key, c)
        case .complexList(let list): add(key, ([String(list.count)] + list.map(Self.bits)).joined(separator: " "))
        case .choice(let name): add(key, name)
        }
    }

    static func bits(_ value: Complex) -> String { "\(bits(value.re)) \(bits(value.im))" }
    static func bits(_ value: Double) -> String { hex(value.bitPattern) }
}

/// 64-bit FNV-1a (Fowler, Noll, Vo): small, stable across runs and platforms, good enough to tell settings apart.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    var hexDigest: String { hex(value) }
}

/// 16 lowercase hex digits, zero-padded.
private func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
