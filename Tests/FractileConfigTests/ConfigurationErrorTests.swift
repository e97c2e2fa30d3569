import Foundation
import XCTest

@testable import FractileConfig

/// Every configuration mistake gives its own one-line message naming the key path.
final class ConfigurationErrorTests: XCTestCase {
    private let forwardPassKeys =
        "weight, bias, z0, plane, maxIterations, escapeRadius, name, title, description, kind, center, span, maxZoom, live"
    private let gradientBasinKeys =
        "data, learningRate, gradient, maxIterations, divergeRadius, name, title, description, kind, center, span, maxZoom, live"

    /// A document with one map of `kind` whose other members are `members`.
    private func oneMap(_ kind: String, _ members: String = "") -> String {
        #"{"maps": [{"name": "m", "kind": "\#(kind)"\#(members.isEmpty ? "" : ", " + members)}]}"#
    }

    private func assertError(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let configuration = try parseConfiguration(text)
            XCTFail("parsed without error: \(configuration.maps.map(\.name))", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, expected, text, file: file, line: line)
        }
    }

    func testDescriptionJoinsPathAndMessage() {
        XCTAssertEqual(
            ConfigurationError(path: "maps[2].learningRate", message: "expected a number or [re, im]").description,
            "maps[2].learningRate: expected a number or [re, im]"
        )
        XCTAssertEqual(
            ConfigurationError(path: "", message: "config.json:1:1: expected a value").description,
            "config.json:1:1: expected a value")
    }

    func testUnknownKeysListTheKeysTaken() {
        assertError(
            oneMap("forward_pass", #""learningRat": 0.5"#),
            "maps[0].learningRat: unknown key (forward_pass maps take: \(forwardPassKeys))")
        // A key of another kind is unknown for this one.
        assertError(
            oneMap("forward_pass", #""learningRate": 0.5"#),
            "maps[0].learningRate: unknown key (forward_pass maps take: \(forwardPassKeys))")
        assertError(
            oneMap("gradient_basin", #""plane": "input""#),
            "maps[0].plane: unknown key (gradient_basin maps take: \(gradientBasinKeys))")
        assertError(
            oneMap("backprop_flow", #""bias": 1"#),
            "maps[0].bias: unknown key (backprop_flow maps take: weight, input, delta0, plane, maxIterations, explodeRadius, vanishRadius, ringTolerance, name, title, description, kind, center, span, maxZoom, live)"
        )
        assertError(
            #"{"server": {"prot": 80}, "maps": []}"#,
            "server.prot: unknown key (server takes: host, port, publicDirectory, leafletDirectory, maxConnections, headerTimeoutSeconds, idleTimeoutSeconds, maxAgeSeconds, accessLog, trustedProxies)"
        )
        assertError(#"{"render": {"thread": 1}}"#, "render.thread: unknown key (render takes: threads, queueLimit)")
        assertError(
            #"{"cache": {"dir": "c"}}"#, "cache.dir: unknown key (cache takes: directory, memoryBytes, diskBytes)")
        assertError(#"{"Server": {}}"#, "Server: unknown key (the configuration takes: server, render, cache, maps)")
        assertError(
            oneMap("forward_pass", #""weight": {"scal": 1}"#),
            "maps[0].weight.scal: unknown key (weight takes: scale, offset)")
        assertError(
            oneMap("gradient_basin", #""data": {"x": [1], "y": [1], "z": [1]}"#),
            "maps[0].data.z: unknown key (data takes: x, y)")
    }

    func testWrongTypes() {
        let maps = #"{"name": "a", "kind": "forward_pass"}, {"name": "b", "kind": "forward_pass"}"#
        assertError(
            #"{"maps": [\#(maps), {"name": "c", "kind": "gradient_basin", "learningRate": "0.5"}]}"#,
            "maps[2].learningRate: expected a number or [re, im]")
        for bad in ["true", "null", "[1]", "[1, 2, 3]", "[1, true]", #"{"re": 1}"#] {
            assertError(
                oneMap("gradient_basin", #""learningRate": \#(bad)"#),
                "maps[0].learningRate: expected a number or [re, im]")
        }
        for bad in [#""8080""#, "8080.5", "true", "null"] {
            assertError(#"{"server": {"port": \#(bad)}}"#, "server.port: expected an integer")
        }
        assertError(oneMap("forward_pass", #""maxIterations": 2.5"#), "maps[0].maxIterations: expected an integer")
        assertError(oneMap("forward_pass", #""span": "4""#), "maps[0].span: expected a number")
        assertError(oneMap("forward_pass", #""span": true"#), "maps[0].span: expected a number")
        assertError(#"{"server": {"headerTimeoutSeconds": false}}"#, "server.headerTimeoutSeconds: expected a number")
        assertError(#"{"server": {"accessLog": 1}}"#, "server.accessLog: expected true or false")
        assertError(#"{"server": {"trustedProxies": "10.0.0.1"}}"#, "server.trustedProxies: expected an array of IP addresses")
        assertError(#"{"server": {"trustedProxies": ["10.0.0.1", "proxy.local"]}}"#,
                    "server.trustedProxies[1]: expected an IPv4 or IPv6 address, got \"proxy.local\"")
        assertError(#"{"server": {"host": 1}}"#, "server.host: expected a string")
        assertError(#"{"server": {"host": ""}}"#, "server.host: must not be empty")
        assertError(#"{"server": []}"#, "server: expected an object")
        assertError(oneMap("forward_pass", #""title": 7"#), "maps[0].title: expected a string")
        assertError(
            oneMap("forward_pass", #""weight": 1"#),
            #"maps[0].weight: expected an object {"scale": ..., "offset": ...}"#)
        assertError(
            oneMap("gradient_basin", #""data": [1, 2]"#), #"maps[0].data: expected an object {"x": [...], "y": [...]}"#)
        assertError(
            oneMap("gradient_basin", #""data": {"x": 1, "y": [1]}"#),
            "maps[0].data.x: expected an array of numbers or [re, im]")
        assertError(
            oneMap("gradient_basin", #""data": {"x": [1, "2"], "y": [1, 2]}"#),
            "maps[0].data.x[1]: expected a number or [re, im]")
        assertError(#"{"maps": {}}"#, "maps: expected an array of maps")
        assertError(#"{"maps": [1]}"#, "maps[0]: expected an object")
        assertError("[]", #"expected a JSON object with "server", "render", "cache" and "maps""#)
        assertError(oneMap("forward_pass", #""center": [1e400, 0]"#), "maps[0].center: must be finite")
    }

    func testBadEnumerationStrings() {
        assertError(oneMap("forward_pass", #""plane": "params""#), #"maps[0].plane: expected "parameter" or "input""#)
        assertError(oneMap("backprop_flow", #""plane": 1"#), #"maps[0].plane: expected "parameter" or "input""#)
        assertError(
            oneMap("gradient_basin", #""gradient": "conjugate""#),
            #"maps[0].gradient: expected "holomorphic" or "wirtinger""#)
        assertError(
            oneMap("mandelbrot"), #"maps[0].kind: expected "forward_pass", "gradient_basin", "backprop_flow" or "trainability""#)
    }

    func testImpossibleValues() {
        for span in ["0", "-1", "-0", "1e400"] {
            assertError(oneMap("forward_pass", #""span": \#(span)"#), "maps[0].span: must be finite and greater than 0")
        }
        for iterations in ["0", "-5", "100001", "1e30"] {
            assertError(
                oneMap("forward_pass", #""maxIterations": \#(iterations)"#),
                "maps[0].maxIterations: must be between 1 and 100000")
        }
        for zoom in ["-1", "121"] {
            assertError(oneMap("forward_pass", #""maxZoom": \#(zoom)"#), "maps[0].maxZoom: must be between 0 and 120")
        }
        for port in ["-1", "65536"] {
            assertError(#"{"server": {"port": \#(port)}}"#, "server.port: must be between 0 and 65535")
        }
        assertError(#"{"cache": {"memoryBytes": -1}}"#, "cache.memoryBytes: must not be negative")
        assertError(#"{"cache": {"diskBytes": -1}}"#, "cache.diskBytes: must not be negative")
        assertError(#"{"render": {"threads": -1}}"#, "render.threads: must not be negative")
        assertError(#"{"render": {"queueLimit": -1}}"#, "render.queueLimit: must not be negative")
        assertError(#"{"server": {"maxAgeSeconds": -1}}"#, "server.maxAgeSeconds: must not be negative")
        assertError(#"{"server": {"maxConnections": 0}}"#, "server.maxConnections: must be at least 1")
        assertError(
            #"{"server": {"idleTimeoutSeconds": 0}}"#, "server.idleTimeoutSeconds: must be finite and greater than 0")
        assertError(
            oneMap("forward_pass", #""escapeRadius": 0"#), "maps[0].escapeRadius: must be finite and greater than 0")
        assertError(
            oneMap("gradient_basin", #""divergeRadius": -1"#),
            "maps[0].divergeRadius: must be finite and greater than 0")
        assertError(
            oneMap("backprop_flow", #""explodeRadius": 0"#), "maps[0].explodeRadius: must be finite and greater than 0")
        assertError(
            oneMap("backprop_flow", #""vanishRadius": 0"#), "maps[0].vanishRadius: must be finite and greater than 0")
        assertError(
            oneMap("backprop_flow", #""ringTolerance": 0"#), "maps[0].ringTolerance: must be finite and greater than 0")
        assertError(
            oneMap("backprop_flow", #""vanishRadius": 10, "explodeRadius": 10"#),
            "maps[0].vanishRadius: must be less than explodeRadius")
        assertError(
            oneMap("backprop_flow", #""vanishRadius": 1e5"#), "maps[0].vanishRadius: must be less than explodeRadius")
    }

    func testDataMustBeCompleteAndMatched() {
        let first = #"{"name": "a", "kind": "forward_pass"}"#
        assertError(
            #"{"maps": [\#(first), {"name": "b", "kind": "gradient_basin", "data": {"x": [], "y": []}}]}"#,
            "maps[1].data.x: must not be empty"
        )
        assertError(
            #"{"maps": [\#(first), {"name": "b", "kind": "gradient_basin", "data": {"x": [1, 2, 3, 4], "y": [1, 2, 3]}}]}"#,
            "maps[1].data: x has 4 values but y has 3"
        )
        assertError(oneMap("gradient_basin", #""data": {"x": [1]}"#), #"maps[0].data: missing required key "y""#)
        assertError(oneMap("gradient_basin", #""data": {"y": [1]}"#), #"maps[0].data: missing required key "x""#)
        assertError(oneMap("gradient_basin", #""data": {"x": [1], "y": []}"#), "maps[0].data.y: must not be empty")
    }

    func testMapNames() {
        let maps = ["forward-pass", "gradient-basin", "backprop-flow", "forward-pass"].map {
            #"{"name": "\#($0)", "kind": "forward_pass"}"#
        }
        assertError(
            #"{"maps": [\#(maps.joined(separator: ", "))]}"#, #"maps[3].name: duplicate map name "forward-pass""#)
        for bad in [#""""#, #""Forward""#, #""a_b""#, #""a b""#, #""é""#, "\"\(String(repeating: "a", count: 65))\""] {
            assertError(
                #"{"maps": [{"name": \#(bad), "kind": "forward_pass"}]}"#,
                "maps[0].name: must be 1 to 64 characters of a-z, 0-9 and '-'")
        }
        XCTAssertNoThrow(
            try parseConfiguration(
                #"{"maps": [{"name": "\#(String(repeating: "a", count: 64))", "kind": "forward_pass"}]}"#))
        assertError(#"{"maps": [{"kind": "forward_pass"}]}"#, #"maps[0]: missing required key "name""#)
        assertError(#"{"maps": [{"name": "m"}]}"#, #"maps[0]: missing required key "kind""#)
        assertError(#"{"maps": [{"name": "m", "span": 2}]}"#, #"maps[0]: missing required key "kind""#)
    }

    func testThereMustBeAMap() {
        assertError("{}", "maps: must list at least one map")
        assertError(#"{"maps": []}"#, "maps: must list at least one map")
        assertError(#"{"server": {"port": 1}, "maps": []}"#, "maps: must list at least one map")
    }

    func testDuplicateJSONKeys() {
        assertError(
            "{\"server\": {\"port\": 1,\n  \"port\": 2}}",
            #"2:3: duplicate key "port" (first given at 1:13)"#
        )
        assertError(
            oneMap("forward_pass", #""span": 2, "span": 2"#), #"1:60: duplicate key "span" (first given at 1:49)"#)
    }

    func testTheFirstErrorInDocumentOrderIsReported() {
        assertError(
            oneMap("forward_pass", #""span": 0, "maxZoom": 999"#), "maps[0].span: must be finite and greater than 0")
        assertError(oneMap("forward_pass", #""maxZoom": 999, "span": 0"#), "maps[0].maxZoom: must be between 0 and 120")
        assertError(
            #"{"maps": [{"name": "B", "kind": "x"}]}"#, "maps[0].name: must be 1 to 64 characters of a-z, 0-9 and '-'")
        assertError(
            #"{"maps": [{"name": "m", "kind": "forward_pass", "span": 0}], "server": {"port": -1}}"#,
            "maps[0].span: must be finite and greater than 0")
        assertError(
            #"{"server": {"port": -1}, "maps": [{"name": "m", "kind": "forward_pass", "span": 0}]}"#,
            "server.port: must be between 0 and 65535")
        assertError(#"{"server": {"port": -1, "host": 5}}"#, "server.port: must be between 0 and 65535")
        // The first key of a kind's own needs the kind, so a bad kind after it is reported there.
        assertError(
            #"{"maps": [{"name": "m", "plane": "input", "kind": "nope"}]}"#,
            #"maps[0].kind: expected "forward_pass", "gradient_basin", "backprop_flow" or "trainability""#)
        assertError(
            #"{"maps": [{"name": "m", "learningRate": 1, "kind": "forward_pass"}]}"#,
            "maps[0].learningRate: unknown key (forward_pass maps take: \(forwardPassKeys))")
        // A duplicate name is reported before the later errors of the same map.
        assertError(
            #"{"maps": [{"name": "m", "kind": "forward_pass"}, {"name": "m", "span": 0}]}"#,
            #"maps[1].name: duplicate map name "m""#)
        // Cross-checks come once the object is read, before the next map.
        assertError(
            #"{"maps": [{"name": "a", "kind": "gradient_basin", "data": {"x": [1], "y": [1, 2]}, "span": 0}]}"#,
            "maps[0].data: x has 1 value but y has 2"
        )
    }
}
