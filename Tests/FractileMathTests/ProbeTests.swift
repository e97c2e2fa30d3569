import Foundation
import FractileMath
import XCTest

final class ProbeTests: XCTestCase {
    func testProbeAndOutcomeAgreeOnAGrid() {
        for map in MapFixtures.maps {
            for p in MapFixtures.grid(center: map.center, span: map.span, size: 64) {
                let outcome = map.settings.outcome(at: p)
                let probe = map.settings.probe(at: p)
                XCTAssertEqual(probe.outcome, outcome, "\(map.name) at \(p)")
                XCTAssertEqual(probe.regime, outcome.regime)
                XCTAssertEqual(probe.iterations, outcome.iterations)
            }
        }
    }

    func testOrbitStartsWithTheStartValueAndHoldsAtMost256() {
        let forward = MapSettings.forwardPass(ForwardPassSettings())
        // An early stop: orbit is z_0 ... z_iterations.
        let early = forward.probe(at: Complex(0.32, 0.02))
        XCTAssertEqual(early.orbit.first, .zero)
        XCTAssertEqual(early.orbit.count, early.iterations + 1)
        // A full run of 400 steps: capped at 256.
        let full = forward.probe(at: Complex(-1.27, -2.79))
        XCTAssertEqual(full.orbit.count, 256)

        let basin = MapSettings.gradientBasin(GradientBasinSettings())
        let w0 = Complex(-1, -0.2)
        let training = basin.probe(at: w0)
        XCTAssertEqual(training.orbit.first, w0)
        XCTAssertEqual(training.orbit.last, training.limit)
        XCTAssertEqual(training.lossCurve.count, training.orbit.count)
        XCTAssertEqual(training.lossCurve.last ?? nil, training.loss)
        XCTAssertEqual(basin.probe(at: Complex(-3.8, -3.8)).orbit.count, 256)

        let flow = MapSettings.backpropFlow(BackpropFlowSettings())
        XCTAssertEqual(flow.probe(at: Complex(0.5, 0.2)).orbit.first, .one)
    }

    func testProbeJSONIsValidWithTheExactKeys() throws {
        let keys: [MapKind: [String]] = [
            .forwardPass: ["lyapunov", "period"],
            .gradientBasin: ["limit", "loss", "lossCurve"],
            .backpropFlow: ["ring", "magnitude"],
        ]
        for map in MapFixtures.maps {
            for p in MapFixtures.grid(center: map.center, span: map.span, size: 8) {
                let text = map.settings.probe(at: p).json(mapName: map.name, re: p.re, im: p.im)
                XCTAssertFalse(text.contains("\n"))
                let object = try XCTUnwrap(
                    try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
                let expected = ["map", "kind", "re", "im", "regime", "iterations"] + keys[map.settings.kind]! + ["orbit"]
                XCTAssertEqual(Set(object.keys), Set(expected), text)
                // Key order as docs/maps.md lists it.
                let positions = expected.map { text.range(of: "\"\($0)\":")!.lowerBound }
                XCTAssertEqual(positions, positions.sorted(), text)
                XCTAssertEqual(object["map"] as? String, map.name)
                XCTAssertEqual(object["kind"] as? String, map.settings.kind.rawValue)
                XCTAssertEqual(object["re"] as? Double, p.re)
                XCTAssertNotNil(Regime(rawValue: object["regime"] as? String ?? ""))
                XCTAssertFalse(text.contains("\"iterations\":\(map.settings.outcome(at: p).iterations).0"))
            }
        }
    }

    func testNonFiniteNumbersBecomeNull() throws {
        // Diverged at once into a non-finite weight would be ideal, but a synthetic result shows the rule directly.
        let outcome = PixelOutcome(
            regime: .exploded, iterations: 3, finalValue: Complex(.infinity, .nan), ring: nil)
        let probe = ProbeResult(kind: .backpropFlow, outcome: outcome, orbit: [.one, Complex(.nan, 1e-05)])
        let text = probe.json(mapName: "m\"x", re: 1e-05, im: -2.5e+16)
        XCTAssertTrue(text.contains("\"ring\":null"), text)
        XCTAssertTrue(text.contains("\"magnitude\":null"), text)
        XCTAssertTrue(text.contains("[null,1e-05]"), text)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(object["map"] as? String, "m\"x")
        XCTAssertEqual(object["re"] as? Double, 1e-05)
        XCTAssertEqual(object["im"] as? Double, -2.5e+16)

        let escaped = MapSettings.forwardPass(ForwardPassSettings()).probe(at: Complex(5.235825, -0.000125))
        let escapedText = escaped.json(mapName: "forward-pass", re: 5.235825, im: -0.000125)
        XCTAssertTrue(escapedText.contains("\"lyapunov\":null,\"period\":null"), escapedText)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(escapedText.utf8)))
    }

    func testPeriodAndLimitAreWrittenAsIntegersAndPairs() throws {
        let text = MapSettings.forwardPass(ForwardPassSettings()).probe(at: Complex(-3.8, -3.8))
            .json(mapName: "f", re: -3.8, im: -3.8)
        XCTAssertTrue(text.contains("\"iterations\":400,"), text)
        XCTAssertTrue(text.contains("\"period\":2,"), text)
        let basin = MapSettings.gradientBasin(GradientBasinSettings())
        let converged = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(basin.probe(at: Complex(-1, -0.2)).json(mapName: "g", re: -1, im: -0.2).utf8))
                as? [String: Any])
        let limit = try XCTUnwrap(converged["limit"] as? [Double])
        XCTAssertEqual(limit.count, 2)
        XCTAssertEqual(limit[0], 0.7398601951063434, accuracy: 1e-12)
        let undecided = basin.probe(at: Complex(-3.8, -3.8)).json(mapName: "g", re: -3.8, im: -3.8)
        XCTAssertTrue(undecided.contains("\"limit\":null"), undecided)
    }
}
