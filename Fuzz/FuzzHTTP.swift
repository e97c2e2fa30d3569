// libFuzzer target over everything a client's bytes reach before any file or render: the request parser, the
// incremental head search the event loop uses, routing, static-file path decoding and query strings.
//
// Built by `make fuzz` (mk/hardening.mk) with swiftc, together with the Sources files it exercises, into one module,
// so internal API (QueryString, StaticFileServer.decodedSegments) is reachable without changing Package.swift.
// Each invariant that fails calls `violated`, which prints the input and traps, so libFuzzer saves a crash file.
import Foundation
import Glibc

/// One resolved directory with a file inside and a symlink to a file outside, for `StaticFileServer.file(at:)`.
nonisolated(unsafe) private var fixture: (files: StaticFileServer, inside: [UInt8], outside: [UInt8])?

private func makeFixture() -> (files: StaticFileServer, inside: [UInt8], outside: [UInt8]) {
    let base = FileManager.default.temporaryDirectory.path + "/fractile-fuzz-\(getpid())"
    let root = base + "/public"
    try? FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
    let inside = Array("inside-public\n".utf8)
    let outside = Array("OUTSIDE-SECRET\n".utf8)
    _ = FileManager.default.createFile(atPath: root + "/index.html", contents: Data(inside))
    _ = FileManager.default.createFile(atPath: root + "/sub/a b.txt", contents: Data(inside))
    _ = FileManager.default.createFile(atPath: base + "/secret.txt", contents: Data(outside))
    _ = FileManager.default.createFile(atPath: root + "/.hidden", contents: Data(outside))
    _ = symlink(base + "/secret.txt", root + "/leak.txt")
    _ = symlink(base, root + "/up")
    return (StaticFileServer(directory: root), inside, outside)
}

private func violated(_ what: String, _ input: UnsafeRawBufferPointer) -> Never {
    let shown = String(decoding: input.prefix(600), as: UTF8.self).debugDescription
    fatalError("invariant violated: \(what)\ninput (\(input.count) bytes): \(shown)")
}

/// The request written back canonically: CRLF line ends, `name: value`, the body. It must parse to the same request.
private func serialize(_ request: HTTPRequest) -> [UInt8] {
    var text = "\(request.method) \(request.target) \(request.version)\r\n"
    for field in request.headers { text += "\(field.name): \(field.value)\r\n" }
    text += "\r\n"
    return Array(text.utf8) + request.body
}

private func isAllowedFailure(_ status: HTTPStatus) -> Bool {
    (400..<500).contains(status.code) || status.code == 501 || status.code == 505
}

private func checkParser(_ input: UnsafeRawBufferPointer, limits: HTTPParserLimits, deep: Bool) {
    let result = HTTPRequestParser.parse(input, limits: limits)
    switch result {
    case .needMoreData:
        // A complete head with no framing problem is never left waiting, except for a body still to come.
        break
    case .failure(let error):
        if !isAllowedFailure(error.status) { violated("parse failure with status \(error.status)", input) }
        if error.reason.isEmpty || error.reason.contains("\n") { violated("parse failure reason not one line", input) }
    case .request(let request, let consumed):
        if consumed <= 0 || consumed > input.count { violated("consumed \(consumed) of \(input.count)", input) }
        if !HTTPRequestParser.allowedMethods.contains(request.method) { violated("method \(request.method)", input) }
        if !request.path.hasPrefix("/") && !(request.path == "*" && request.method == "OPTIONS") {
            violated("path does not start with '/' (and is not OPTIONS *)", input)
        }
        if request.target.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) { violated("raw byte in target", input) }
        if request.path.utf8.contains(where: { $0 == UInt8(ascii: "?") }) { violated("'?' in path", input) }
        if request.version.major != 1 { violated("version \(request.version)", input) }
        if request.body.count > limits.maxBodyBytes { violated("body over the limit", input) }
        if request.headers.count > limits.maxHeaderCount { violated("too many headers", input) }
        if request.headers.contains("Transfer-Encoding") { violated("Transfer-Encoding accepted", input) }
        if request.version == .http1_1 && request.headers.values(for: "Host").count != 1 { violated("Host count", input) }
        if request.headers.values(for: "Host").count > 1 { violated("several Host headers", input) }
        for field in request.headers {
            if field.name.isEmpty || !field.name.utf8.allSatisfy(HTTPRequestParser.isToken) { violated("header name", input) }
            if field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) { violated("CR/LF/NUL in value", input) }
            if field.value.hasPrefix(" ") || field.value.hasSuffix(" ") { violated("untrimmed value", input) }
        }
        // The event loop parses only once it has seen a head end: every request must have one inside `consumed`.
        guard let head = HTTPRequestParser.headEnd(in: input) else { violated("request without a head end", input) }
        if head > consumed || consumed - head != request.body.count { violated("head end \(head) vs consumed \(consumed)", input) }

        let prefix = UnsafeRawBufferPointer(rebasing: input[0..<consumed])
        // Pipelining: what follows a request never changes it.
        if HTTPRequestParser.parse(prefix, limits: limits) != result { violated("request changes with trailing bytes", input) }

        // Strict prefixes are incomplete, never a different request and never refused: bytes arrive in any chunks.
        // A few cuts per input (just before the end, inside the head, halfway) keep the target fast.
        if deep {
            for cut in Set([consumed - 1, max(0, head - 1), consumed / 2, max(0, head - 3)]) where cut < consumed {
                let part = UnsafeRawBufferPointer(rebasing: input[0..<cut])
                switch HTTPRequestParser.parse(part, limits: limits) {
                case .needMoreData: break
                case .request: violated("a prefix of \(cut) bytes is already a request", input)
                case .failure(let error): violated("a prefix of \(cut) bytes is refused: \(error)", input)
                }
            }
        }

        // Written back canonically, it parses to the same request. CRLF and ": " lengthen the head a little, and
        // header values are decoded as UTF-8 with U+FFFD for invalid bytes (up to 3 bytes for each byte received).
        var relaxed = limits
        relaxed.maxHeaderBytes = 3 * limits.maxHeaderBytes + 2 * limits.maxHeaderCount + 2
        let again = serialize(request)
        let reparsed = again.withUnsafeBytes { HTTPRequestParser.parse($0, limits: relaxed) }
        guard case .request(let second, let secondConsumed) = reparsed, second == request, secondConsumed == again.count else {
            violated("canonical form re-parses as \(reparsed)", input)
        }
        checkRoute(request.path, input)
        if let query = request.query { checkQuery(query, input) }
    }

    // Incremental head search (EventLoop.processInput): resuming at max(0, n - 2) finds what a full search finds.
    let full = HTTPRequestParser.headEnd(in: input)
    let cut = input.count / 2
    if HTTPRequestParser.headEnd(in: UnsafeRawBufferPointer(rebasing: input[0..<cut])) == nil {
        let resumed = HTTPRequestParser.headEnd(in: input, from: max(0, cut - 2))
        if resumed != full { violated("head end resumed \(String(describing: resumed)) vs full \(String(describing: full))", input) }
    }
}

