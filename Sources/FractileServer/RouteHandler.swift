import Foundation
import FractileConfig
import FractileHTTP
import FractileMath
import FractileRender
import FractileVideo

/// Answers every route of docs/maps.md "HTTP": the HTTP layer calls it per request; tiles come from the `TilePipeline`.
/// Bad input always gets a 4xx with a one-line reason, never a 500.
public final class RouteHandler: HTTPRequestHandler {
    private let configuration: FractileConfiguration
    private let catalog: MapCatalog
    private let tiles: TilePipeline
    private let metrics: ServerMetrics
    private let publicFiles: StaticFileServer
    private let leafletFiles: StaticFileServer
    private let gauges: @Sendable () -> ServerMetrics.Gauges
    /// Probes run here, off the event loops; their answers are kept in `probeCache`.
    private let probeWork: WorkPool
    private let probeCache = ProbeCache(capacityBytes: 8 << 20)
    /// Static files are read here, off the event loops.
    private let fileWork: WorkPool
    private let tileCacheControl: String
    private let trustedProxies: Set<String>
    /// The fields every tile of any map is sent with, serialised once (the ETag is added per tile).
    private let tileHeaders: PreparedHeaders
    /// The maps in boxes, so that finding one on the request path does not copy its definition.
    private let servedMaps: [ServedMap]
    /// Zoom video jobs, when this server makes videos.
    private let videos: VideoJobs?

    public init(configuration: FractileConfiguration, tiles: TilePipeline, metrics: ServerMetrics,
                videos: VideoJobs? = nil, probeWork: WorkPool, fileWork: WorkPool,
                gauges: @escaping @Sendable () -> ServerMetrics.Gauges) {
        self.configuration = configuration
        self.videos = videos
        self.probeWork = probeWork
        self.fileWork = fileWork
        self.catalog = MapCatalog(maps: configuration.maps)
        self.tiles = tiles
        self.metrics = metrics
        self.publicFiles = StaticFileServer(directory: configuration.server.publicDirectory)
        self.leafletFiles = StaticFileServer(directory: configuration.server.leafletDirectory)
        self.gauges = gauges
        self.tileCacheControl = "public, max-age=\(configuration.server.maxAgeSeconds)"
        self.trustedProxies = Set(configuration.server.trustedProxies)
        self.servedMaps = configuration.maps.map(ServedMap.init)
        self.tileHeaders = PreparedHeaders([
            "Content-Type": "image/png", "Cache-Control": tileCacheControl, "Access-Control-Allow-Origin": "*",
            "Access-Control-Expose-Headers": "ETag",
        ])
    }

