import FractileMath
import XCTest

/// One point per regime of every kind, found and computed with the independent Python reference
/// (`python3 Tests/reference/maps_reference.py KIND RE IM [--gradient wirtinger]`, default settings, plane
/// "parameter"). Points were chosen robustly inside their regime: moving them by 1e-3 (1e-5 for the tiny
/// unit_circle disc, 2e-5 for the escape sliver) keeps regime and iterations, unless noted.
final class ReferencePointsTests: XCTestCase {
    struct Expected {
        var p: Complex
        var regime: Regime
        var iterations: Int
        var lyapunov: Double?
        var period: Int?
        var limit: Complex?
        var loss: Double?
        var ring: Double?
        var magnitude: Double?
    }

    func check(_ settings: MapSettings, _ expected: Expected, file: StaticString = #filePath, line: UInt = #line) {
        let outcome = settings.outcome(at: expected.p)
        let label = "\(settings.kind.rawValue) at \(expected.p)"
        XCTAssertEqual(outcome.regime, expected.regime, label, file: file, line: line)
        XCTAssertEqual(outcome.iterations, expected.iterations, label, file: file, line: line)
        func close(_ actual: Double?, _ wanted: Double?, _ what: String) {
            guard let wanted else {
                XCTAssertNil(actual, "\(label) \(what)", file: file, line: line)
                return
            }
            guard let actual else { return XCTFail("\(label) \(what) is nil", file: file, line: line) }
            XCTAssertEqual(actual, wanted, accuracy: 1e-9 * Swift.max(1, Swift.abs(wanted)), "\(label) \(what)",
                           file: file, line: line)
        }
        if settings.kind == .forwardPass {
            close(outcome.lyapunov, expected.lyapunov, "lyapunov")
            XCTAssertEqual(outcome.period, expected.period, "\(label) period", file: file, line: line)
        }
        if settings.kind == .gradientBasin {
            close(outcome.limit?.re, expected.limit?.re, "limit.re")
            if let limit = expected.limit, let actual = outcome.limit {
                XCTAssertEqual(actual.im, limit.im, accuracy: 1e-9 * Swift.max(1, limit.magnitude), label,
                               file: file, line: line)
            }
            close(outcome.loss, expected.loss, "loss")
        }
        if settings.kind == .backpropFlow {
            close(outcome.ring, expected.ring, "ring")
            if let magnitude = expected.magnitude {
                XCTAssertEqual(outcome.magnitude, magnitude, accuracy: 1e-9 * Swift.max(1, magnitude) + 1e-15,
                               label, file: file, line: line)
            }
        }
    }

    func testForwardPass() {
        let map = MapSettings.forwardPass(ForwardPassSettings())
        // ordered, stopped early at a fixed point: period 1, lyapunov = log|d_n| there.
        check(map, Expected(p: Complex(0.32, 0.02), regime: .ordered, iterations: 24,
                            lyapunov: -1.1176521787420326, period: 1))
        // ordered after all N steps (mean lyapunov < 0), on a 2-cycle.
        check(map, Expected(p: Complex(-3.8, -3.8), regime: .ordered, iterations: 400,
                            lyapunov: -4.577805969743061, period: 2))
        check(map, Expected(p: Complex(-1.27, -2.79), regime: .chaotic, iterations: 400,
                            lyapunov: 0.13385061382294508, period: nil))
        // b = 0.3i*p lies near the pole i*pi/2 of tanh, so z_1 = tanh(b) is huge.
        check(map, Expected(p: Complex(5.235825, -0.000125), regime: .escaped, iterations: 1))
    }

    func testGradientBasinHolomorphic() {
        let map = MapSettings.gradientBasin(GradientBasinSettings())
        check(map, Expected(p: Complex(-1, -0.2), regime: .converged, iterations: 19,
                            limit: Complex(0.7398601951063434, -1.6837521084279292e-14), loss: 0.00880086517328706))
        // One huge step lands where every tanh is saturated; the gradient dies there.
        check(map, Expected(p: Complex(-1, -1), regime: .saturated, iterations: 3,
                            limit: Complex(-7209.620351396497, 5189.492864863739), loss: 8.962500000000002))
        check(map, Expected(p: Complex(-3.8, -3.8), regime: .undecided, iterations: 256, loss: 8.970044628992284))
        // w_0 near the pole i*pi/2 of tanh(w*1): the gradient is enormous. (Loss at the finite, far-away w_1.)
        check(map, Expected(p: Complex(-0.0075, 1.56125), regime: .diverged, iterations: 1, loss: 1.1625))
    }

