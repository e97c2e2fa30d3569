import FractileMath

/// Reading one entry of config.json's "maps" (docs/maps.md "Names that outside checks rely on").
extension MapDefinition {
    /// The keys every kind takes besides its own.
    static let commonKeys = ["name", "title", "description", "kind", "center", "span", "maxZoom", "live"]

    /// Reads a map; `takenNames` are the names of the maps before it. Errors come in document order: a key of
    /// the kind's own is read once "kind" is known, so a bad or missing "kind" is reported at the first such key.
    init(json: JSONValue, path: String, takenNames: Set<String>) throws(ConfigurationError) {
        var name: String?
        var title: String?
        var description: String?
        var center = Complex.zero
        var span = 4.0
        var maxZoom = 18
        var settings: MapSettings?
        var live: (value: JSONValue, path: String)?

        func resolveSettings() throws(ConfigurationError) -> MapSettings {
            if let settings { return settings }
            guard let kind = json["kind"] else { throw .missingKey("kind", in: path) }
            let kindPath = ConfigurationPath.member("kind", of: path)
            let name = try kind.string(at: kindPath)
            guard let resolved = MapSettings(defaultsFor: MapKind(rawValue: name)) else {
                let names = MapKind.allCases.map { "\"\($0.rawValue)\"" }
                throw ConfigurationError(
                    path: kindPath,
                    message: "expected " + names.dropLast().joined(separator: ", ") + " or " + names.last!)
            }
            settings = resolved
            return resolved
        }

        try json.forEachMember(at: path) { key, value, memberPath throws(ConfigurationError) in
            switch key {
            case "name": name = try Self.readName(value, at: memberPath, takenNames: takenNames)
            case "title": title = try value.nonEmptyString(at: memberPath)
            case "description": description = try value.string(at: memberPath)
            case "kind": _ = try resolveSettings()
            case "center": center = try value.complex(at: memberPath)
            case "span": span = try value.positiveNumber(at: memberPath)
            case "maxZoom": maxZoom = try value.integer(at: memberPath, in: 0...Self.maxZoomLimit)
            case "live": live = (value, memberPath)
            default:
                var current = try resolveSettings()
                guard try current.read(key, value, at: memberPath) else {
                    throw .unknownKey(
                        memberPath,
                        takers: "\(current.kind.rawValue) maps take",
                        allowed: current.configurationKeys + Self.commonKeys
                    )
                }
                settings = current
            }
        }
        guard let name else { throw .missingKey("name", in: path) }
        let resolved = try resolveSettings()
        try resolved.validate(at: path)
        let liveBounds = try live.map { live throws(ConfigurationError) in
            try Self.readLive(live.value, at: live.path, settings: resolved)
        }
        self.init(
            name: name,
            title: title,
            description: description,
            center: center,
            span: span,
            maxZoom: maxZoom,
            settings: resolved,
            liveBounds: liveBounds
        )
    }

    /// `"live"`: false (no URL parameters), true (every setting within its built-in bounds), or an object whose keys
    /// are settings (`learningRate`, `weight.scale`) or config objects (`weight`, `data`) and whose values are true
    /// or bounds narrowing the built-in ones: `{"min": a, "max": b, "minCount": m, "maxCount": n}`.
    static func readLive(_ json: JSONValue, at path: String, settings: MapSettings) throws(ConfigurationError)
        -> [String: SettingBounds]
    {
        let builtIn = builtInLiveBounds(of: settings)
        if case .bool(let on) = json { return on ? builtIn : [:] }
        var result: [String: SettingBounds] = [:]
        let rows = settings.descriptors
        let takers = rows.map(\.key) + settings.configurationKeys.filter { key in !rows.contains { $0.key == key } }
        try json.forEachMember(at: path, expected: "true, false or an object of settings") {
            key, value, memberPath throws(ConfigurationError) in
            let matching = rows.filter { $0.key == key || $0.configKey == key }
            if matching.isEmpty { throw .unknownKey(memberPath, takers: "live takes", allowed: takers) }
            if case .bool(let on) = value {
                for row in matching where on { result[row.key] = row.live }
                return
            }
            for row in matching {
                result[row.key] = try narrowedBounds(value, of: row, at: memberPath)
            }
        }
        return result
    }

    private static func narrowedBounds(_ json: JSONValue, of row: SettingDescriptor, at path: String)
        throws(ConfigurationError) -> SettingBounds
    {
        var bounds = row.live
        try json.forEachMember(at: path, expected: "true, false or an object {\"min\", \"max\", ...}") {
            key, value, memberPath throws(ConfigurationError) in
            switch key {
            case "min", "max":
                let x = try value.number(at: memberPath)
                guard row.live.violation(by: .real(x)) == nil || (key == "min" && x == row.live.min) else {
                    throw ConfigurationError(path: memberPath, message: "must be \(row.live.rangeText) (the built-in bounds)")
                }
                // A min at the built-in one keeps its exclusiveness; a higher one is inclusive.
                if key == "min" && x > bounds.min {
                    bounds.min = x
                    bounds.minExclusive = false
                }
                if key == "max" { bounds.max = Swift.min(bounds.max, x) }
            case "minCount", "maxCount":
                guard row.type == .complexList, let count = bounds.count else {
                    throw ConfigurationError(path: memberPath, message: "only lists take \(key)")
                }
                let n = try value.integer(at: memberPath, in: count)
                bounds.count = key == "minCount" ? n...Swift.max(n, count.upperBound) : Swift.min(count.lowerBound, n)...n
            default:
                throw .unknownKey(memberPath, takers: "live bounds take", allowed: ["min", "max", "minCount", "maxCount"])
            }
        }
        guard bounds.min <= bounds.max else { throw ConfigurationError(path: path, message: "min must not exceed max") }
        return bounds
    }

    /// Whether `name` can stand in a URL path segment as it is: 1 to 64 of a-z, 0-9 and '-'.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
            }
    }

    private static func readName(_ value: JSONValue, at path: String, takenNames: Set<String>)
        throws(ConfigurationError) -> String
    {
        let name = try value.string(at: path)
        guard isValidName(name) else {
            throw ConfigurationError(path: path, message: "must be 1 to 64 characters of a-z, 0-9 and '-'")
        }
        if takenNames.contains(name) { throw ConfigurationError(path: path, message: "duplicate map name \"\(name)\"") }
        return name
    }
}
