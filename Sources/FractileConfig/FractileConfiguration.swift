import Foundation

/// Everything config.json says: the server, rendering, caches and the maps (docs/maps.md "Names that outside checks
/// rely on"). Every section and every setting but the maps has a default.
public struct FractileConfiguration: Sendable, Hashable {
    public var server: ServerSettings
    public var render: RenderSettings
    public var cache: CacheSettings
    /// In the order config.json lists them; names are unique.
    public var maps: [MapDefinition]

    public init(
        server: ServerSettings = ServerSettings(),
        render: RenderSettings = RenderSettings(),
        cache: CacheSettings = CacheSettings(),
        maps: [MapDefinition]
    ) {
        self.server = server
        self.render = render
        self.cache = cache
        self.maps = maps
    }

    /// The map called `name`, if there is one.
    public func map(named name: String) -> MapDefinition? {
        maps.first { $0.name == name }
    }

    static let keys = ["server", "render", "cache", "maps"]

    /// Reads a configuration from JSON text. Reports the first problem in document order; `sourceName`, when
    /// given, prefixes syntax errors compiler-style (`config.json:12:5: expected ',' or '}'`).
    public static func parse(_ data: Data, sourceName: String? = nil) throws(ConfigurationError)
        -> FractileConfiguration
    {
        let json: JSONValue
        do {
            json = try JSONParser().parse(data)
        } catch {
            throw ConfigurationError(error, sourceName: sourceName)
        }
        return try FractileConfiguration(json: json)
    }

    /// Reads config.json (or another file). A file that cannot be read is an error with an empty path whose
    /// message names the file.
    public static func load(path: String) throws(ConfigurationError) -> FractileConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(path: "", message: Self.readFailure(path: path, error: error))
        }
        return try parse(data, sourceName: path)
    }

    private static func readFailure(path: String, error: any Error) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "\(path): no such configuration file"
        }
        if isDirectory.boolValue { return "\(path): is a directory, not a configuration file" }
        return "\(path): cannot be read (\(error.localizedDescription))"
    }

    init(json: JSONValue) throws(ConfigurationError) {
        var server = ServerSettings()
        var render = RenderSettings()
        var cache = CacheSettings()
        var maps: [MapDefinition] = []
        try json.forEachMember(at: "", expected: "a JSON object with \"server\", \"render\", \"cache\" and \"maps\"") {
            key, value, path throws(ConfigurationError) in
            switch key {
            case "server": server = try ServerSettings(json: value, path: path)
            case "render": render = try RenderSettings(json: value, path: path)
            case "cache": cache = try CacheSettings(json: value, path: path)
            case "maps": maps = try Self.readMaps(value, at: path)
            default: throw .unknownKey(path, takers: "the configuration takes", allowed: Self.keys)
            }
        }
        if maps.isEmpty { throw ConfigurationError(path: "maps", message: "must list at least one map") }
        self.init(server: server, render: render, cache: cache, maps: maps)
    }

    private static func readMaps(_ value: JSONValue, at path: String) throws(ConfigurationError) -> [MapDefinition] {
        let elements = try value.elements(at: path, expected: "an array of maps")
        if elements.isEmpty { throw ConfigurationError(path: path, message: "must list at least one map") }
        var maps: [MapDefinition] = []
        var names: Set<String> = []
        for (index, element) in elements.enumerated() {
            let map = try MapDefinition(
                json: element, path: ConfigurationPath.element(index, of: path), takenNames: names)
            names.insert(map.name)
            maps.append(map)
        }
        return maps
    }
}
