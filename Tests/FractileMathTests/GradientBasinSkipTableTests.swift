@testable import FractileMath
import XCTest

/// The second-order linear-phase skip (`GradientBasinSkipTable`) and its ladder against the full perturbation steps
/// they replace, on each gradient's deep boundary point (Tests/reference/deep_points.json's, and bench/bench.py's for
/// Wirtinger).
final class GradientBasinSkipTableTests: XCTestCase {
    static func reference(_ gradient: GradientMode) -> GradientBasinReference {
        var settings = GradientBasinSettings()
        settings.gradient = gradient
        let point = gradient == .wirtinger
            ? Complex(-0.0008945022183134357, 1.056887285080482) : Complex(1.797602753349799, -1.153793339567186)
        return GradientBasinReference(settings: settings, at: WideComplex(point))
    }

    /// The relative error per step a skip may make: 32 times its linearity (2^-48 for Wirtinger; the full steps round
    /// too).
    static func tolerance(_ gradient: GradientMode) -> Double {
        32 * GradientBasinSkipTable.linearity(wirtinger: gradient == .wirtinger)
    }

    /// For starts at 0.99 of `map`'s radius in three directions: each start, and `map`'s relative error per step
    /// against the full steps it replaces.
    static func errorsPerStep(of map: GradientBasinSkipTable.Map, replacing steps: ClosedRange<Int>,
                              in reference: GradientBasinReference) -> [(start: Complex, error: Double)] {
        [0.3, 2.1, 4.4].map { angle in
            let start = Complex(0.99 * map.r * cos(angle), 0.99 * map.r * sin(angle))
            var d = start
            for m in steps { d = reference.step(m, from: d).delta }
            return (start, (map(start) - d).magnitude / d.magnitude / Double(steps.count))
        }
    }

    /// Within its radius an entry of 2^l steps is those steps to within `tolerance` each.
    func testEntriesAreTheirStepsWithinTheirRadius() {
        for gradient in [GradientMode.holomorphic, .wirtinger] {
            let reference = Self.reference(gradient)
            let table = reference.skips
            var worst = 0.0, checked = 0
            for level in 0..<min(table.starts.count, 7) {
                let span = 1 << level, blocks = table.length / span
                for block in stride(from: 0, to: blocks, by: max(1, blocks / 12)) {
                    let entry = (table.starts[level] + block) * GradientBasinSkipTable.stride
                    let map = GradientBasinSkipTable.Map(table.entries, at: entry)
                    guard map.r > 0 else { continue }
                    for (_, error) in Self.errorsPerStep(of: map, replacing: (block * span)...((block + 1) * span - 1),
                                                         in: reference) {
                        worst = max(worst, error)
                        checked += 1
                    }
                }
            }
            XCTAssertGreaterThan(checked, 30, "\(gradient)")
            XCTAssertLessThan(worst, Self.tolerance(gradient), "\(gradient): relative error per step")
        }
    }

    /// Within its radius a rung of the ladder is the steps from 0 to its end, to within `tolerance` each, and the
    /// climb from step 0 reaches at least every rung whose radius holds.
    func testLadderRungsAreTheirStepsWithinTheirRadius() {
        for gradient in [GradientMode.holomorphic, .wirtinger] {
            let reference = Self.reference(gradient)
            let table = reference.skips
            let rungs = table.ladder.count / GradientBasinSkipTable.stride
            XCTAssertGreaterThan(rungs, 16, "\(gradient)")
            var worst = 0.0, checked = 0
            for rung in stride(from: 0, to: rungs, by: max(1, rungs / 16)) {
                let map = GradientBasinSkipTable.Map(table.ladder, at: rung * GradientBasinSkipTable.stride)
                XCTAssertGreaterThan(map.r, 0)
                if rung > 0 {
                    let below = GradientBasinSkipTable.Map(table.ladder, at: (rung - 1) * GradientBasinSkipTable.stride)
                    XCTAssertLessThanOrEqual(map.r, below.r, "radii never grow up the ladder")
                }
                for (start, error) in Self.errorsPerStep(of: map, replacing: 0...rung, in: reference) {
                    worst = max(worst, error)
                    checked += 1
                    var skipped = start, m = 0
                    XCTAssertEqual(table.skip(d: &skipped, m: &m, budget: 255), m)
                    XCTAssertGreaterThanOrEqual(m, rung + 1, "\(gradient): the climb stops below a rung that holds")
                }
            }
            XCTAssertGreaterThan(checked, 30, "\(gradient)")
            XCTAssertLessThan(worst, Self.tolerance(gradient), "\(gradient): relative error per step")
        }
    }

    /// Beyond the radius, where the terms beyond the linear ones are far above the rounding, they are the steps'
    /// own: each order brings the map closer to a full step by the ratio of the next order's terms to its own.
    func testHigherTermsAreTheStepsOwn() {
        for gradient in [GradientMode.holomorphic, .wirtinger] {
            let reference = Self.reference(gradient)
            let table = reference.skips
            var compared = 0
            for m in stride(from: 0, to: table.length, by: 7) {
                let map = GradientBasinSkipTable.Map(table.entries, at: m * GradientBasinSkipTable.stride)
                guard map.curvature > 0 else { continue }
                var linear = map, quadratic = map
                (linear.a, linear.b, linear.c, linear.g) = (.zero, .zero, .zero, .zero)
                quadratic.g = .zero
                for angle in [0.7, 3.9] {
                    // 1e-9: the quadratic terms against the linear map; 1e-5: the cubic ones against the quadratic map.
                    let orders = [(1e-9, linear, quadratic)] + (gradient == .holomorphic ? [(1e-5, quadratic, map)] : [])
                    for (size, coarse, fine) in orders {
                        let d = Complex(size * cos(angle), size * sin(angle))
                        let full = reference.step(m, from: d).delta
                        let far = (coarse(d) - full).magnitude
                        guard far > 0x1p-40 * full.magnitude else { continue }  // that order is below the rounding
                        XCTAssertLessThan((fine(d) - full).magnitude, 1e-3 * far, "\(gradient) step \(m) |d| \(size)")
                        compared += 1
                    }
                }
            }
            XCTAssertGreaterThan(compared, 10, "\(gradient)")
        }
    }
}
