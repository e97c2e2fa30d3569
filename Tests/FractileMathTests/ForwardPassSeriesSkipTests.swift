@testable import FractileMath
import XCTest

/// The deep forward-pass skip (`ForwardPassSeriesSkip`) against the steps it skips, taken one by one in double as
/// the scalar perturbation loop takes them.
final class ForwardPassSeriesSkipTests: XCTestCase {
    /// The bench's island in a chaotic filament, and the agreement tests' filament point.
    static let points = [("-0.0148437500000000000000000000001", "1.39453125"),
                         ("-0.0382812500000000000000000000001", "-1.27734375")]

    /// The scalar loop's steps from the start to step `m`, or nil where a stopping test fires (or the pixel parts)
    /// before it.
    static func delta(_ reference: ForwardPassReference, offset: Complex, steps m: Int) -> Complex? {
        let settings = reference.settings
        let (dw, db, start) = settings.plane.split(offset, weightScale: settings.weight.scale,
                                                   secondScale: settings.bias.scale)
        let orbit = reference.main
        var d = start
        for j in 0..<m {
            let next = orbit.orbit[j + 1], gain = orbit.gain[j + 1]
            let du = reference.w * d + dw * orbit.orbit[j] + dw * d + db
            let u2 = du * du
            guard u2.re * u2.re + u2.im * u2.im < 0x1p-32 else { return nil }
            let tau = Complex.deltaTanh(du)
            let nextDelta = tau * gain / (Complex.one + next * tau)
            let value = next + nextDelta
            guard value.magnitude <= settings.escapeRadius,
                  (orbit.step[j] + (nextDelta - d)).magnitudeSquared > 1e-24 else { return nil }
            d = nextDelta
        }
        return d
    }

    func check(_ settings: ForwardPassSettings, at point: WideComplex, span: Double, zooms: [Int]) -> (Int, Int) {
        var generator = SplitMix64(seed: 0x736B_6970)
        let reference = ForwardPassReference(settings: settings, at: point)
        let skip = reference.skip
        XCTAssertLessThanOrEqual(skip.structural, settings.maxIterations / 4)
        // A larger disc never skips further.
        for (a, b) in zip(skip.ladder, skip.ladder.dropFirst()) { XCTAssertLessThanOrEqual(a, b) }
        var skipped = 0, pixels = 0
        for zoom in zooms {
            let pixel = span * Double(sign: .plus, exponent: -zoom - 8, significand: 1)
            for _ in 0..<64 {
                let offset = Complex(pixel * Double.random(in: -128...128, using: &generator),
                                     pixel * Double.random(in: -128...128, using: &generator))
                let start = settings.plane.split(offset, weightScale: settings.weight.scale,
                                                 secondScale: settings.bias.scale).dState
                let (m, d) = skip.start(at: offset, from: start)
                pixels += 1
                guard m > 0 else {
                    XCTAssertEqual(d, start)
                    continue
                }
                skipped += m
                guard let steps = Self.delta(reference, offset: offset, steps: m) else {
                    XCTFail("a stopping test fires inside the skip: \(point.complexValue) + \(offset), \(m) steps")
                    continue
                }
                // The rounding of m double steps, not the skip's own error (below 2^-53).
                XCTAssertLessThanOrEqual((d - steps).magnitude, 1e-12 * steps.magnitude,
                                         "\(point.complexValue) + \(offset) (zoom \(zoom)): \(m) steps")
            }
        }
        return (skipped, pixels)
    }

    func testSkipAgreesWithTheStepsItSkips() throws {
        let settings = ForwardPassSettings()
        for (re, im) in Self.points {
            guard case .wide(let point) = try ProbePoint(re: re, im: im) else { return XCTFail("not a deep point") }
            let (skipped, pixels) = check(settings, at: point, span: 6, zooms: [40, 60, 80, 100])
            // At these depths the linear phase is long: most of the first N/4 steps are skipped.
            XCTAssertGreaterThan(skipped, 40 * pixels, "\(re), \(im)")
        }
    }

    func testSkipInTheInputPlane() throws {
        var settings = ForwardPassSettings()
        settings.plane = .input
        settings.weight.offset = Complex(-1.6, 0.4)
        settings.bias.offset = Complex(0.2, 0.1)
        guard case .wide(let point) = try ProbePoint(re: "0.3000000000000000000000000000001", im: "0.2")
        else { return XCTFail("not a deep point") }
        _ = check(settings, at: point, span: 4, zooms: [60, 80])
    }

    /// Pixels whose disc reaches past 2^-8 take every step.
    func testFarOffsetsTakeEveryStep() throws {
        guard case .wide(let point) = try ProbePoint(re: Self.points[0].0, im: Self.points[0].1) else { return }
        let reference = ForwardPassReference(settings: ForwardPassSettings(), at: point)
        XCTAssertEqual(reference.skip.start(at: Complex(0.01, 0), from: .zero).m, 0)
    }
}
