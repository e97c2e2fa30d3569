import FractileMath
import XCTest

@testable import FractileConfig

/// URL parameters (docs/maps.md "Live parameters in URLs"): strict, canonical, bounded by the map's config.
final class LiveParameterTests: XCTestCase {
    private let basin = MapDefinition(name: "basin", span: 6, settings: .gradientBasin(GradientBasinSettings()))
    private let flow = MapDefinition(name: "flow", settings: .backpropFlow(BackpropFlowSettings()))

    private func applying(_ map: MapDefinition, _ query: [(String, String)]) throws(LiveParameterError) -> MapDefinition {
        try map.applying(parameters: query.map { (key: $0.0, value: $0.1) })
    }

    private func assertRejects(
        _ map: MapDefinition, _ query: [(String, String)], _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try applying(map, query), file: file, line: line) { error in
            XCTAssertEqual((error as? LiveParameterError)?.description, expected, file: file, line: line)
        }
    }

    func testParametersEqualAConfigHoldingThoseSettings() throws {
        let variant = try applying(basin, [("learningRate", "0.3,0.1"), ("gradient", "wirtinger"),
                                           ("data.x", "-1;1"), ("data.y", "0.5,-0.25;2")])
        let configured = try parseConfiguration(#"""
            {"maps": [{"name": "basin", "kind": "gradient_basin", "span": 6, "learningRate": [0.3, 0.1],
              "gradient": "wirtinger", "data": {"x": [-1, 1], "y": [[0.5, -0.25], 2]}}]}
            """#).maps[0]
        XCTAssertEqual(variant.settings, configured.settings)
        XCTAssertEqual(variant.settingsHash, configured.settingsHash)
        XCTAssertNotEqual(variant.settingsHash, basin.settingsHash)
    }

    func testSpellingsOfOneValueShareOneHash() throws {
        let hashes = try ["0.3", "0.30", "3e-1", "0.3,0", "+0.3", "0.300,0.0"].map {
            try applying(basin, [("learningRate", $0)]).settingsHash
        }
        XCTAssertEqual(Set(hashes).count, 1, "\(hashes)")
        XCTAssertEqual(try applying(basin, [("maxIterations", "256")]).settingsHash, basin.settingsHash)
    }

    func testCanonicalQueryListsWhatDiffersInTableOrder() throws {
        let variant = try applying(basin, [("gradient", "wirtinger"), ("learningRate", "0.30")])
        XCTAssertEqual(variant.canonicalQuery(from: basin), "learningRate=0.3&gradient=wirtinger")
        XCTAssertEqual(basin.canonicalQuery(from: basin), "")
        let pairs = variant.canonicalQuery(from: basin).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=")
            return (String(parts[0]), String(parts[1]))
        }
        XCTAssertEqual(try applying(basin, pairs).settingsHash, variant.settingsHash)
        let complexVariant = try applying(flow, [("weight.offset", "0.5,-2"), ("delta0", "1e-3")])
        XCTAssertEqual(complexVariant.canonicalQuery(from: flow), "weight.offset=0.5,-2&delta0=0.001")
    }

    func testEveryRejectionNamesTheKey() {
        assertRejects(basin, [("learningRat", "1")],
                      "learningRat: unknown parameter (gradient_basin maps take data.x, data.y, learningRate, gradient, maxIterations, divergeRadius)")
        assertRejects(basin, [("learningRate", "abc")], "learningRate: expected a decimal number or re,im")
        assertRejects(basin, [("learningRate", "0x1p-2")], "learningRate: expected a decimal number or re,im")
        assertRejects(basin, [("learningRate", "nan")], "learningRate: expected a decimal number or re,im")
        assertRejects(basin, [("learningRate", "1,2,3")], "learningRate: expected a decimal number or re,im")
        assertRejects(basin, [("learningRate", "1000")], "learningRate: must be within [-100, 100]")
        assertRejects(basin, [("maxIterations", "2.5")], "maxIterations: expected an integer")
        assertRejects(basin, [("maxIterations", "0")], "maxIterations: must be within [1, 5000]")
        assertRejects(basin, [("maxIterations", "99999999999999999999")], "maxIterations: must be within [1, 5000]")
        assertRejects(basin, [("gradient", "Wirtinger")], "gradient: must be one of holomorphic, wirtinger")
        assertRejects(basin, [("gradient", "wirtinger"), ("gradient", "holomorphic")], "gradient: given more than once")
        assertRejects(basin, [("data.x", "1;2;3")], "data.x: has 3 values but data.y has 4")
        assertRejects(basin, [("data.x", "")], "data.x: expected values separated by ; (each a decimal number or re,im)")
        assertRejects(basin, [("divergeRadius", "0")], "divergeRadius: must be greater than 0 and at most 1000000000000000")
        assertRejects(flow, [("vanishRadius", "0.5"), ("explodeRadius", "0.25")], "vanishRadius: must be less than explodeRadius")
        let tooMany = Array(repeating: "1", count: 65).joined(separator: ";")
        assertRejects(basin, [("data.x", tooMany), ("data.y", tooMany)], "data.x: must have 1 to 64 values")
    }

    func testTheMapsLiveConfigDecides() throws {
        let configuration = try parseConfiguration(#"""
            {"maps": [
              {"name": "off", "kind": "gradient_basin", "live": false},
              {"name": "some", "kind": "gradient_basin", "live": {"learningRate": {"min": 0, "max": 1}, "data": true}},
              {"name": "on", "kind": "backprop_flow", "live": true}
            ]}
            """#)
        let (off, some, on) = (configuration.maps[0], configuration.maps[1], configuration.maps[2])
        assertRejects(off, [("learningRate", "0.3")], "learningRate: map off takes no URL parameters")
        assertRejects(some, [("gradient", "wirtinger")],
                      "gradient: not a live parameter of map some (live: data.x, data.y, learningRate)")
        assertRejects(some, [("learningRate", "1.5")], "learningRate: must be within [0, 1]")
        XCTAssertNoThrow(try applying(some, [("learningRate", "0.75,0.5"), ("data.x", "1;2;3;4")]))
        XCTAssertEqual(on.liveBounds.count, on.settings.descriptors.count)
        XCTAssertEqual(try applying(off, []).settingsHash, off.settingsHash)
    }

    func testLiveConfigErrorsNameTheKeyPath() {
        for (live, expected) in [
            (#"{"learningRat": true}"#, "maps[0].live.learningRat: unknown key (live takes: data.x, data.y, learningRate, gradient, maxIterations, divergeRadius, data)"),
            (#"{"learningRate": {"max": 1000}}"#, "maps[0].live.learningRate.max: must be within [-100, 100] (the built-in bounds)"),
            (#"{"learningRate": {"step": 1}}"#, "maps[0].live.learningRate.step: unknown key (live bounds take: min, max, minCount, maxCount)"),
            (#"{"gradient": {"maxCount": 3}}"#, "maps[0].live.gradient.maxCount: only lists take maxCount"),
            (#""yes""#, "maps[0].live: expected true, false or an object of settings"),
        ] {
            XCTAssertThrowsError(try parseConfiguration(
                #"{"maps": [{"name": "m", "kind": "gradient_basin", "live": \#(live)}]}"#)) { error in
                XCTAssertEqual((error as? ConfigurationError)?.description, expected, live)
            }
        }
    }
}
