// The fuzz target (mk/hardening.mk) compiles this file into one module with the HTTP sources.
#if canImport(FractileHTTP)
import FractileHTTP
#endif

/// What a request path asks for (MAPS.md "HTTP"), decided from the path alone: a pure function, tested without sockets.
public enum Route: Equatable, Sendable {
    case tile(map: String, z: Int, x: UInt128, y: UInt128, scale: Int)
    case tileJSON(map: String)
    case mapList
    case probe(map: String)
    case health
    case metrics
    case vendor(path: String)
    case file(path: String)

    /// A path that can never be served, with the status and the reason to give.
    public struct Rejection: Error, Equatable, Sendable {
        public let status: HTTPStatus
        public let reason: String
    }

    /// The metrics label for this route (bounded set of values).
    public var label: String {
        switch self {
        case .tile: "tile"
        case .tileJSON: "tilejson"
        case .mapList: "maps"
        case .probe: "probe"
        case .health: "healthz"
        case .metrics: "metrics"
        case .vendor, .file: "static"
        }
    }

    /// Routes the raw (still percent-encoded) path of a request target.
    public static func resolve(path: String) throws(Rejection) -> Route {
        switch path {
        case "/healthz": return .health
        case "/metrics": return .metrics
        case "/maps.json": return .mapList
        default: break
        }
        if path.hasPrefix("/tiles/") {
            return try tileRoute(String(path.dropFirst("/tiles/".count)))
        }
        if path.hasPrefix("/probe/") {
            let name = String(path.dropFirst("/probe/".count))
            guard isMapName(name) else { throw Rejection(status: .notFound, reason: "no map named \"\(name)\"") }
            return .probe(map: name)
        }
        if path.hasPrefix("/vendor/leaflet/") {
            return .vendor(path: String(path.dropFirst("/vendor/leaflet/".count)))
        }
        guard path.hasPrefix("/") else { throw Rejection(status: .badRequest, reason: "the request target must be an absolute path") }
        return .file(path: String(path.dropFirst()))
    }

    /// `{map}.json` or `{map}/{z}/{x}/{y}.png` or `{map}/{z}/{x}/{y}@2x.png`.
    private static func tileRoute(_ rest: String) throws(Rejection) -> Route {
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1, parts[0].hasSuffix(".json") {
            let name = String(parts[0].dropLast(".json".count))
            guard isMapName(name) else { throw Rejection(status: .notFound, reason: "no map named \"\(name)\"") }
            return .tileJSON(map: name)
        }
        guard parts.count == 4 else {
            throw Rejection(status: .notFound, reason: "tiles are at /tiles/{map}/{z}/{x}/{y}.png or /tiles/{map}.json")
        }
        let name = parts[0]
        guard isMapName(name) else { throw Rejection(status: .notFound, reason: "no map named \"\(name)\"") }
        var last = parts[3]
        guard last.hasSuffix(".png") else { throw Rejection(status: .notFound, reason: "tiles end in .png or @2x.png") }
        last.removeLast(".png".count)
        var scale = 1
        if last.hasSuffix("@2x") {
            scale = 2
            last.removeLast("@2x".count)
        }
        guard let z = coordinate(parts[1]).flatMap({ Int(exactly: $0) }), let x = coordinate(parts[2]),
              let y = coordinate(last) else {
            throw Rejection(status: .badRequest, reason: "tile coordinates must be non-negative integers: \(parts[1])/\(parts[2])/\(last)")
        }
        return .tile(map: name, z: z, x: x, y: y, scale: scale)
    }

    /// Plain decimal digits only (no sign, no spaces, no hex), at most 37 so the value always fits (tile indices
    /// of zoom 120 have 37 digits).
    private static func coordinate(_ text: String) -> UInt128? {
        guard !text.isEmpty, text.utf8.count <= 37, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt128(text)
    }

    /// Map names as config.json allows them: lowercase letters, digits and '-'.
    static func isMapName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}
