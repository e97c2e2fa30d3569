@testable import FractileMath
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The deep forward-pass skip (`ForwardPassSeriesSkip`) against the steps it skips, taken one by one in double as
/// the scalar perturbation loop takes them.
final class ForwardPassSeriesSkipTests: XCTestCase {
    /// The bench's island in a chaotic filament, and the agreement tests' filament point.
    static let points = [("-0.0148437500000000000000000000001", "1.39453125"),
                         ("-0.0382812500000000000000000000001", "-1.27734375")]

    /// The scalar loop's steps from the start to step `m`, or nil where a stopping test fires (or the pixel parts)
    /// before it.
    static func delta(_ reference: ForwardPassReference, offset: Complex, steps m: Int) -> (d: Complex, lyapunovSum: Double)? {
        let settings = reference.settings
        let (dw, db, start) = settings.plane.split(offset, weightScale: settings.weight.scale,
                                                   secondScale: settings.bias.scale)
        let orbit = reference.main
        var d = start, sum = 0.0
        let pixelW = reference.w + dw
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
            if j >= settings.maxIterations / 4 {
                sum += log((pixelW * (gain - nextDelta * (2.0 * next + nextDelta))).magnitude)
            }
            d = nextDelta
        }
        return (d, sum)
    }

    func check(_ settings: ForwardPassSettings, at point: WideComplex, span: Double, zooms: [Int]) -> (Int, Int) {
        var generator = SplitMix64(seed: 0x736B_6970)
        let reference = ForwardPassReference(settings: settings, at: point)
        let skip = reference.skip
        XCTAssertLessThanOrEqual(skip.structural, settings.maxIterations - 32)
        var skipped = 0, pixels = 0, pastLyapunovStart = 0
        defer { print("\(point.complexValue): \(pixels) pixels skip \(Double(skipped) / Double(pixels)) steps on average, "
                      + "\(pastLyapunovStart) past lyapunovStart") }
        for zoom in zooms {
            let pixel = span * Double(sign: .plus, exponent: -zoom - 8, significand: 1)
            for _ in 0..<64 {
                let offset = Complex(pixel * Double.random(in: -128...128, using: &generator),
                                     pixel * Double.random(in: -128...128, using: &generator))
                let start = settings.plane.split(offset, weightScale: settings.weight.scale,
                                                 secondScale: settings.bias.scale).dState
                let (m, d, lyapunovSum) = [offset].withUnsafeBufferPointer {
                    skip.start(at: offset, from: start, ladder: skip.ladder(for: $0))
                }
                pixels += 1
                guard m > 0 else {
                    XCTAssertEqual(d, start)
                    XCTAssertEqual(lyapunovSum, 0)
                    continue
                }
                skipped += m
                guard let steps = Self.delta(reference, offset: offset, steps: m) else {
                    XCTFail("a stopping test fires inside the skip: \(point.complexValue) + \(offset), \(m) steps")
                    continue
                }
                // The rounding of m double steps, not the skip's own error (below 2^-53).
                XCTAssertLessThanOrEqual((d - steps.d).magnitude, 1e-12 * steps.d.magnitude,
                                         "\(point.complexValue) + \(offset) (zoom \(zoom)): \(m) steps")
                // The product of the skipped slopes, as their logs: the rounding of up to m terms of order 1.
                XCTAssertEqual(lyapunovSum, steps.lyapunovSum, accuracy: 1e-12, "\(point.complexValue) + \(offset)")
                if m > settings.maxIterations / 4 { pastLyapunovStart += 1 }
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
        let far = Complex(0.01, 0)
        XCTAssertEqual([far].withUnsafeBufferPointer {
            reference.skip.start(at: far, from: .zero, ladder: reference.skip.ladder(for: $0))
        }.m, 0)
    }

    /// A pixel's steps depend on its own disc only, not on the other pixels of its block, and a larger disc never
    /// skips further.
    func testLadderIsAPropertyOfEachPixel() throws {
        guard case .wide(let point) = try ProbePoint(re: Self.points[0].0, im: Self.points[0].1) else { return }
        let skip = ForwardPassReference(settings: ForwardPassSettings(), at: point).skip
        let offsets = (0..<200).map { Complex(Double(sign: .plus, exponent: -$0, significand: 1.3), 0) }
        let together = offsets.withUnsafeBufferPointer { all in
            offsets.map { skip.start(at: $0, from: .zero, ladder: skip.ladder(for: all)).m }
        }
        let alone = offsets.map { offset in
            [offset].withUnsafeBufferPointer { skip.start(at: offset, from: .zero, ladder: skip.ladder(for: $0)).m }
        }
        XCTAssertEqual(together, alone)
        for (a, b) in zip(together, together.dropFirst()) { XCTAssertLessThanOrEqual(a, b) }
        XCTAssertGreaterThan(together.last ?? 0, 100)
    }
}
