/// An HTTP/1.x request parser (RFC 9112): a pure function from the bytes received so far to
/// `needMoreData`, one request and how many bytes it used, or a failure with its status.
///
/// Strict by design, as a public server should be: bare LF line endings are tolerated
/// (RFC 9112 §2.2), everything else that is malformed is refused.
public enum HTTPRequestParser {
    /// The methods this server implements; other methods of RFC 9110 §9 get 405 with this list in `Allow`. POST and
    /// DELETE are for jobs (zoom videos) and take their arguments in the query, never in a body.
    public static let allowedMethods = ["GET", "HEAD", "OPTIONS", "POST", "DELETE"]

    /// Methods RFC 9110 §9 (and RFC 5789) define; any other is unrecognised and gets 501 (RFC 9110 §9.1).
    public static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]

    /// Whether the head at the start of `bytes` is complete, valid and asks `Expect: 100-continue` while its body has
    /// not all arrived: the server then sends `100 Continue` (RFC 9110 §10.1.1) instead of waiting for a body the
    /// client is holding back. Only HTTP/1.1 clients are sent one (RFC 9110 §15.2).
    public static func expectsContinue(_ bytes: UnsafeRawBufferPointer, limits: HTTPParserLimits = HTTPParserLimits()) -> Bool {
        var parser = Parser(bytes: bytes, limits: limits)
        guard case .needMoreData = (try? parser.parse()) ?? .needMoreData else { return false }
        return parser.awaitsContinue
    }

    /// Parses the request at the start of `bytes`.
    public static func parse(_ bytes: some Collection<UInt8>, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseResult {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(UnsafeRawBufferPointer($0), limits: limits) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes { parse($0, limits: limits) }
    }

    /// Parses the request at the start of `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseResult {
        var parser = Parser(bytes: bytes, limits: limits)
        do {
            return try parser.parse()
        } catch {
            return .failure(error)
        }
    }

    /// The index just past the empty line that ends a request head, searching line ends at or after `start`.
    ///
    /// For incremental reads: when this returns nil, a later search may start at
    /// `max(0, bytes.count - 2)`, so the bytes already searched are not searched again.
    public static func headEnd(in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        let count = bytes.count
        var index = max(0, start)
        while index < count {
            guard let base = bytes.baseAddress,
                  let found = memchrIndex(base, LF, from: index, to: count) else { return nil }
            if found + 1 < count && bytes[found + 1] == LF { return found + 2 }
            if found + 2 < count && bytes[found + 1] == CR && bytes[found + 2] == LF { return found + 3 }
            index = found + 1
        }
        return nil
    }

    static let CR: UInt8 = 0x0D
    static let LF: UInt8 = 0x0A
    static let SP: UInt8 = 0x20
    static let HTAB: UInt8 = 0x09

    static func memchrIndex(_ base: UnsafeRawPointer, _ byte: UInt8, from start: Int, to end: Int) -> Int? {
        guard start < end, let hit = memchr(base + start, Int32(byte), end - start) else { return nil }
        return UnsafeRawPointer(hit) - base
    }

    /// tchar (RFC 9110 §5.6.2).
    static let isTokenByte = byteTable(alphanumericsAnd: "!#$%&'*+-.^_`|~")

    /// For each byte, whether it is an ASCII letter or digit or one of `extra`: a lookup, as these run per byte.
    static func byteTable(alphanumericsAnd extra: String) -> [Bool] {
        (0...255).map { value in
            let byte = UInt8(value)
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            default:
                return extra.utf8.contains(byte)
            }
        }
    }

    static func isToken(_ byte: UInt8) -> Bool { isTokenByte[Int(byte)] }

    /// `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2): an IP literal in brackets or a reg-name (IPv4 is
    /// one), then optional digits. Empty is valid (a target without an authority). Anything else is refused with 400.
    static func isValidHost(_ value: String) -> Bool {
        var bytes = Substring(value).utf8[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = bytes[bytes.index(after: bytes.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy({ isHostByte($0) || $0 == UInt8(ascii: ":") }) else { return false }
            bytes = bytes[bytes.index(after: close)...]
        } else {
            let nameEnd = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.endIndex
            guard bytes[..<nameEnd].allSatisfy(isHostByte) else { return false }
            bytes = bytes[nameEnd...]
        }
        guard let colon = bytes.first else { return true }
        return colon == UInt8(ascii: ":") && bytes.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// unreserved, pct-encoded and sub-delims bytes (RFC 3986 §3.2.2 reg-name).
    private static let isHostByteTable = byteTable(alphanumericsAnd: "-._~%!$&'()*+,;=")

    private static func isHostByte(_ byte: UInt8) -> Bool { isHostByteTable[Int(byte)] }
}

import Glibc

private struct Parser {
    typealias P = HTTPRequestParser
    let bytes: UnsafeRawBufferPointer
    let limits: HTTPParserLimits
    /// Set by `parse` when the head is complete and asks for `100 Continue` before a body still to come.
    var awaitsContinue = false

    init(bytes: UnsafeRawBufferPointer, limits: HTTPParserLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    func fail(_ status: HTTPStatus, _ reason: String) -> HTTPParseError {
        HTTPParseError(status, reason)
    }

    mutating func parse() throws(HTTPParseError) -> HTTPParseResult {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return .needMoreData }

        // Request line (RFC 9112 §3). Look for its end no further than the limit allows.
        let window = min(count, limits.maxRequestLineBytes + 2)
        guard let lineFeed = P.memchrIndex(base, P.LF, from: 0, to: window) else {
            if count > limits.maxRequestLineBytes + 1 {
                throw fail(.uriTooLong, "request line longer than \(limits.maxRequestLineBytes) bytes")
            }
            try checkPartialRequestLine(upTo: count)
            return .needMoreData
        }
        let lineEnd = lineFeed > 0 && bytes[lineFeed - 1] == P.CR ? lineFeed - 1 : lineFeed
        if lineEnd > limits.maxRequestLineBytes {
            throw fail(.uriTooLong, "request line longer than \(limits.maxRequestLineBytes) bytes")
        }
        let line = try parseRequestLine(end: lineEnd)
        do {
            return try parse(line, lineFeed: lineFeed)
        } catch {
            // The request line was read: the access log can name what was refused.
            var error = error
            error.method = line.method
            error.target = line.target
            throw error
        }
    }

    mutating func parse(_ line: RequestLine, lineFeed: Int) throws(HTTPParseError) -> HTTPParseResult {
        let count = bytes.count

        // Header section (RFC 9112 §5), bounded before it is complete.
        let headerStart = lineFeed + 1
        let headEnd: Int
        // An empty header section: the empty line may be the last byte received (`GET / HTTP/1.0\n\n`).
        if headerStart < count && bytes[headerStart] == P.LF {
            headEnd = headerStart + 1
        } else if headerStart + 1 < count && bytes[headerStart] == P.CR && bytes[headerStart + 1] == P.LF {
            headEnd = headerStart + 2
        } else if let found = P.headEnd(in: bytes, from: headerStart) {
            headEnd = found
        } else {
            if count - headerStart > limits.maxHeaderBytes + 2 {
                throw fail(.requestHeaderFieldsTooLarge, "header section larger than \(limits.maxHeaderBytes) bytes")
            }
            return .needMoreData
        }
        if headEnd - headerStart > limits.maxHeaderBytes + 2 {
            throw fail(.requestHeaderFieldsTooLarge, "header section larger than \(limits.maxHeaderBytes) bytes")
        }
        let (headers, seen) = try parseHeaders(from: headerStart, to: headEnd)

        // Host (RFC 9112 §3.2): exactly one in HTTP/1.1, at most one otherwise.
        let hostCount = seen.hosts
        if hostCount > 1 { throw fail(.badRequest, "more than one Host header") }
        if hostCount == 0 && line.version == .http1_1 {
            throw fail(.badRequest, "missing Host header (required in HTTP/1.1)")
        }
        if hostCount == 1, let host = headers["Host"], !HTTPRequestParser.isValidHost(host) {
            throw fail(.badRequest, "invalid Host header: expected host[:port]")
        }

        // Message framing (RFC 9112 §6).
        let contentLength = seen.framing ? try parseFraming(headers) : 0

        guard HTTPRequestParser.allowedMethods.contains(line.method) else {
            guard HTTPRequestParser.knownMethods.contains(line.method) else {
                throw fail(.notImplemented, "method \(line.method) not implemented; use \(HTTPRequestParser.allowedMethods.joined(separator: ", "))")
            }
            throw fail(.methodNotAllowed, "method \(line.method) not allowed; use \(HTTPRequestParser.allowedMethods.joined(separator: ", "))")
        }
        if line.path == "*" && line.method != "OPTIONS" {
            throw fail(.badRequest, "the request target * is only for OPTIONS")
        }
        if contentLength > 0 && (line.method == "POST" || line.method == "DELETE") {
            throw fail(.contentTooLarge, "\(line.method) takes no body here; its arguments go in the query")
        }
        if contentLength > limits.maxBodyBytes {
            throw fail(.contentTooLarge, "request body larger than \(limits.maxBodyBytes) bytes")
        }
        let total = headEnd + contentLength
        guard count >= total else {
            awaitsContinue = line.version == .http1_1 && headers.containsToken("100-continue", in: "Expect")
            return .needMoreData
        }

        let request = HTTPRequest(
            method: line.method, target: line.target, path: line.path, query: line.query,
            version: line.version, headers: headers,
            body: contentLength > 0 ? Array(bytes[headEnd..<total]) : [],
            keepAlive: seen.connection ? HTTPRequest.persists(version: line.version, headers: headers)
                : line.version == .http1_1
        )
        return .request(request, consumed: total)
    }

    /// Refuses a request line early when what has arrived already cannot start a valid one
    /// (so garbage is answered without waiting for a line end).
    func checkPartialRequestLine(upTo end: Int) throws(HTTPParseError) {
        var index = 0
        while index < end && P.isToken(bytes[index]) { index += 1 }
        if index < end && bytes[index] != P.SP {
            throw fail(.badRequest, "invalid character in method")
        }
    }

    struct RequestLine {
        var method: String
        var target: String
        var path: String
        var query: String?
        var version: HTTPVersion
    }

    /// `method SP request-target SP HTTP-version` (RFC 9112 §3), one space each.
    func parseRequestLine(end: Int) throws(HTTPParseError) -> RequestLine {
        var index = 0
        while index < end && P.isToken(bytes[index]) { index += 1 }
        guard index > 0, index < end, bytes[index] == P.SP else {
            if index == 0 && end == 0 { throw fail(.badRequest, "empty request line") }
            throw fail(.badRequest, "malformed request line: method must be a token followed by one space")
        }
        let method = string(0, index)
        let targetStart = index + 1
        index = targetStart
        while index < end && bytes[index] != P.SP {
            let byte = bytes[index]
            guard byte > 0x20 && byte < 0x7F else {
                throw fail(.badRequest, "invalid character in request target (controls and non-ASCII must be percent-encoded)")
            }
            index += 1
        }
        guard index > targetStart else { throw fail(.badRequest, "malformed request line: empty request target") }
        guard index < end else { throw fail(.badRequest, "malformed request line: missing HTTP version") }
        let target = string(targetStart, index)
        let version = try parseVersion(from: index + 1, to: end)

        if bytes[targetStart] == UInt8(ascii: "/") {
            // Origin-form, nearly every request: split at the first `?` without Character processing.
            guard let base = bytes.baseAddress, let mark = P.memchrIndex(base, UInt8(ascii: "?"), from: targetStart, to: index) else {
                return RequestLine(method: method, target: target, path: target, query: nil, version: version)
            }
            return RequestLine(method: method, target: target, path: string(targetStart, mark),
                               query: string(mark + 1, index), version: version)
        }
        // Asterisk-form, for a server-wide OPTIONS (RFC 9112 §3.2.4); the method is checked with the others.
        if index == targetStart + 1 && bytes[targetStart] == UInt8(ascii: "*") {
            return RequestLine(method: method, target: target, path: target, query: nil, version: version)
        }
        // Absolute-form, which servers must accept (RFC 9112 §3.2.2).
        var pathAndQuery = Substring(target)
        if !target.hasPrefix("/") {
            let lower = target.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw fail(.badRequest, "request target must start with '/'")
            }
            let afterScheme = target[target.firstRange(of: "://")!.upperBound...]
            if let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                pathAndQuery = afterScheme[slash...]
                if pathAndQuery.hasPrefix("?") { pathAndQuery = "/" + pathAndQuery }
            } else {
                pathAndQuery = "/"
            }
        }
        let path: String
        let query: String?
        if let mark = pathAndQuery.firstIndex(of: "?") {
            path = String(pathAndQuery[..<mark])
            query = String(pathAndQuery[pathAndQuery.index(after: mark)...])
        } else {
            path = String(pathAndQuery)
            query = nil
        }
        return RequestLine(method: method, target: target, path: path, query: query, version: version)
    }

    /// `HTTP/DIGIT.DIGIT` (RFC 9112 §2.3). Well-formed versions other than 1.x get 505.
    func parseVersion(from start: Int, to end: Int) throws(HTTPParseError) -> HTTPVersion {
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        if utf8.count == 8, utf8[0] == UInt8(ascii: "H"), utf8[1] == UInt8(ascii: "T"), utf8[2] == UInt8(ascii: "T"),
           utf8[3] == UInt8(ascii: "P"), utf8[4] == UInt8(ascii: "/"), digits.contains(utf8[5]), utf8[6] == UInt8(ascii: "."),
           digits.contains(utf8[7]) {
            let major = Int(utf8[5] - digits.lowerBound)
            let minor = Int(utf8[7] - digits.lowerBound)
            guard major == 1 else {
                throw fail(.httpVersionNotSupported, "\(string(start, end)) not supported; use HTTP/1.1")
            }
            // A higher 1.x minor is answered as 1.1 (RFC 9110 §2.5).
            return minor == 0 ? .http1_0 : .http1_1
        }
        let text = string(start, end)
        let rest = text.dropFirst(5)
        if text.hasPrefix("HTTP/"), !rest.isEmpty, rest.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            throw fail(.httpVersionNotSupported, "\(text) not supported; use HTTP/1.1")
        }
        throw fail(.badRequest, "malformed HTTP version in request line")
    }

    /// `field-name ":" OWS field-value OWS` per line (RFC 9112 §5). No space before the colon
    /// (§5.1), no obs-fold (§5.2), no controls in values (RFC 9110 §5.5).
    /// Which fields that decide the request's meaning were present, noted while parsing so that the checks after
    /// it look the fields up only when they are there.
    struct SeenFields {
        var hosts = 0
        /// Content-Length or Transfer-Encoding.
        var framing = false
        var connection = false
    }

    func parseHeaders(from start: Int, to headEnd: Int) throws(HTTPParseError) -> (HTTPHeaders, SeenFields) {
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(8)
        var seen = SeenFields()
        var index = start
        while index < headEnd {
            guard let base = bytes.baseAddress, let lineFeed = P.memchrIndex(base, P.LF, from: index, to: headEnd) else {
                break
            }
            let end = lineFeed > index && bytes[lineFeed - 1] == P.CR ? lineFeed - 1 : lineFeed
            defer { index = lineFeed + 1 }
            if end == index { break }  // the empty line that ends the head
            let first = bytes[index]
            if first == P.SP || first == P.HTAB {
                throw fail(.badRequest, "obsolete line folding in header section is not accepted")
            }
            var colon = index
            while colon < end && P.isToken(bytes[colon]) { colon += 1 }
            guard colon < end else { throw fail(.badRequest, "header line without a colon") }
            switch bytes[colon] {
            case UInt8(ascii: ":") where colon > index:
                break
            case P.SP, P.HTAB:
                throw fail(.badRequest, "whitespace between header name and colon")
            default:
                throw fail(.badRequest, "invalid character in header name")
            }
            var valueStart = colon + 1
            var valueEnd = end
            while valueStart < valueEnd && (bytes[valueStart] == P.SP || bytes[valueStart] == P.HTAB) { valueStart += 1 }
            while valueEnd > valueStart && (bytes[valueEnd - 1] == P.SP || bytes[valueEnd - 1] == P.HTAB) { valueEnd -= 1 }
            for position in valueStart..<valueEnd {
                let byte = bytes[position]
                if (byte < 0x20 && byte != P.HTAB) || byte == 0x7F {
                    throw fail(.badRequest, "control character in header value")
                }
            }
            if fields.count == limits.maxHeaderCount {
                throw fail(.requestHeaderFieldsTooLarge, "more than \(limits.maxHeaderCount) header fields")
            }
            switch colon - index {
            case 4 where nameIs(index, "host"): seen.hosts += 1
            case 10 where nameIs(index, "connection"): seen.connection = true
            case 14 where nameIs(index, "content-length"): seen.framing = true
            case 17 where nameIs(index, "transfer-encoding"): seen.framing = true
            default: break
            }
            fields.append((name: string(index, colon), value: string(valueStart, valueEnd)))
        }
        return (HTTPHeaders(fields), seen)
    }

    /// Whether the field name at `start` is `lowercase`, ignoring ASCII case (the caller has checked the length).
    func nameIs(_ start: Int, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for offset in 0..<expected.count {
            let byte = bytes[start + offset]
            let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lowered != expected[offset] { return false }
        }
        return true
    }

    /// Content-Length and Transfer-Encoding (RFC 9112 §6). Returns the body length.
    func parseFraming(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int {
        let lengths = headers.values(for: "Content-Length")
        if headers.contains("Transfer-Encoding") {
            if !lengths.isEmpty {
                // §6.3: both present is a smuggling attempt; refuse and close.
                throw fail(.badRequest, "both Transfer-Encoding and Content-Length")
            }
            throw fail(.notImplemented, "Transfer-Encoding not supported; send Content-Length")
        }
        // RFC 9110 §8.6 lets a recipient merge identical repeated values, but a tile server takes no bodies, so any
        // repetition (`5, 5` or two field lines) is refused, as nginx does: no hop can then read a different length.
        let elements = lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        if elements.count > 1 { throw fail(.badRequest, "repeated or conflicting Content-Length values") }
        var length: Int?
        if let element = elements.first {
            let text = element.trimmingOWS()
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw fail(.badRequest, "invalid Content-Length")
            }
            // Longer than 18 digits cannot fit; it is far over any limit anyway.
            length = text.utf8.count > 18 ? Int.max : Int(text)!
        }
        return length ?? 0
    }

    func string(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
