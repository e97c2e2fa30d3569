import FractileMath

/// Reading one entry of config.json's "maps" (MAPS.md "Names that outside checks rely on").
extension MapDefinition {
    /// The keys every kind takes besides its own.
    static let commonKeys = ["name", "title", "description", "kind", "center", "span", "maxZoom"]

    /// Reads a map; `takenNames` are the names of the maps before it. Errors come in document order: a key of
    /// the kind's own is read once "kind" is known, so a bad or missing "kind" is reported at the first such key.
    init(json: JSONValue, path: String, takenNames: Set<String>) throws(ConfigurationError) {
        var name: String?
        var title: String?
        var description: String?
        var center = Complex.zero
        var span = 4.0
        var maxZoom = 18
        var maxIterations: Int?
        var settings: MapSettings?

        func resolveSettings() throws(ConfigurationError) -> MapSettings {
            if let settings { return settings }
            guard let kind = json["kind"] else { throw .missingKey("kind", in: path) }
            let resolved = MapSettings(
                defaultsFor: try kind.oneOf(MapKind.self, at: ConfigurationPath.member("kind", of: path)))
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
            case "maxIterations": maxIterations = try value.integer(at: memberPath, in: 1...Self.maxIterationsLimit)
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
        var resolved = try resolveSettings()
        if let maxIterations { resolved.setMaxIterations(maxIterations) }
        try resolved.validate(at: path)
        self.init(
            name: name,
            title: title,
            description: description,
            center: center,
            span: span,
            maxZoom: maxZoom,
            settings: resolved
        )
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
