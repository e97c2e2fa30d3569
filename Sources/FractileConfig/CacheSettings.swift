/// Where and how much of the rendered tiles are kept.
public struct CacheSettings: Sendable, Hashable {
    /// The disk cache's folder, relative to the working directory unless absolute.
    public var directory = "cache"
    /// Upper bound on the bytes of PNG kept in memory.
    public var memoryBytes = 268_435_456
    /// Upper bound on the bytes of PNG kept on disk.
    public var diskBytes = 4_294_967_296

    public init() {}

    static let keys = ["directory", "memoryBytes", "diskBytes"]

    init(json: JSONValue, path: String) throws(ConfigurationError) {
        try json.forEachMember(at: path) { key, value, path throws(ConfigurationError) in
            switch key {
            case "directory": directory = try value.nonEmptyString(at: path)
            case "memoryBytes": memoryBytes = try value.integer(at: path, in: 0...Int.max)
            case "diskBytes": diskBytes = try value.integer(at: path, in: 0...Int.max)
            default: throw .unknownKey(path, takers: "cache takes", allowed: Self.keys)
            }
        }
    }
}