    public func handle(_ request: HTTPRequest, context: HTTPRequestContext,
                       respond: @escaping @Sendable (HTTPResponse) -> Void) {
        if request.method == "OPTIONS" {
            metrics.countRequest(route: "options", status: HTTPStatus.noContent.code)
            return respond(Self.options(request))
        }
        let route: Route
        do {
            route = try Route.resolve(path: request.path)
        } catch {
            metrics.countRequest(route: Route.label(ofRejected: request.path), status: error.status.code)
            respond(Self.withCORS(.text(error.status, error.reason)))
            return
        }
        let label = route.label
        // POST and DELETE are for video jobs only; everything else is read with GET (or HEAD).
        guard Self.allows(route, request.method) else {
            let methods = Self.methods(route)
            metrics.countRequest(route: label, status: 405)
            var response = HTTPResponse.text(
                .methodNotAllowed, "\(request.method) is not allowed here; use \(methods.joined(separator: " or "))")
            response.headers["Allow"] = methods.joined(separator: ", ")
            return respond(Self.withCORS(response))
        }
        // Routes that answer before returning call it directly (no closure on the heap); probes and files pass it on.
        @Sendable func finish(_ response: HTTPResponse) {
            metrics.countRequest(route: label, status: response.status.code)
            respond(Self.withCORS(response))
        }
        switch route {
        case .tile, .vendor, .file:
            break  // these have validators of their own, checked where they are known
        default:
            // The other routes carry no ETag: only `If-Match: *` can hold (RFC 9110 §13.1.1).
            if Self.ifMatchFails(request.headers["If-Match"], etag: nil) { return finish(Self.preconditionFailed) }
        }
        switch route {
        case let .tile(name, z, x, y, scale):
            serveTile(request, context, map: name, TileCoordinate(z: z, x: x, y: y, scale: scale), respond)
        case .tileJSON(let name):
            guard let map = configuration.map(named: name) else { return finish(Self.unknownMap(name)) }
            switch Self.variant(of: map, query: request.query) {
            case .success(let variant):
                finish(json(catalog.tileJSON(variant, of: map, baseURL: Self.baseURL(of: request)), shared: true))
            case .failure(let refusal): finish(refusal.response)
            }
        case .mapList:
            finish(json(catalog.mapList(), shared: true))
        case .wmtsCapabilities:
            var response = HTTPResponse.text(.ok, "")
            response.body = Array(WMTSCapabilities(maps: configuration.maps).document(baseURL: Self.baseURL(of: request)).utf8)
            response.headers["Content-Type"] = "application/xml"
            response.headers["Cache-Control"] = "no-cache"
            finish(response)
        case .videos, .video:
            finish(videoJob(request, route))
        case .videoFile(let id):
            // The finished file is read from disk: off the loop, like any file.
            guard let videos else { return finish(.text(.notFound, "this server makes no videos")) }
            fileWork.respond(to: context, finish) {
                guard let bytes = videos.file(id) else { return .text(.notFound, "no finished video \(id)") }
                var response = HTTPResponse(status: .ok, headers: HTTPHeaders(), body: bytes)
                response.headers["Content-Type"] = "video/mp4"
                return response
            }
        case .probe(let name):
            probe(request, context, map: name, finish)
        case .dimension(let name):
            dimension(request, context, map: name, finish)
        case .health:
            finish(.text(.ok, "ok"))
        case .metrics:
            var response = HTTPResponse.text(.ok, "")
            response.body = Array(metrics.exposition(gauges()).utf8)
            response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
            finish(response)
        case .vendor(let path):
            let files = leafletFiles
            fileWork.respond(to: context, finish) { Self.staticFile(request, files, path) }
        case .file(let path):
            let files = publicFiles
            fileWork.respond(to: context, finish) { Self.staticFile(request, files, path) }
        }
    }

    /// Whether `route` takes `method`: checked on every request, so without building the list `methods` gives.
    private static func allows(_ route: Route, _ method: String) -> Bool {
        switch route {
        case .videos: method == "POST"
        case .video: method == "GET" || method == "HEAD" || method == "DELETE"
        default: method == "GET" || method == "HEAD"
        }
    }

    /// The methods `route` takes, for a 405's `Allow`.
    private static func methods(_ route: Route) -> [String] {
        switch route {
        case .videos: ["POST"]
        case .video: ["GET", "HEAD", "DELETE"]
        default: ["GET", "HEAD"]
        }
    }

    // MARK: Videos

