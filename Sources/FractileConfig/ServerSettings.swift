import Glibc

/// How the HTTP server listens and serves; every field has a default, so config.json may omit any of them.
public struct ServerSettings: Sendable, Hashable {
    public var host = "0.0.0.0"
    /// 0 picks a free port; the server prints the one it bound (MAPS.md CLI).
    public var port = 8080
    /// Static files for `/` (the viewer).
    public var publicDirectory = "Public"
    /// Where the viewer's Leaflet comes from (Debian's libjs-leaflet).
    public var leafletDirectory = "/usr/share/javascript/leaflet"
    /// Open connections beyond this are refused.
    public var maxConnections = 1024
    /// A client has this long to send a request's headers.
    public var headerTimeoutSeconds = 10.0
    /// A keep-alive connection with no request for this long is closed.
    public var idleTimeoutSeconds = 60.0
    /// `Cache-Control: max-age` of tiles.
    public var maxAgeSeconds = 86400
    /// One line per request on standard output.
    public var accessLog = true
    /// Peer addresses (IP literals) of reverse proxies whose `X-Forwarded-For` names the real client, so that fair
    /// render scheduling tells the clients behind them apart. Empty: every client is its peer address.
    public var trustedProxies: [String] = []

    public init() {}

    static let keys = [
        "host", "port", "publicDirectory", "leafletDirectory", "maxConnections", "headerTimeoutSeconds",
        "idleTimeoutSeconds", "maxAgeSeconds", "accessLog", "trustedProxies",
    ]

    init(json: JSONValue, path: String) throws(ConfigurationError) {
        try json.forEachMember(at: path) { key, value, path throws(ConfigurationError) in
            switch key {
            case "host": host = try value.nonEmptyString(at: path)
            case "port": port = try value.integer(at: path, in: 0...65535)
            case "publicDirectory": publicDirectory = try value.nonEmptyString(at: path)
            case "leafletDirectory": leafletDirectory = try value.nonEmptyString(at: path)
            case "maxConnections": maxConnections = try value.integer(at: path, in: 1...Int.max)
            case "headerTimeoutSeconds": headerTimeoutSeconds = try value.positiveNumber(at: path)
            case "idleTimeoutSeconds": idleTimeoutSeconds = try value.positiveNumber(at: path)
            case "maxAgeSeconds": maxAgeSeconds = try value.integer(at: path, in: 0...Int.max)
            case "accessLog": accessLog = try value.bool(at: path)
            case "trustedProxies": trustedProxies = try Self.readAddresses(value, at: path)
            default: throw .unknownKey(path, takers: "server takes", allowed: Self.keys)
            }
        }
    }

    /// IP literals only (as peers are reported: `127.0.0.1`, `::1`), since a name would need a lookup per request.
    private static func readAddresses(_ value: JSONValue, at path: String) throws(ConfigurationError) -> [String] {
        var addresses: [String] = []
        for (index, element) in try value.elements(at: path, expected: "an array of IP addresses").enumerated() {
            let elementPath = ConfigurationPath.element(index, of: path)
            let address = try element.nonEmptyString(at: elementPath)
            var buffer = in6_addr()
            guard inet_pton(AF_INET, address, &buffer) == 1 || inet_pton(AF_INET6, address, &buffer) == 1 else {
                throw ConfigurationError(path: elementPath, message: "expected an IPv4 or IPv6 address, got \"\(address)\"")
            }
            addresses.append(address)
        }
        return addresses
    }
}
