import FractileMath
import XCTest

@testable import FractileConfig

final class SettingsHashTests: XCTestCase {
    private func map(_ settings: MapSettings = .gradientBasin(GradientBasinSettings())) -> MapDefinition {
        MapDefinition(name: "m", title: "M", center: Complex(0.25, -0.5), span: 6, maxZoom: 30, settings: settings)
    }

    private func assertChangesHash(
        _ change: (inout MapDefinition) -> Void,
        of base: MapDefinition,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        var changed = base
        change(&changed)
        XCTAssertNotEqual(changed.settingsHash, base.settingsHash, file: file, line: line)
    }

    func testFNV1aMatchesPublishedVectors() {
        for (text, expected) in [("", "cbf29ce484222325"), ("a", "af63dc4c8601ec8c"), ("foobar", "85944171f73967e8")] {
            var hash = FNV1a64()
            hash.combine(text.utf8)
            XCTAssertEqual(hash.hexDigest, expected, text)
        }
    }

    func testHashIsSixteenLowercaseHexDigitsAndStable() throws {
        let hash = map().settingsHash
        XCTAssertEqual(hash.count, 16)
        XCTAssertTrue(hash.allSatisfy { "0123456789abcdef".contains($0) }, hash)
        XCTAssertEqual(map().settingsHash, hash)

        // The same settings however they are written.
        let a = try parseConfiguration(
            #"{"maps": [{"name": "a", "kind": "gradient_basin", "span": 6, "learningRate": 0.5}]}"#)
        let b = try parseConfiguration(
            #"{"maps": [{"learningRate": [5e-1, 0], "span": 6.0, "kind": "gradient_basin", "name": "b", "maxIterations": 256}]}"#
        )
        XCTAssertEqual(a.maps[0].settingsHash, b.maps[0].settingsHash)
    }

    func testCanonicalTextWritesDoublesAsBitPatterns() {
        let text = map(.forwardPass(ForwardPassSettings())).canonicalSettingsText
        XCTAssertTrue(text.hasPrefix("tileFormatVersion 9\nkind forward_pass\n"), text)
        XCTAssertTrue(text.contains("\nspan 4018000000000000\n"), text)
        XCTAssertTrue(text.contains("\ncenter 3fd0000000000000 bfe0000000000000\n"), text)
    }

    func testEveryMathSettingChangesTheHash() {
        let basin = map()
        assertChangesHash({ $0.center = Complex(0.25, -0.4) }, of: basin)
        assertChangesHash({ $0.center = Complex(0.25 + 1e-16, -0.5) }, of: basin)
        assertChangesHash({ $0.span = 6.000000001 }, of: basin)
        for change: (inout GradientBasinSettings) -> Void in [
            { $0.learningRate = Complex(0.5, 1e-9) },
            { $0.gradient = .wirtinger },
            { $0.maxIterations = 257 },
            { $0.divergeRadius = 1e7 },
            { $0.dataX[3] = Complex(1, 0.1) },
            { $0.dataY.swapAt(0, 1) },
            {
                $0.dataX.append(.one)
                $0.dataY.append(.one)
            },
        ] {
            var settings = GradientBasinSettings()
            change(&settings)
            assertChangesHash({ $0.settings = .gradientBasin(settings) }, of: basin)
        }

        let forward = map(.forwardPass(ForwardPassSettings()))
        for change: (inout ForwardPassSettings) -> Void in [
            { $0.weight.scale = Complex(1, 0.1) },
            { $0.weight.offset = Complex(0.1) },
            { $0.bias.scale = Complex(0, 0.31) },
            { $0.bias.offset = .i },
            { $0.z0 = .one },
            { $0.plane = .input },
            { $0.maxIterations = 401 },
            { $0.escapeRadius = 1e5 },
        ] {
            var settings = ForwardPassSettings()
            change(&settings)
            assertChangesHash({ $0.settings = .forwardPass(settings) }, of: forward)
        }

        let flow = map(.backpropFlow(BackpropFlowSettings()))
        for change: (inout BackpropFlowSettings) -> Void in [
            { $0.weight.scale = .i },
            { $0.input.offset = .one },
            { $0.delta0 = .i },
            { $0.plane = .input },
            { $0.maxIterations = 10 },
            { $0.explodeRadius = 1e3 },
            { $0.vanishRadius = 1e-9 },
            { $0.ringTolerance = 0.01 },
        ] {
            var settings = BackpropFlowSettings()
            change(&settings)
            assertChangesHash({ $0.settings = .backpropFlow(settings) }, of: flow)
        }
    }

    func testKindsWithTheSameNumbersHashApart() {
        var forward = ForwardPassSettings()
        var flow = BackpropFlowSettings()
        forward.maxIterations = 400
        flow.maxIterations = 400
        XCTAssertNotEqual(map(.forwardPass(forward)).settingsHash, map(.backpropFlow(flow)).settingsHash)
    }

    func testPresentationDoesNotChangeTheHash() {
        let base = map()
        var changed = base
        changed.name = "other"
        changed.title = "Another title"
        changed.description = "Another description."
        changed.maxZoom = 12
        XCTAssertEqual(changed.settingsHash, base.settingsHash)
    }
}
