/// How tiles are rendered.
public struct RenderSettings: Sendable, Hashable {
    /// Render threads; 0 means one per core.
    public var threads = 0
    /// Renders that may wait for a thread; beyond this a tile request gets 503 rather than an ever longer wait.
    public var queueLimit = 256

    public init() {}

    static let keys = ["threads", "queueLimit"]

    init(json: JSONValue, path: String) throws(ConfigurationError) {
        try json.forEachMember(at: path) { key, value, path throws(ConfigurationError) in
            switch key {
            case "threads": threads = try value.integer(at: path, in: 0...Int.max)
            case "queueLimit": queueLimit = try value.integer(at: path, in: 0...Int.max)
            default: throw .unknownKey(path, takers: "render takes", allowed: Self.keys)
            }
        }
    }
}