private func checkRoute(_ path: String, _ input: UnsafeRawBufferPointer) {
    let route: Route
    do {
        route = try Route.resolve(path: path)
    } catch {
        if !(400..<500).contains(error.status.code) { violated("route rejection status \(error.status)", input) }
        return
    }
    switch route {
    case let .tile(map, z, x, y, scale):
        if !Route.isMapName(map) || z < 0 || x < 0 || y < 0 || !(scale == 1 || scale == 2) { violated("tile route \(route)", input) }
    case .tileJSON(let map), .probe(let map):
        if !Route.isMapName(map) { violated("map name \(map)", input) }
    case .vendor(let relative), .file(let relative):
        checkStaticPath(relative, input)
    case .mapList, .health, .metrics:
        break
    }
}

/// Decoded segments never step out of the directory, and whatever is served is the file inside.
private func checkStaticPath(_ relative: String, _ input: UnsafeRawBufferPointer) {
    do {
        let segments = try StaticFileServer.decodedSegments(relative)
        for segment in segments {
            if segment == "." || segment == ".." || segment.hasPrefix(".") { violated("dot segment \(segment)", input) }
            if segment.contains("/") || segment.contains("\\") || segment.utf8.contains(0) { violated("separator in \(segment)", input) }
        }
    } catch {
        if !(400..<500).contains(error.status.code) { violated("refusal status \(error.status)", input) }
        return
    }
    if fixture == nil { fixture = makeFixture() }
    let (files, inside, _) = fixture!
    do {
        let file = try files.file(at: relative)
        if file.bytes != inside { violated("served a file other than the ones inside: \(file.bytes.count) bytes", input) }
    } catch {
        if !(400..<500).contains(error.status.code) { violated("file refusal status \(error.status)", input) }
    }
}

private func checkQuery(_ query: String, _ input: UnsafeRawBufferPointer) {
    let parsed = QueryString(query)
    for name in ["re", "im", ""] {
        if let value = parsed[name], !value.isEmpty, !query.contains("%"), !query.contains("+"), !query.contains(value) {
            violated("query value \(value) not in \(query)", input)
        }
    }
}

private let smallLimits = HTTPParserLimits(maxRequestLineBytes: 48, maxHeaderBytes: 96, maxHeaderCount: 4, maxBodyBytes: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    checkParser(input, limits: HTTPParserLimits(), deep: true)
    checkParser(input, limits: smallLimits, deep: true)
    // The same bytes taken as a path and as a query reach routing and decoding directly, not only through a request.
    let text = String(decoding: input.prefix(2048), as: UTF8.self)
    checkRoute(text.hasPrefix("/") ? text : "/" + text, input)
    checkQuery(text, input)
    return 0
}
