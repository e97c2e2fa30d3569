import FractileMath
import XCTest

/// Deep-zoom arithmetic (a fixed-point reference orbit at a point C plus double deltas per pixel) against the
/// exact double loop, at depths where double is still right: pixels C + offset for offsets up to a window of the
/// frame. The same margins as the fast kernels' (AgreementMargins) apply; everything else must agree exactly.
final class PerturbationAgreementTests: XCTestCase {
    func testPerturbedPixelsAgreeWithTheDoubleLoopOutsideNumericalMargins() {
        var generator = SplitMix64(seed: 0x6465_6570_7A6F_6F6D)
        let perZoom = 250
        var report: [String] = []
        for flavour in FastKernelAgreementTests.flavours {
            var total = 0, disagreeing = 0, sensitive = 0, threshold = 0
            for zoom in [0, 4, 10, 20] {
                let window = flavour.span / Double(1 << zoom)
                let focus = Complex(flavour.center.re + flavour.span * Double.random(in: -0.4...0.4, using: &generator),
                                    flavour.center.im + flavour.span * Double.random(in: -0.4...0.4, using: &generator))
                let reference = PerturbationReference(settings: flavour.settings, at: WideComplex(focus))
                for _ in 0..<perZoom {
                    // Offsets on a grid of 2^-12 of the window, so that focus + offset is exact in double.
                    let offset = Complex(window * (Double(Int.random(in: -2048...2048, using: &generator)) / 4096),
                                         window * (Double(Int.random(in: -2048...2048, using: &generator)) / 4096))
                    let p = focus + offset
                    guard p - focus == offset else { continue }
                    total += 1
                    let exact = flavour.settings.outcome(at: p)
                    let perturbed = reference.outcome(offset: offset)
                    guard exact.regime != perturbed.regime else { continue }
                    disagreeing += 1
                    if AgreementMargins.isNearThreshold(flavour.settings, exact, perturbed) {
                        threshold += 1
                    } else if AgreementMargins.isSensitive(flavour.settings, p, regime: exact.regime) {
                        sensitive += 1
                    } else {
                        XCTFail("\(flavour.name) at \(focus) + \(offset) (zoom \(zoom)): double \(exact), perturbed \(perturbed)")
                    }
                }
            }
            let rate = Double(disagreeing) / Double(max(total, 1))
            report.append("\(flavour.name): \(disagreeing) of \(total) disagree: \(threshold) near a threshold, "
                          + "\(sensitive) sensitive to <= 8 ulps")
            XCTAssertGreaterThan(total, 900)
            XCTAssertLessThan(rate, 0.02, "\(flavour.name): too many disagreements")
        }
        print("perturbation vs double:\n" + report.joined(separator: "\n"))
    }

    /// At offset zero the perturbed run is the reference orbit itself: for a double point it matches the double
    /// probe on regime and iterations, and its first iterates to rounding. Chaotic orbits are skipped: there the
    /// double loop itself keeps no digit for long (it is the fixed-point orbit that is right).
    func testProbeAtAPointMatchesTheDoubleProbe() {
        for flavour in FastKernelAgreementTests.flavours {
            for p in MapFixtures.grid(center: flavour.center, span: flavour.span, size: 9) {
                let double = flavour.settings.probe(at: p)
                let wide = PerturbationReference(settings: flavour.settings, at: WideComplex(p)).probe()
                if double.regime == .chaotic || wide.regime == .chaotic { continue }
                guard double.regime == wide.regime else {
                    XCTAssertTrue(AgreementMargins.isNearThreshold(flavour.settings, double.outcome, wide.outcome)
                                  || AgreementMargins.isSensitive(flavour.settings, p, regime: double.regime),
                                  "\(flavour.name) at \(p): \(double.outcome) vs \(wide.outcome)")
                    continue
                }
                XCTAssertEqual(double.orbit.count, wide.orbit.count, "\(flavour.name) at \(p)")
                let first = zip(double.orbit, wide.orbit).prefix(4)
                for (a, b) in first { XCTAssertLessThan((a - b).magnitude, 1e-12 * max(1, a.magnitude), "\(flavour.name) at \(p)") }
            }
        }
    }
}
