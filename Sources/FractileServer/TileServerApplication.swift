import Foundation
import FractileConfig
import FractileHTTP
import FractileMath
import FractileRender

/// Answers every route of MAPS.md "HTTP". Bad input always gets a 4xx with a one-line reason, never a 500.
public final class TileServerApplication: HTTPRequestHandler {
    private let configuration: FractileConfiguration
    private let catalog: MapCatalog
    private let tiles: TileService
    private let metrics: ServerMetrics
    private let publicFiles: StaticFileServer
    private let leafletFiles: StaticFileServer
    private let gauges: @Sendable () -> ServerMetrics.Gauges
    private let tileCacheControl: String
    /// The fields every tile of any map is sent with, serialised once (the ETag is added per tile).
    private let tileHeaders: PreparedHeaders
    /// The maps in boxes, so that finding one on the request path does not copy its definition.
    private let servedMaps: [ServedMap]
    /// Dimension estimates render whole blocks of tiles: one at a time, off the event loop.
    private let dimensionQueue = DispatchQueue(label: "fractile.dimension")
    private let renderThreads: Int

    public init(configuration: FractileConfiguration, tiles: TileService, metrics: ServerMetrics,
                gauges: @escaping @Sendable () -> ServerMetrics.Gauges) {
        self.configuration = configuration
        self.catalog = MapCatalog(maps: configuration.maps)
        self.tiles = tiles
        self.metrics = metrics
        self.publicFiles = StaticFileServer(directory: configuration.server.publicDirectory)
        self.leafletFiles = StaticFileServer(directory: configuration.server.leafletDirectory)
        self.gauges = gauges
        self.tileCacheControl = "public, max-age=\(configuration.server.maxAgeSeconds)"
        self.servedMaps = configuration.maps.map(ServedMap.init)
        self.renderThreads = configuration.render.threads
        self.tileHeaders = PreparedHeaders([
            "Content-Type": "image/png", "Cache-Control": tileCacheControl, "Access-Control-Allow-Origin": "*",
        ])
    }

    public func handle(_ request: HTTPRequest, context: HTTPRequestContext,
                       respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let route: Route
        do {
            route = try Route.resolve(path: request.path)
        } catch {
            metrics.countRequest(route: "unknown", status: error.status.code)
            respond(.text(error.status, error.reason))
            return
        }
        let label = route.label
        // Every route but a tile answers before returning, so this needs no closure on the heap.
        func finish(_ response: HTTPResponse) {
            metrics.countRequest(route: label, status: response.status.code)
            respond(response)
        }
        switch route {
        case let .tile(name, z, x, y, scale):
            serveTile(request, context, map: name, TileCoordinate(z: z, x: x, y: y, scale: scale), respond)
        case .tileJSON(let name):
            guard let map = configuration.map(named: name) else { return finish(Self.unknownMap(name)) }
            switch Self.variant(of: map, query: request.query) {
            case .success(let variant):
                finish(json(catalog.tileJSON(variant, of: map, baseURL: Self.baseURL(of: request)), shared: true))
            case .failure(let rejection): finish(rejection.response)
            }
        case .mapList:
            finish(json(catalog.mapList(), shared: true))
        case .probe(let name):
            finish(probe(request, map: name))
        case .dimension(let name):
            dimension(request, map: name) { [metrics] response in
                metrics.countRequest(route: label, status: response.status.code)
                respond(response)
            }
        case .health:
            finish(.text(.ok, "ok"))
        case .metrics:
            var response = HTTPResponse.text(.ok, "")
            response.body = Array(metrics.exposition(gauges()).utf8)
            response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
            finish(response)
        case .vendor(let path):
            finish(staticFile(request, leafletFiles, path))
        case .file(let path):
            finish(staticFile(request, publicFiles, path))
        }
    }

    // MARK: Tiles

    /// Answers a tile request; a memory hit is answered before returning, with no closure made for it.
    private func serveTile(_ request: HTTPRequest, _ context: HTTPRequestContext, map name: String,
                           _ tile: TileCoordinate, _ respond: @escaping @Sendable (HTTPResponse) -> Void) {
        func finish(_ response: HTTPResponse) { answerTile(response, respond) }
        guard var served = servedMaps.first(where: { $0.definition.name == name }) else {
            return finish(Self.unknownMap(name))
        }
        do {
            try tile.validate(maxZoom: served.definition.maxZoom)
        } catch {
            return finish(.text(.notFound, "\(name) has no tile \(tile): \(error)"))
        }
        if let query = request.query, !query.isEmpty {
            // Live parameters: the same map with other settings, cached under their own settings hash.
            switch Self.variant(of: served.definition, query: query) {
            case .success(let variant): served = ServedMap(variant)
            case .failure(let rejection): return finish(rejection.response)
            }
        }
        // Tiles are pure functions of (settings, z, x, y, scale), so the validator needs no bytes: a revalidation is
        // answered without touching a cache or rendering.
        let settingsHash = served.definition.settingsHash
        if let candidates = request.headers["If-None-Match"] {
            let etag = Self.tileETag(settingsHash: settingsHash, tile)
            if Self.matches(candidates, etag) {
                let headers: HTTPHeaders = ["ETag": etag, "Cache-Control": tileCacheControl, "Access-Control-Allow-Origin": "*"]
                return finish(HTTPResponse(status: .notModified, headers: headers, body: [], logNote: "revalidated"))
            }
        }
        if let bytes = tiles.cachedTile(served.definition, tile) {
            return finish(tileResponse(bytes, .memory, settingsHash: settingsHash, tile))
        }
        tiles.fetchTile(served.definition, tile, isWanted: { context.isConnectionOpen }) { [self] result in
            func finish(_ response: HTTPResponse) { answerTile(response, respond) }
            switch result {
            case .success(let (bytes, source)):
                finish(tileResponse(bytes, source, settingsHash: settingsHash, tile))
            case .failure(.overloaded(let seconds)):
                var response = HTTPResponse.text(.serviceUnavailable, "the render queue is full; retry in \(seconds) s")
                response.headers["Retry-After"] = "\(seconds)"
                finish(response)
            case .failure(.abandoned):
                finish(.text(.serviceUnavailable, "the render was dropped because the client went away"))
            case .failure(.renderFailed(let reason)):
                finish(.text(.internalServerError, reason))
            }
        }
    }

