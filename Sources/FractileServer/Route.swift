// The fuzz target (mk/hardening.mk) compiles this file into one module with the HTTP sources.
import Glibc

#if canImport(FractileHTTP)
import FractileHTTP
#endif

/// What a request path asks for (MAPS.md "HTTP"), decided from the path alone: a pure function, tested without sockets.
public enum Route: Equatable, Sendable {
    case tile(map: String, z: Int, x: UInt128, y: UInt128, scale: Int)
    case tileJSON(map: String)
    case mapList
    /// OGC WMTS 1.0.0 capabilities (RESTful).
    case wmtsCapabilities
    /// Zoom video jobs: `POST /videos`, `GET|DELETE /videos/{id}`, `GET /videos/{id}.mp4`.
    case videos
    case video(id: String)
    case videoFile(id: String)
    case probe(map: String)
    case dimension(map: String)
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
        case .wmtsCapabilities: "wmts"
        case .videos, .video, .videoFile: "videos"
        case .probe: "probe"
        case .dimension: "dimension"
        case .health: "healthz"
        case .metrics: "metrics"
        case .vendor, .file: "static"
        }
    }

    /// The metrics label for a path `resolve` refused: the route it was aimed at, so bad tile coordinates count
    /// under `tile` rather than `unknown`.
    public static func label(ofRejected path: String) -> String {
        if hasPrefix(path, "/tiles/") { return path.hasSuffix(".json") ? "tilejson" : "tile" }
        if hasPrefix(path, "/probe/") { return "probe" }
        return "unknown"
    }

    /// Routes the raw (still percent-encoded) path of a request target.
    public static func resolve(path: String) throws(Rejection) -> Route {
        switch path {
        case "/healthz": return .health
        case "/metrics": return .metrics
        case "/maps.json": return .mapList
        case "/wmts/1.0.0/WMTSCapabilities.xml": return .wmtsCapabilities
        case "/videos": return .videos
        default: break
        }
        if hasPrefix(path, "/tiles/") {
            return try tileRoute(path, from: "/tiles/".utf8.count)
        }
        if path.hasPrefix("/videos/") {
            let name = path.dropFirst("/videos/".count)
            let id = name.hasSuffix(".mp4") ? name.dropLast(4) : name
            guard !id.isEmpty, id.utf8.count <= 64, id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw Rejection(status: .notFound, reason: "no video \"\(name)\"")
            }
            return name.hasSuffix(".mp4") ? .videoFile(id: String(id)) : .video(id: String(id))
        }
        if path.hasPrefix("/probe/") {
            let name = String(path.dropFirst("/probe/".count))
            guard isMapName(name) else { throw unknownMapRejection(name) }
            return .probe(map: name)
        }
        if path.hasPrefix("/dimension/") {
            let name = String(path.dropFirst("/dimension/".count))
            guard isMapName(name) else { throw unknownMapRejection(name) }
            return .dimension(map: name)
        }
        if path.hasPrefix("/vendor/leaflet/") {
            return .vendor(path: String(path.dropFirst("/vendor/leaflet/".count)))
        }
        guard path.hasPrefix("/") else { throw Rejection(status: .badRequest, reason: "the request target must be an absolute path") }
        return .file(path: String(path.dropFirst()))
    }

    /// `{map}.json` or `{map}/{z}/{x}/{y}.png` or `{map}/{z}/{x}/{y}@2x.png`.
    ///
    /// Read byte by byte: this runs for every tile request, and splitting into Strings was a tenth of a cached
    /// tile's CPU time.
    private static func tileRoute(_ path: String, from start: Int) throws(Rejection) -> Route {
        var path = path
        let parsed = path.withUTF8 { all -> Result<Route, Rejection> in
            let bytes = UnsafeBufferPointer(rebasing: all[start...])
            var slashes = (0, 0, 0)
            var slashCount = 0
            for index in bytes.indices where bytes[index] == 0x2F {
                switch slashCount {
                case 0: slashes.0 = index
                case 1: slashes.1 = index
                case 2: slashes.2 = index
                default: return .failure(tilePathRejection)
                }
                slashCount += 1
            }
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            if slashCount == 0 {
                let whole = text(0..<bytes.count)
                guard whole.hasSuffix(".json") else { return .failure(tilePathRejection) }
                let name = String(whole.dropLast(".json".count))
                guard isMapName(name) else { return .failure(unknownMapRejection(name)) }
                return .success(.tileJSON(map: name))
            }
            guard slashCount == 3 else { return .failure(tilePathRejection) }
            guard isMapName(UnsafeBufferPointer(rebasing: bytes[0..<slashes.0])) else {
                return .failure(unknownMapRejection(text(0..<slashes.0)))
            }
            let name = text(0..<slashes.0)
            var lastEnd = bytes.count
            guard UnsafeBufferPointer(rebasing: bytes[slashes.2 + 1..<lastEnd]).ends(with: ".png") else {
                return .failure(Rejection(status: .notFound, reason: "tiles end in .png or @2x.png"))
            }
            lastEnd -= ".png".count
            var scale = 1
            if UnsafeBufferPointer(rebasing: bytes[slashes.2 + 1..<lastEnd]).ends(with: "@2x") {
                scale = 2
                lastEnd -= 3
            }
            let zRange = slashes.0 + 1..<slashes.1, xRange = slashes.1 + 1..<slashes.2, yRange = slashes.2 + 1..<lastEnd
            let written = "\(text(zRange))/\(text(xRange))/\(text(yRange))"
            switch (coordinate(bytes, zRange), coordinate(bytes, xRange), coordinate(bytes, yRange)) {
            case let (.value(z), .value(x), .value(y)):
                // A zoom too large for Int is far past any maxZoom: no such tile.
                guard let z = Int(exactly: z) else { return .failure(noSuchTile(written)) }
                return .success(.tile(map: name, z: z, x: x, y: y, scale: scale))
            case (.notANumber, _, _), (_, .notANumber, _), (_, _, .notANumber):
                return .failure(Rejection(status: .badRequest, reason: "tile coordinates must be non-negative integers: \(written)"))
            case (.leadingZero, _, _), (_, .leadingZero, _), (_, _, .leadingZero):
                // One tile, one URL: `03` would be a second cache key (behind a CDN too) for the tile `3`.
                return .failure(Rejection(status: .notFound, reason: "tile coordinates are written without leading zeros: \(written)"))
            default:
                return .failure(noSuchTile(written))
            }
        }
        return try parsed.get()
    }

    /// A byte comparison: String.hasPrefix compares Characters, which is slow on the request path.
    private static func hasPrefix(_ path: String, _ prefix: StaticString) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            bytes.count >= prefix.utf8CodeUnitCount
                && memcmp(bytes.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
        }
    }

    private static let tilePathRejection = Rejection(
        status: .notFound, reason: "tiles are at /tiles/{map}/{z}/{x}/{y}.png or /tiles/{map}.json")

    private static func unknownMapRejection(_ name: String) -> Rejection {
        Rejection(status: .notFound, reason: "no map named \"\(name)\"")
    }

    private enum Coordinate {
        case value(UInt128)
        /// Not plain decimal digits (a sign, spaces, hex, nothing): 400.
        case notANumber
        /// `0` itself is fine; `03` is not the tile's URL: 404.
        case leadingZero
        /// More digits than any tile index of zoom 120 has (37): a valid number naming no tile, 404.
        case tooLarge
    }

    private static func noSuchTile(_ written: String) -> Rejection {
        Rejection(status: .notFound, reason: "no tile \(written): the index is outside every zoom's range")
    }

    /// Plain decimal digits only (no sign, no spaces, no hex), at most 37 so the value always fits.
    private static func coordinate(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Coordinate {
        guard !range.isEmpty, range.allSatisfy({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }) else { return .notANumber }
        if range.count > 1 && bytes[range.lowerBound] == 0x30 { return .leadingZero }
        guard range.count <= 37 else { return .tooLarge }
        var value: UInt128 = 0
        for index in range { value = value * 10 + UInt128(bytes[index] - 0x30) }
        return .value(value)
    }

    /// Map names as config.json allows them: lowercase letters, digits and '-'.
    static func isMapName(_ name: String) -> Bool {
        isMapName(name.utf8)
    }

    static func isMapName(_ name: some Collection<UInt8>) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}

private extension UnsafeBufferPointer<UInt8> {
    func ends(with suffix: StaticString) -> Bool {
        let tail = UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
        return count >= tail.count && self[(count - tail.count)...].elementsEqual(tail)
    }
}
