import FractileMath
import XCTest

/// The tile kernels (`MapSettings.fastOutcomes`, lanes, `VectorTanh`, squared thresholds) against the exact scalar
/// reference (`outcome(at:)`, what `probe(at:)` and the outside checks compute) on random points of every shipped
/// map flavour, both planes, at several zooms.
///
/// The two differ by a few ulps per step (tanh from exp and sincos instead of CPython's tanh/tan/cosh; |z|^2 > R^2
/// instead of hypot(z) > R). A pixel may therefore change regime only where a few ulps can change it, and those are
/// the margins:
/// - sensitive: moving the start by 1 to 8 ulps (re or im, either way) changes the reference's own regime. Chaotic and
///   near-boundary orbits amplify any rounding difference exponentially (forward_pass's chaotic sea, where an
///   escape through a pole of tanh depends on the last bit); no kernel that is not bit-identical can agree there.
/// - threshold: the reference's deciding quantity is within a relative 1e-6 of its threshold (Lyapunov mean
///   within 1e-9 of 0, the ring within 1e-6 of ringTolerance, the last step within 1e-6 of 1e-12, a slope within
///   1e-6 of 1e-9), or the iteration count differs by one at the stop (the stopping test crossed its threshold one
///   step earlier or later).
/// Everything else must agree exactly on regime, and the observed disagreement rate is printed and bounded.
final class FastKernelAgreementTests: XCTestCase {
    static var flavours: [(name: String, settings: MapSettings, center: Complex, span: Double)] {
        var forwardInput = ForwardPassSettings()
        forwardInput.plane = .input
        forwardInput.weight.offset = Complex(-1.6, 0.4)
        forwardInput.bias.offset = Complex(0.2, 0.1)
        var backpropInput = BackpropFlowSettings()
        backpropInput.plane = .input
        backpropInput.weight.offset = Complex(0.8, 0.6)
        backpropInput.input.offset = Complex(0.05, 0.1)
        return [
            ("forward-pass", .forwardPass(ForwardPassSettings()), Complex(-0.8, 0), 6),
            ("forward-pass input plane", .forwardPass(forwardInput), Complex(0, 0), 4),
            ("gradient-basin", .gradientBasin(GradientBasinSettings()), Complex(0, 0), 6),
            ("gradient-basin-wirtinger", .gradientBasin(MapFixtures.wirtinger), Complex(0, 0), 8),
            ("backprop-flow", .backpropFlow(BackpropFlowSettings()), Complex(0, 0), 4),
            ("backprop-flow input plane", .backpropFlow(backpropInput), Complex(0, 0), 4),
        ]
    }

    func testFastKernelsAgreeWithTheReferenceOutsideNumericalMargins() {
        var generator = SplitMix64(seed: 0x6672_6163_7469_6C65)
        let perZoom = 2_000
        var report: [String] = []
        for flavour in Self.flavours {
            var total = 0, disagreeing = 0, sensitive = 0, threshold = 0
            for zoom in [0, 3, 8, 16] {
                // A window 2^-zoom of the frame, centred on a random point of it: zooms land on structure too.
                let span = flavour.span / Double(1 << zoom)
                let focus = Complex(flavour.center.re + flavour.span * Double.random(in: -0.4...0.4, using: &generator),
                                    flavour.center.im + flavour.span * Double.random(in: -0.4...0.4, using: &generator))
                let points = (0..<perZoom).map { _ in
                    Complex(focus.re + span * Double.random(in: -0.5...0.5, using: &generator),
                            focus.im + span * Double.random(in: -0.5...0.5, using: &generator))
                }
                var outcomes = [PixelOutcome](repeating: PixelOutcome(regime: .escaped, iterations: 0, finalValue: .zero),
                                              count: points.count)
                points.withUnsafeBufferPointer { input in
                    outcomes.withUnsafeMutableBufferPointer { flavour.settings.fastOutcomes(input, into: $0) }
                }
                for (p, fast) in zip(points, outcomes) {
                    total += 1
                    let reference = flavour.settings.outcome(at: p)
                    guard reference.regime != fast.regime else { continue }
                    disagreeing += 1
                    if AgreementMargins.isNearThreshold(flavour.settings, reference, fast) {
                        threshold += 1
                    } else if AgreementMargins.isSensitive(flavour.settings, p, regime: reference.regime) {
                        sensitive += 1
                    } else {
                        XCTFail("\(flavour.name) at \(p) (zoom \(zoom)): reference \(reference), fast \(fast)")
                    }
                }
            }
            let rate = Double(disagreeing) / Double(total)
            report.append("\(flavour.name): \(disagreeing) of \(total) disagree (\(rate * 100)%): " +
                          "\(threshold) near a threshold, \(sensitive) sensitive to <= 8 ulps")
            XCTAssertLessThan(rate, 0.02, "\(flavour.name): too many disagreements")
        }
        print("fast kernels vs reference:\n" + report.joined(separator: "\n"))
    }

    /// Every pixel's outcome is a function of that pixel alone: the same in any batch, lane or order.
    func testOutcomesDoNotDependOnBatching() {
        for flavour in Self.flavours {
            let points = MapFixtures.grid(center: flavour.center, span: flavour.span, size: 23)
            var whole = [PixelOutcome](repeating: PixelOutcome(regime: .escaped, iterations: 0, finalValue: .zero),
                                       count: points.count)
            points.withUnsafeBufferPointer { input in
                whole.withUnsafeMutableBufferPointer { flavour.settings.fastOutcomes(input, into: $0) }
            }
            let reversed = Array(points.reversed())
            var backwards = whole
            reversed.withUnsafeBufferPointer { input in
                backwards.withUnsafeMutableBufferPointer { flavour.settings.fastOutcomes(input, into: $0) }
            }
            for (index, p) in points.enumerated() {
                var single = [whole[0]]
                [p].withUnsafeBufferPointer { input in
                    single.withUnsafeMutableBufferPointer { flavour.settings.fastOutcomes(input, into: $0) }
                }
                XCTAssertEqual(single[0], whole[index], "\(flavour.name) at \(p)")
                XCTAssertEqual(backwards[points.count - 1 - index], whole[index], "\(flavour.name) at \(p)")
            }
        }
    }
}

/// PythonReferenceTests' seeded generator, for `Double.random(in:using:)`: the same sample on every run.
extension SplitMix64: RandomNumberGenerator {}