    func testGradientBasinWirtinger() {
        var settings = GradientBasinSettings()
        settings.gradient = .wirtinger
        let map = MapSettings.gradientBasin(settings)
        check(map, Expected(p: Complex(-1.35, -0.75), regime: .converged, iterations: 22,
                            limit: Complex(0.7398601951062473, 5.267426949303109e-17), loss: 0.008800865173287055))
        check(map, Expected(p: Complex(-0.6, -3), regime: .saturated, iterations: 2,
                            limit: Complex(-34.861481341483966, 6.878554603586851), loss: 8.962499999999995))
        check(map, Expected(p: Complex(-1, -3.4), regime: .undecided, iterations: 256, loss: 8.951471567358439))
        check(map, Expected(p: Complex(-0.0075, 1.56125), regime: .diverged, iterations: 1, loss: 8.962500000000002))
    }

    func testBackpropFlow() {
        let map = MapSettings.backpropFlow(BackpropFlowSettings())
        check(map, Expected(p: Complex(-2.85, -2.55), regime: .bounded, iterations: 400,
                            ring: 3.958252255328048, magnitude: 3.8244542921437024))
        // With c = w = p tiny, delta barely leaves delta_0 = 1.
        check(map, Expected(p: Complex(-0.0001, -0.0007), regime: .unitCircle, iterations: 400,
                            ring: 0.006537570683797999, magnitude: 1.0001732281071332))
        // w = p near i*pi/2: tanh'(w*delta_0) has a pole there.
        check(map, Expected(p: Complex(0.002, 1.57), regime: .exploded, iterations: 1, magnitude: 215788.6155661068))
        // With the default settings vanished needs delta_1 = sech^2(p) + p = 0, so only a disc of radius ~5e-9
        // around this root (found by Newton's method) vanishes: robust to 3e-9, not to 1e-3.
        check(map, Expected(p: Complex(-0.663105328406476, 0), regime: .vanished, iterations: 1,
                            magnitude: 1.1102230246251565e-16))
    }

    func testInputPlanes() {
        var forward = ForwardPassSettings()
        forward.plane = .input
        forward.weight = AffineParameter(scale: .one, offset: Complex(2))
        forward.bias = AffineParameter(scale: .zero, offset: Complex(0, 0.1))
        let forwardMap = MapSettings.forwardPass(forward)
        check(forwardMap, Expected(p: Complex(0.5, 0.5), regime: .ordered, iterations: 17,
                                   lyapunov: -1.7975400419042047, period: 1))
        // plane input: z_0 = p, w and b are the offsets (the scales are ignored).
        let orbit = forwardMap.probe(at: Complex(0.5, 0.5)).orbit
        XCTAssertEqual(orbit[0], Complex(0.5, 0.5))
        XCTAssertEqual(orbit[1].re, 1.1427881049914959, accuracy: 1e-12)
        XCTAssertEqual(orbit[1].im, 0.2547492788016893, accuracy: 1e-12)

        var flow = BackpropFlowSettings()
        flow.plane = .input
        // w = 0, c = 0: delta stays p, so |p| = 1 is exactly the unit circle.
        check(.backpropFlow(flow), Expected(p: Complex(0.6, 0.8), regime: .unitCircle, iterations: 400,
                                            ring: 0, magnitude: 1))
        // w = 30: tanh'(30) ~ 3.5e-26 kills the signal at once.
        flow.weight = AffineParameter(scale: .one, offset: Complex(30))
        check(.backpropFlow(flow), Expected(p: Complex(1), regime: .vanished, iterations: 1, magnitude: 0))
    }
}