    /// The zoom video job API: POST /videos (202, 409 while one is being made, 400), GET /videos/{id},
    /// DELETE /videos/{id} (204). Live parameters in the POST's query make a video of that variant.
    private func videoJob(_ request: HTTPRequest, _ route: Route) -> HTTPResponse {
        guard let videos else { return .text(.notFound, "this server makes no videos") }
        switch route {
        case .videos:
            let query = QueryString(request.query ?? "")
            let usage = "expected /videos?map=NAME&re=R&im=I&zoom=A-B&seconds=S&fps=F&size=WxH"
            let ownKeys: Set<String> = ["map", "re", "im", "zoom", "seconds", "fps", "size"]
            guard let name = query["map"], let reText = query["re"], let imText = query["im"],
                  let zoomText = query["zoom"], let secondsText = query["seconds"], let fpsText = query["fps"],
                  let sizeText = query["size"] else { return .text(.badRequest, usage) }
            guard let configured = configuration.map(named: name) else { return Self.unknownMap(name) }
            let map: MapDefinition
            switch Self.variant(of: configured, query: request.query, besides: ownKeys) {
            case .success(let variant): map = variant
            case .failure(let refusal): return refusal.response
            }
            // Read as the probe reads a point: exact decimals beyond a double's digits, so any depth the map allows.
            let center: WideComplex
            do {
                switch try ProbePoint(re: reText, im: imText) {
                case .double(let p): center = WideComplex(p)
                case .wide(let p): center = p
                }
            } catch {
                return .text(.badRequest, "re and im: \(error)")
            }
            guard let seconds = Double(secondsText), let fps = Int(fpsText) else {
                return .text(.badRequest, "seconds and fps: expected numbers, got \(secondsText) \(fpsText)")
            }
            let video: ZoomVideo
            do throws(ZoomVideo.ArgumentError) {
                let (width, height) = try ZoomVideo.parseSize(sizeText)
                video = try ZoomVideo(map: map, center: center, zooms: try ZoomVideo.parseZooms(zoomText),
                                      seconds: seconds, fps: fps, width: width, height: height)
            } catch {
                return .text(.badRequest, error.description)
            }
            guard video.frameCount <= VideoJobs.maximumFrames, video.width * video.height <= VideoJobs.maximumPixels else {
                return .text(.badRequest, "a server video has at most \(VideoJobs.maximumFrames) frames of at most "
                    + "\(VideoJobs.maximumPixels) pixels (1920x1080); `fractile video` makes bigger ones")
            }
            do throws(VideoJobs.SubmitError) {
                let job = try videos.submit(video)
                var response = json(
                    JSONText.object([("id", JSONText.string(job.id)), ("state", JSONText.string(job.state.rawValue))]),
                    shared: true)
                response.status = .accepted
                return response
            } catch {
                switch error {
                case .busy(let reason): return .text(.conflict, reason)
                }
            }
        case .video(let id):
            if request.method == "DELETE" {
                return videos.cancel(id) ? HTTPResponse(status: .noContent, headers: HTTPHeaders(), body: [])
                    : .text(.notFound, "no video \(id)")
            }
            guard let job = videos.job(id) else { return .text(.notFound, "no video \(id)") }
            return json(JSONText.object([
                ("id", JSONText.string(job.id)),
                ("state", JSONText.string(job.state.rawValue)),
                ("frames", "\(job.frames)"),
                ("framesDone", "\(job.framesDone)"),
                ("etaSeconds", job.etaSeconds.map { JSONText.number(($0 * 10).rounded() / 10) } ?? "null"),
                ("error", job.error.map(JSONText.string) ?? "null"),
                ("url", job.state == .done ? JSONText.string("videos/\(job.id).mp4") : "null"),
            ]), shared: true)
        default:
            return .text(.notFound, "no such video route")
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
            case .failure(let refusal): return finish(refusal.response)
            }
        }
        // Tiles are pure functions of (settings, z, x, y, scale), so the validator needs no bytes: a revalidation is
        // answered without touching a cache or rendering. If-Match goes first (RFC 9110 §13.2.2).
        let settingsHash = served.definition.settingsHash
        if let candidates = request.headers["If-Match"],
           Self.ifMatchFails(candidates, etag: Self.tileETag(settingsHash: settingsHash, tile)) {
            return finish(Self.preconditionFailed)
        }
        if let candidates = request.headers["If-None-Match"] {
            let etag = Self.tileETag(settingsHash: settingsHash, tile)
            if Self.matches(candidates, etag) {
                let headers: HTTPHeaders = ["ETag": etag, "Cache-Control": tileCacheControl]
                return finish(HTTPResponse(status: .notModified, headers: headers, body: [], logNote: "revalidated"))
            }
        }
        if let bytes = tiles.cachedTile(served.definition, tile) {
            return finish(tileResponse(bytes, .memory, settingsHash: settingsHash, tile))
        }
        tiles.fetchTile(served.definition, tile, client: Self.client(of: request, context, trustedProxies: trustedProxies),
                        isWanted: { context.isConnectionOpen }) { [self] result in
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
            case .failure(.notInArchive):
                finish(.text(.notFound, "\(name) has no tile \(tile) in its archives (the server answers it from archives only)"))
            }
        }
    }

    /// Who takes turns in the render queue: the peer's address without its port, so one browser's connections count
    /// as one client; behind a trusted proxy (`server.trustedProxies`), the rightmost `X-Forwarded-For` address that
    /// is not itself a trusted proxy (the ones left of it could be forged by the client).
    static func client(of request: HTTPRequest, _ context: HTTPRequestContext, trustedProxies: Set<String>) -> String {
        let address = context.remoteAddress
        let peer = address.lastIndex(of: ":").map { String(address[..<$0]) } ?? address
        guard !trustedProxies.isEmpty, trustedProxies.contains(peer),
              let forwarded = request.headers["X-Forwarded-For"] else { return peer }
        for hop in forwarded.split(separator: ",").reversed() {
            let candidate = hop.trimmingCharacters(in: [" ", "\t"])
            if !candidate.isEmpty && !trustedProxies.contains(candidate) { return String(candidate.prefix(64)) }
        }
        return peer
    }

    private func answerTile(_ response: HTTPResponse, _ respond: @Sendable (HTTPResponse) -> Void) {
        metrics.countRequest(route: "tile", status: response.status.code)
        // A tile's own prepared fields already carry CORS; errors and 304s get it here.
        respond(response.preparedHeaders == nil ? Self.withCORS(response) : response)
    }

    private func tileResponse(_ bytes: [UInt8], _ source: TilePipeline.Source, settingsHash: String,
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

    /// If-Match uses the strong comparison (RFC 9110 §13.1.1): a weak tag never matches; `*` matches whenever the
    /// resource exists. `etag` nil: the resource has no validator, so only `*` holds. No header: nothing fails.
    static func ifMatchFails(_ header: String?, etag: String?) -> Bool {
        guard let header else { return false }
        return !header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: [" ", "\t"])
            return tag == "*" || (etag != nil && tag == etag)
        }
    }

    private static let preconditionFailed = HTTPResponse.text(
        HTTPStatus(code: 412, reasonPhrase: "Precondition Failed"), "If-Match names no current representation of this resource")

    // MARK: CORS and OPTIONS

    /// Every answer may be read by a page from any origin, errors included (a viewer elsewhere must see why a tile
    /// failed), and such a page may read the ETag to revalidate.
    static func withCORS(_ response: HTTPResponse) -> HTTPResponse {
        guard !response.headers.contains("Access-Control-Allow-Origin") else { return response }
        var response = response
        response.headers.add(name: "Access-Control-Allow-Origin", value: "*")
        response.headers.add(name: "Access-Control-Expose-Headers", value: "ETag")
        return response
    }

    /// `OPTIONS *` and `OPTIONS /path` say what the server allows (RFC 9110 §9.3.7); a CORS preflight (it carries
    /// `Access-Control-Request-Method`) is allowed for GET and HEAD from any origin with the validator headers.
    static func options(_ request: HTTPRequest) -> HTTPResponse {
        var headers: HTTPHeaders = ["Allow": HTTPRequestParser.allowedMethods.joined(separator: ", ")]
        if request.headers.contains("Access-Control-Request-Method") {
            headers.add(name: "Access-Control-Allow-Origin", value: "*")
            headers.add(name: "Access-Control-Allow-Methods", value: HTTPRequestParser.allowedMethods.joined(separator: ", "))
            headers.add(name: "Access-Control-Allow-Headers", value: "If-None-Match, If-Match, If-Modified-Since")
            headers.add(name: "Access-Control-Max-Age", value: "86400")
        }
        return HTTPResponse(status: .noContent, headers: headers)
    }

    // MARK: Probe

    /// Checks the query on the loop (a bad one is answered at once), answers a repeated probe from the cache, and
    /// computes a new one on the probe pool.
    private func probe(_ request: HTTPRequest, _ context: HTTPRequestContext, map name: String,
                       _ finish: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let configured = configuration.map(named: name) else { return finish(Self.unknownMap(name)) }
        let query = QueryString(request.query ?? "")
        let point: ProbePoint
        switch Self.probePoint(query, map: name) {
        case .success(let value): point = value
        case .failure(let refusal): return finish(refusal.response)
        }
        let map: MapDefinition
        switch Self.variant(of: configured, query: request.query, besides: ["re", "im"]) {
        case .success(let variant): map = variant
        case .failure(let refusal): return finish(refusal.response)
        }
        let key = ProbeCache.Key(map: map.name, settingsHash: map.settingsHash, re: query["re"] ?? "", im: query["im"] ?? "")
        if let body = probeCache.get(key) { return finish(Self.json(body)) }
        let cache = probeCache
        probeWork.respond(to: context, finish) {
            let p = point.complexValue
            let result = map.settings.probe(at: point)
            let body = Array(result.json(mapName: map.name, re: p.re, im: p.im, arithmetic: point.arithmetic).utf8)
            cache.put(key, body)
            return Self.json(body)
        }
    }

    private static func probePoint(_ query: QueryString, map name: String) -> Result<ProbePoint, Refusal> {
        let usage = "probe needs re and im as finite decimal numbers (any number of digits), e.g. /probe/\(name)?re=0.5&im=-1.25"
        guard let reText = query["re"], let imText = query["im"] else {
            return .failure(Refusal(response: .text(.badRequest, usage)))
        }
        do {
            return .success(try ProbePoint(re: reText, im: imText))
        } catch {
            return .failure(Refusal(response: .text(.badRequest, "\(usage): \(error)")))
        }
    }

    // MARK: Dimension

    /// `GET /dimension/{map}?z=Z&x=X&y=Y&tiles=N` (+ live parameters): the box-counting dimension of the
    /// trains/blows-up boundary over tiles z/x..x+N-1/y..y+N-1, computed on the compute pool.
    private func dimension(_ request: HTTPRequest, _ context: HTTPRequestContext, map name: String,
                           _ finish: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let configured = configuration.map(named: name) else { return finish(Self.unknownMap(name)) }
        let query = QueryString(request.query ?? "")
        let usage = "dimension needs z, x, y (the block's top-left tile) and optionally tiles (1 to "
            + "\(BoundaryDimension.maxTiles), default 2), e.g. /dimension/\(name)?z=3&x=2&y=5&tiles=2"
        guard let z = query["z"].flatMap({ Int($0) }), let x = query["x"].flatMap({ UInt128($0) }),
              let y = query["y"].flatMap({ UInt128($0) }) else { return finish(.text(.badRequest, usage)) }
        guard let tiles = query["tiles"].map({ Int($0) }) ?? 2 else { return finish(.text(.badRequest, usage)) }
        let map: MapDefinition
        switch Self.variant(of: configured, query: request.query, besides: ["z", "x", "y", "tiles"]) {
        case .success(let variant): map = variant
        case .failure(let refusal): return finish(refusal.response)
        }
        // Validate before queueing, so a bad block is a 400 at once rather than after someone else's estimate.
        guard (1...BoundaryDimension.maxTiles).contains(tiles) else {
            return finish(.text(.badRequest, "\(BoundaryDimension.Failure.tiles(tiles))"))
        }
        let renderer = TileRenderer(threads: configuration.render.threads)
        probeWork.respond(to: context, finish) {
            do {
                let result = try BoundaryDimension(map: map, z: z, x: x, y: y, tiles: tiles, renderer: renderer)
                return Self.json(Array(result.json.utf8))
            } catch {
                return .text(.notFound, "\(name): \(error)")
            }
        }
    }

    // MARK: Live parameters

    /// A request's answer when its query cannot apply.
    struct Refusal: Error {
        let response: HTTPResponse
    }

    /// `map` with the query's live parameters applied (docs/maps.md "Live parameters in URLs"); names in `besides` belong
    /// to the route itself. Anything else that is not a live setting is refused, so no spelling is cached apart.
    static func variant(of map: MapDefinition, query: String?, besides: Set<String> = [])
        -> Result<MapDefinition, Refusal>
    {
        guard let query, !query.isEmpty else { return .success(map) }
        guard let pairs = QueryString.pairs(query) else {
            return .failure(Refusal(response: .text(.badRequest, "the query is not valid percent-encoded UTF-8")))
        }
        do {
            return .success(try map.applying(parameters: pairs.filter { !besides.contains($0.key) }))
        } catch {
            return .failure(Refusal(response: .text(.badRequest, error.description)))
        }
    }

    // MARK: Helpers

    private func json(_ text: String, shared: Bool) -> HTTPResponse {
        Self.json(Array(text.utf8), shared: shared)
    }

    private static func json(_ body: [UInt8], shared: Bool = true) -> HTTPResponse {
        var response = HTTPResponse(status: .ok, headers: HTTPHeaders(), body: body)
        response.headers["Content-Type"] = "application/json"
        if shared {
            response.headers["Cache-Control"] = "no-cache"
        }
        return response
    }

    /// Runs on the file pool: it reads the disk.
    private static func staticFile(_ request: HTTPRequest, _ files: StaticFileServer, _ path: String) -> HTTPResponse {
        do {
            let file = try files.file(at: path)
            if Self.ifMatchFails(request.headers["If-Match"], etag: file.etag) { return Self.preconditionFailed }
            var headers = HTTPHeaders()
            headers["ETag"] = file.etag
            headers["Last-Modified"] = file.lastModified
            headers["Cache-Control"] = "no-cache"
            // If-Modified-Since counts only without If-None-Match (RFC 9110 §13.1.3); an exact date is enough here,
            // since browsers send back the Last-Modified they were given.
            let notModified = request.headers["If-None-Match"].map { Self.matches($0, file.etag) }
                ?? (request.headers["If-Modified-Since"] == file.lastModified)
            if notModified {
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