    private func answerTile(_ response: HTTPResponse, _ respond: @Sendable (HTTPResponse) -> Void) {
        metrics.countRequest(route: "tile", status: response.status.code)
        respond(response)
    }

    private func tileResponse(_ bytes: [UInt8], _ source: TileService.Source, settingsHash: String,
                              _ tile: TileCoordinate) -> HTTPResponse {
        let headers = tileHeaders.appending("ETag") { Self.appendTileETag(settingsHash: settingsHash, tile, to: &$0) }
        return HTTPResponse(status: .ok, preparedHeaders: headers, body: bytes, logNote: source.rawValue)
    }

    /// `"<settingsHash>-<z>-<x>-<y>"`, with `@2x` before the closing quote for scale 2.
    static func tileETag(settingsHash: String, _ tile: TileCoordinate) -> String {
        var bytes: [UInt8] = []
        appendTileETag(settingsHash: settingsHash, tile, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The ETag's bytes, written without String interpolation: this runs for every tile request, and formatting
    /// the ETag as a String cost more than the cache lookup.
    static func appendTileETag(settingsHash: String, _ tile: TileCoordinate, to bytes: inout [UInt8]) {
        bytes.append(0x22)
        bytes.append(contentsOf: settingsHash.utf8)
        bytes.append(0x2D)
        appendDecimal(UInt128(tile.z), to: &bytes)
        bytes.append(0x2D)
        appendDecimal(tile.x, to: &bytes)
        bytes.append(0x2D)
        appendDecimal(tile.y, to: &bytes)
        if tile.scale == 2 { bytes.append(contentsOf: "@2x".utf8) }
        bytes.append(0x22)
    }

    private static func appendDecimal(_ value: UInt128, to bytes: inout [UInt8]) {
        // Tile indices below zoom 64 fit in 64 bits, where division by 10 is one instruction rather than a call.
        if let small = UInt64(exactly: value) { return appendDigits(small, to: &bytes) }
        appendDigits(value, to: &bytes)
    }

    private static func appendDigits<Value: FixedWidthInteger & UnsignedInteger>(_ value: Value, to bytes: inout [UInt8]) {
        let start = bytes.count
        var remaining = value
        repeat {
            bytes.append(0x30 + UInt8(remaining % 10))
            remaining /= 10
        } while remaining > 0
        bytes[start...].reverse()
    }

    /// If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored; `*` matches any.
    public static func matches(_ header: String?, _ etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: [" ", "\t"])
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }

    // MARK: Probe

    private func probe(_ request: HTTPRequest, map name: String) -> HTTPResponse {
        guard let configured = configuration.map(named: name) else { return Self.unknownMap(name) }
        let query = QueryString(request.query ?? "")
        let usage = "probe needs re and im as finite decimal numbers (any number of digits), e.g. /probe/\(name)?re=0.5&im=-1.25"
        guard let reText = query["re"], let imText = query["im"] else { return .text(.badRequest, usage) }
        let map: MapDefinition
        switch Self.variant(of: configured, query: request.query, besides: ["re", "im"]) {
        case .success(let variant): map = variant
        case .failure(let rejection): return rejection.response
        }
        let point: ProbePoint
        do {
            point = try ProbePoint(re: reText, im: imText)
        } catch {
            return .text(.badRequest, "\(usage): \(error)")
        }
        let p = point.complexValue
        let result = map.settings.probe(at: point)
        return json(result.json(mapName: map.name, re: p.re, im: p.im, arithmetic: point.arithmetic), shared: true)
    }

    // MARK: Dimension

    /// `GET /dimension/{map}?z=Z&x=X&y=Y&tiles=N` (+ live parameters): the box-counting dimension of the
    /// trains/blows-up boundary over tiles z/x..x+N-1/y..y+N-1, computed on a queue of its own.
    private func dimension(_ request: HTTPRequest, map name: String,
                           respond: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let configured = configuration.map(named: name) else { return respond(Self.unknownMap(name)) }
        let query = QueryString(request.query ?? "")
        let usage = "dimension needs z, x, y (the block's top-left tile) and optionally tiles (1 to "
            + "\(BoundaryDimension.maxTiles), default 2), e.g. /dimension/\(name)?z=3&x=2&y=5&tiles=2"
        guard let z = query["z"].flatMap({ Int($0) }), let x = query["x"].flatMap({ UInt128($0) }),
              let y = query["y"].flatMap({ UInt128($0) }) else { return respond(.text(.badRequest, usage)) }
        guard let tiles = query["tiles"].map({ Int($0) }) ?? 2 else { return respond(.text(.badRequest, usage)) }
        let map: MapDefinition
        switch Self.variant(of: configured, query: request.query, besides: ["z", "x", "y", "tiles"]) {
        case .success(let variant): map = variant
        case .failure(let rejection): return respond(rejection.response)
        }
        let renderer = TileRenderer(threads: renderThreads)
        // Validate before queueing, so a bad block is a 400 at once rather than after someone else's estimate.
        guard (1...BoundaryDimension.maxTiles).contains(tiles) else {
            return respond(.text(.badRequest, "\(BoundaryDimension.Failure.tiles(tiles))"))
        }
        dimensionQueue.async { [self] in
            do {
                let result = try BoundaryDimension(map: map, z: z, x: x, y: y, tiles: tiles, renderer: renderer)
                respond(json(result.json, shared: true))
            } catch {
                respond(.text(.notFound, "\(name): \(error)"))
            }
        }
    }

    // MARK: Live parameters

    /// A request's answer when its parameters cannot apply.
    struct ParameterRejection: Error {
        let response: HTTPResponse
    }

    /// `map` with the query's live parameters applied (MAPS.md "Live parameters in URLs"); names in `besides` belong
    /// to the route itself. Anything else that is not a live setting is refused, so no spelling is cached apart.
    static func variant(of map: MapDefinition, query: String?, besides: Set<String> = [])
        -> Result<MapDefinition, ParameterRejection>
    {
        guard let query, !query.isEmpty else { return .success(map) }
        guard let pairs = QueryString.pairs(query) else {
            return .failure(ParameterRejection(response: .text(.badRequest, "the query is not valid percent-encoded UTF-8")))
        }
        do {
            return .success(try map.applying(parameters: pairs.filter { !besides.contains($0.key) }))
        } catch {
            return .failure(ParameterRejection(response: .text(.badRequest, error.description)))
        }
    }

    // MARK: Helpers

    private func json(_ text: String, shared: Bool) -> HTTPResponse {
        var response = HTTPResponse(status: .ok, headers: HTTPHeaders(), body: Array(text.utf8))
        response.headers["Content-Type"] = "application/json"
        if shared {
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Cache-Control"] = "no-cache"
        }
        return response
    }

    private func staticFile(_ request: HTTPRequest, _ files: StaticFileServer, _ path: String) -> HTTPResponse {
        do {
            let file = try files.file(at: path)
            var headers = HTTPHeaders()
            headers["ETag"] = file.etag
            headers["Cache-Control"] = "no-cache"
            if Self.matches(request.headers["If-None-Match"], file.etag) {
                return HTTPResponse(status: .notModified, headers: headers, body: [])
            }
            headers["Content-Type"] = file.contentType
            return HTTPResponse(status: .ok, headers: headers, body: file.bytes)
        } catch {
            return .text(error.status, error.reason)
        }
    }

    private static func unknownMap(_ name: String) -> HTTPResponse {
        .text(.notFound, "no map named \"\(name)\"; /maps.json lists the maps")
    }

    /// Scheme and authority the client used, so TileJSON's template reaches us through any name or proxy. Only
    /// plain host characters are trusted; anything else falls back to localhost.
    static func baseURL(of request: HTTPRequest) -> String {
        let host = request.headers["Host"] ?? ""
        let hostIsPlain = !host.isEmpty && host.utf8.count <= 255 && isPlainASCII(host, alsoAllowing: ".-:[]_")
        let scheme = request.headers["X-Forwarded-Proto"] == "https" ? "https" : "http"
        let prefix = request.headers["X-Forwarded-Prefix"].flatMap { value -> String? in
            let trimmed = value.hasSuffix("/") ? String(value.dropLast()) : value
            let safe = trimmed.hasPrefix("/") && trimmed.utf8.count <= 200 && isPlainASCII(trimmed, alsoAllowing: "/-_.")
            return safe ? trimmed : nil
        } ?? ""
        return "\(scheme)://\(hostIsPlain ? host : "localhost")\(prefix)"
    }

    /// ASCII letters and digits plus `extra`: nothing that could break out of a URL or a JSON string.
    private static func isPlainASCII(_ text: String, alsoAllowing extra: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || extra.unicodeScalars.contains(scalar))
        }
    }
}

private final class ServedMap: Sendable {
    let definition: MapDefinition

    init(_ definition: MapDefinition) {
        self.definition = definition
    }
}
