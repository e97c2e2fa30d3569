import FractileHTTP
import FractileHTTPTesting
import FractileServer
import Foundation
import Synchronization
import XCTest

/// What real clients (HTTPolice, h11, curl, GDAL, MapLibre) found, each checked through a live server with raw bytes.
final class ConformanceTests: XCTestCase {
    func testTileJSONAndMapListKeepMaxZoomWithinTileJSONAndCarryTheTrueDepth() throws {
        let live = try LiveServer(self, mapJSON: #"{"name": "forward-pass", "kind": "forward_pass", "maxZoom": 100}"#)
        let response = try live.client().get("/tiles/forward-pass.json")
        XCTAssertEqual(response.status, 200)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        XCTAssertEqual(json["maxzoom"] as? Int, 30)
        XCTAssertEqual(json["tileSize"] as? Int, 256)
        XCTAssertEqual((json["fractile"] as? [String: Any])?["maxZoom"] as? Int, 100)

        // `/maps.json` keeps the same meaning for each name: `maxzoom` TileJSON's, `maxZoom` the true depth.
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try live.client().get("/maps.json").body))
            as? [String: Any])
        let map = try XCTUnwrap((list["maps"] as? [[String: Any]])?.first)
        XCTAssertEqual(map["maxzoom"] as? Int, 30)
        XCTAssertEqual(map["maxZoom"] as? Int, 100)
        XCTAssertEqual((map["fractile"] as? [String: Any])?["maxZoom"] as? Int, 100)
    }

    func testErrorsCarryCORSAndTilesExposeTheirETag() throws {
        let live = try LiveServer(self)
        let client = try live.client()
        for target in ["/tiles/no-such-map/0/0/0.png", "/tiles/forward-pass/0/5/0.png", "/tiles/forward-pass/a/0/0.png",
                       "/probe/forward-pass?re=x", "/nothing-here"] {
            let response = try client.get(target)
            XCTAssertTrue((400..<500).contains(response.status), target)
            XCTAssertEqual(response.headers["Access-Control-Allow-Origin"], "*", target)
        }
        let tile = try client.get("/tiles/forward-pass/0/0/0.png")
        XCTAssertEqual(tile.status, 200)
        XCTAssertEqual(tile.headers["Access-Control-Expose-Headers"], "ETag")
        XCTAssertNotNil(tile.headers["ETag"])
    }

    func testCORSPreflightAndServerWideOptions() throws {
        let client = try LiveServer(self).client()
        let preflight = try client.get("/tiles/forward-pass/0/0/0.png", method: "OPTIONS", extraHeaders:
            "Origin: https://example.org\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: if-none-match\r\n")
        XCTAssertEqual(preflight.status, 204)
        XCTAssertEqual(preflight.headers["Access-Control-Allow-Origin"], "*")
        XCTAssertTrue(preflight.headers["Access-Control-Allow-Methods"]?.contains("GET") ?? false)
        XCTAssertTrue(preflight.headers["Access-Control-Allow-Headers"]?.lowercased().contains("if-none-match") ?? false)
        let star = try client.get("*", method: "OPTIONS")
        XCTAssertEqual(star.status, 204)
        XCTAssertEqual(star.headers["Allow"], "GET, HEAD, OPTIONS, POST, DELETE")
        XCTAssertEqual(try client.get("/healthz").status, 200, "the connection stays usable")
    }

    func testIfMatchThatDoesNotMatchIsPreconditionFailed() throws {
        let client = try LiveServer(self).client()
        let tile = try client.get("/tiles/forward-pass/0/0/0.png")
        let etag = try XCTUnwrap(tile.headers["ETag"])
        XCTAssertEqual(try client.get("/tiles/forward-pass/0/0/0.png", extraHeaders: "If-Match: \"other\"\r\n").status, 412)
        XCTAssertEqual(try client.get("/tiles/forward-pass/0/0/0.png", extraHeaders: "If-Match: W/\(etag)\r\n").status, 412,
                       "If-Match compares strongly")
        XCTAssertEqual(try client.get("/tiles/forward-pass/0/0/0.png", extraHeaders: "If-Match: \(etag)\r\n").status, 200)
        XCTAssertEqual(try client.get("/tiles/forward-pass/0/0/0.png", extraHeaders: "If-Match: *\r\n").status, 200)
        XCTAssertEqual(try client.get("/maps.json", extraHeaders: "If-Match: \"x\"\r\n").status, 412)
        let page = try client.get("/")
        XCTAssertEqual(try client.get("/", extraHeaders: "If-Match: \"x\"\r\n").status, 412)
        XCTAssertEqual(try client.get("/", extraHeaders: "If-Match: \(try XCTUnwrap(page.headers["ETag"]))\r\n").status, 200)
    }

    func testInvalidHostIsBadRequest() throws {
        let live = try LiveServer(self)
        for host in ["a b", "a/b", "x@y", "[::1", "host:80a"] {
            let client = try live.client()
            try client.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 400, host)
        }
        for host in ["example.org:8443", "127.0.0.1", "[::1]:80", ""] {
            let client = try live.client()
            try client.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200, host)
        }
    }

    func testUnknownMethodIsNotImplementedAndLoggedByName() throws {
        let lines = LogLines()
        let live = try LiveServer(self, accessLog: lines.output)
        let client = try live.client()
        try client.send("BREW /tiles/forward-pass/0/0/0.png HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 501)
        let known = try live.client()
        try known.send("PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        let put = try known.readResponse()
        XCTAssertEqual(put.status, 405)
        XCTAssertEqual(put.headers["Allow"], "GET, HEAD, OPTIONS, POST, DELETE")
        live.server.shutdown(gracePeriod: 1)
        XCTAssertTrue(lines.all.contains { $0.contains("\"BREW /tiles/forward-pass/0/0/0.png\" 501") }, "\(lines.all)")
    }

    func testTileCoordinatesOutOfRangeOrWithLeadingZerosAreNotFound() throws {
        let client = try LiveServer(self).client()
        XCTAssertEqual(try client.get("/tiles/forward-pass/3/\(String(repeating: "9", count: 40))/0.png").status, 404)
        XCTAssertEqual(try client.get("/tiles/forward-pass/\(String(repeating: "9", count: 30))/0/0.png").status, 404)
        XCTAssertEqual(try client.get("/tiles/forward-pass/3/8/0.png").status, 404)
        XCTAssertEqual(try client.get("/tiles/forward-pass/03/1/0.png").status, 404)
        XCTAssertEqual(try client.get("/tiles/forward-pass/3/01/0.png").status, 404)
        XCTAssertEqual(try client.get("/tiles/forward-pass/3/-1/0.png").status, 400)
        XCTAssertEqual(try client.get("/tiles/forward-pass/0/0/0.png").status, 200)
    }

    func testExpectContinueIsAnsweredBeforeTheBody() throws {
        let client = try LiveServer(self).client(receiveTimeout: 5)
        try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 100)
        try client.send("body")
        XCTAssertEqual(try client.readResponse().status, 200)
    }

    func testBadTileCoordinatesAreCountedUnderTheTileRoute() throws {
        let client = try LiveServer(self).client()
        XCTAssertEqual(try client.get("/tiles/forward-pass/x/0/0.png").status, 400)
        let metrics = try client.get("/metrics").bodyText
        XCTAssertTrue(metrics.contains("route=\"tile\",status=\"400\""), metrics)
        XCTAssertFalse(metrics.contains("route=\"unknown\""), metrics)
    }

    func testStaticFilesHaveLastModifiedAndRevalidateByIt() throws {
        let client = try LiveServer(self).client()
        let page = try client.get("/")
        let lastModified = try XCTUnwrap(page.headers["Last-Modified"])
        XCTAssertTrue(lastModified.hasSuffix(" GMT"), lastModified)
        XCTAssertEqual(try client.get("/", extraHeaders: "If-Modified-Since: \(lastModified)\r\n").status, 304)
        XCTAssertEqual(try client.get("/", extraHeaders: "If-None-Match: \"no\"\r\nIf-Modified-Since: \(lastModified)\r\n").status,
                       200, "If-None-Match wins over If-Modified-Since")
    }
}

/// Access-log lines collected from the loops' batches, and how many batches came.
final class LogLines: Sendable {
    private let lines = Mutex<(lines: [String], batches: Int)>(([], 0))
    var all: [String] { lines.withLock { $0.lines } }
    var batches: Int { lines.withLock { $0.batches } }
    var output: HTTPAccessLogOutput {
        HTTPAccessLogOutput { [self] bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            lines.withLock {
                $0.lines += text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
                $0.batches += 1
            }
        }
    }
}
