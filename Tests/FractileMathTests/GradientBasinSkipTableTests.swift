@testable import FractileMath
import XCTest

/// The second-order linear-phase skip (`GradientBasinSkipTable`) against the full perturbation steps it replaces, on
/// each gradient's deep boundary point (Tests/reference/deep_points.json's, and bench/bench.py's for Wirtinger).
final class GradientBasinSkipTableTests: XCTestCase {
    static func reference(_ gradient: GradientMode) -> GradientBasinReference {
        var settings = GradientBasinSettings()
        settings.gradient = gradient
        let point = gradient == .wirtinger
            ? Complex(-0.0008945022183134357, 1.056887285080482) : Complex(1.797602753349799, -1.153793339567186)
        return GradientBasinReference(settings: settings, at: WideComplex(point))
    }

    /// Within its radius an entry of 2^l steps is those steps to a few ulps each (the full steps round too).
    func testEntriesAreTheirStepsWithinTheirRadius() {
        for gradient in [GradientMode.holomorphic, .wirtinger] {
            let reference = Self.reference(gradient)
            let table = reference.skips
            var worst = 0.0, checked = 0
            for level in 0..<min(table.starts.count, 7) {
                let span = 1 << level, blocks = table.length / span
                for block in stride(from: 0, to: blocks, by: max(1, blocks / 12)) {
                    let map = GradientBasinSkipTable.Map(table.entries, at: (table.starts[level] + block) * GradientBasinSkipTable.stride)
                    guard map.r > 0 else { continue }
                    for angle in [0.3, 2.1, 4.4] {
                        let start = Complex(0.99 * map.r * cos(angle), 0.99 * map.r * sin(angle))
                        var d = start
                        for m in (block * span)..<((block + 1) * span) { d = reference.step(m, from: d).delta }
                        worst = max(worst, (map(start) - d).magnitude / d.magnitude / Double(span))
                        checked += 1
                    }
                }
            }
            XCTAssertGreaterThan(checked, 30, "\(gradient)")
            XCTAssertLessThan(worst, 0x1p-48, "\(gradient): relative error per step")
        }
    }

    /// Beyond the radius, where the quadratic terms are far above the rounding, they are the steps' own: the
    /// quadratic map is closer to a full step than the linear one by the ratio of the cubic to the quadratic terms.
    func testQuadraticTermsAreTheStepsSecondOrder() {
        for gradient in [GradientMode.holomorphic, .wirtinger] {
            let reference = Self.reference(gradient)
            let table = reference.skips
            var compared = 0
            for m in stride(from: 0, to: table.length, by: 7) {
                var map = GradientBasinSkipTable.Map(table.entries, at: m * GradientBasinSkipTable.stride)
                guard map.curvature > 0 else { continue }
                for angle in [0.7, 3.9] {
                    let d = Complex(1e-9 * cos(angle), 1e-9 * sin(angle))
                    let full = reference.step(m, from: d).delta
                    let quadratic = (map(d) - full).magnitude
                    (map.a, map.b, map.c) = (.zero, .zero, .zero)
                    let linear = (map(d) - full).magnitude
                    guard linear > 0x1p-40 * full.magnitude else { continue }  // second order below the rounding
                    XCTAssertLessThan(quadratic, 1e-3 * linear, "\(gradient) step \(m)")
                    compared += 1
                    map = GradientBasinSkipTable.Map(table.entries, at: m * GradientBasinSkipTable.stride)
                }
            }
            XCTAssertGreaterThan(compared, 10, "\(gradient)")
        }
    }
}
