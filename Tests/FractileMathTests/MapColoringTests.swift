import FractileMath
import XCTest

final class MapColoringTests: XCTestCase {
    func testColourIsAPureFunctionOfThePixel() {
        for map in MapFixtures.maps {
            for p in MapFixtures.grid(center: map.center, span: map.span, size: 16) {
                XCTAssertEqual(map.settings.color(at: p), map.settings.color(at: p))
                XCTAssertEqual(map.settings.color(at: p), map.settings.color(of: map.settings.outcome(at: p)))
            }
        }
    }

    /// The reference points of each regime: no two regimes of a kind share a colour.
    func testDifferentRegimesGetDifferentColours() {
        let forward = MapSettings.forwardPass(ForwardPassSettings())
        let basin = MapSettings.gradientBasin(GradientBasinSettings())
        let flow = MapSettings.backpropFlow(BackpropFlowSettings())
        let samples: [(MapSettings, [Complex])] = [
            (forward, [Complex(0.32, 0.02), Complex(-1.27, -2.79), Complex(5.235825, -0.000125)]),
            (basin, [Complex(-1, -0.2), Complex(-1, -1), Complex(-3.8, -3.8), Complex(-0.0075, 1.56125)]),
            (flow, [Complex(-2.85, -2.55), Complex(-0.0001, -0.0007), Complex(0.002, 1.57), Complex(-0.663105328406476, 0)]),
        ]
        for (map, points) in samples {
            let regimes = points.map { map.outcome(at: $0).regime }
            XCTAssertEqual(Set(regimes).count, points.count, "\(regimes)")
            let colors = points.map { map.color(at: $0) }
            XCTAssertEqual(Set(colors).count, points.count, "\(map.kind): \(colors)")
        }
        // Legend colours are distinct too.
        for map in [forward, basin, flow] {
            XCTAssertEqual(Set(map.legend.map(\.color)).count, map.legend.count)
        }
    }

    func testSameMinimumSameHueFromAnywhere() {
        let basin = MapSettings.gradientBasin(GradientBasinSettings())
        // Two starts that reach the same minimum 0.7398... in different numbers of steps: the hue is the same,
        // only the brightness differs.
        let a = basin.outcome(at: Complex(-1, -0.2))
        let b = basin.outcome(at: Complex(0.5, 0.2))
        XCTAssertEqual(a.limit!.re, b.limit!.re, accuracy: 1e-9)
        func hueOrder(_ c: RGB) -> [Int] { [Int(c.r), Int(c.g), Int(c.b)].enumerated().sorted { $0.element < $1.element }.map(\.offset) }
        XCTAssertEqual(hueOrder(basin.color(at: Complex(-1, -0.2))), hueOrder(basin.color(at: Complex(0.5, 0.2))))
    }

    /// A 256x256 tile should mostly fit a 256-colour palette.
    func testAGridUsesAModestNumberOfColours() {
        for map in MapFixtures.maps {
            let colors = Set(MapFixtures.grid(center: map.center, span: map.span, size: 64).map(map.settings.color(at:)))
            XCTAssertLessThanOrEqual(colors.count, 256, map.name)
        }
    }

    func testLegend() {
        for map in MapFixtures.maps {
            XCTAssertEqual(map.settings.legend.map(\.regime), map.settings.kind.regimes)
            let lines = map.settings.legendText.split(separator: "\n")
            XCTAssertEqual(lines.count, map.settings.kind.regimes.count)
            for regime in map.settings.kind.regimes {
                XCTAssertTrue(map.settings.legendText.contains(regime.rawValue), map.settings.legendText)
            }
        }
        XCTAssertEqual(MapKind.gradientBasin.regimes, [.diverged, .converged, .saturated, .undecided])
        XCTAssertEqual(Regime.unitCircle.rawValue, "unit_circle")
    }
}
