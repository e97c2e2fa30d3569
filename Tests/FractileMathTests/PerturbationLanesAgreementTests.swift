import FractileMath
import XCTest

/// The perturbation lane kernels (what deep tiles use) against the scalar perturbation loop (what the probe uses)
/// on random deep pixels of every kind: outcomes are bit for bit the same while a pixel stays near the reference,
/// and always for backprop_flow (its pixels that leave it run again in the scalar loop). A gradient_basin pixel that
/// leaves it continues in double, and may then differ in regime only where the tile itself is on a boundary at the
/// pixel's scale (a neighbouring pixel, one pixel away, has the other regime in the scalar loop). A forward_pass pixel
/// that leaves it takes double steps with `VectorTanh` in the lanes and libm's tanh in the scalar loop: a chaotic
/// orbit then becomes two different roundings of itself, and its Lyapunov mean a fresh sample in each
/// (docs/deep-zoom.md), so it may differ in anything, but only among pixels that ran the whole step budget. Its
/// linear phase is skipped in the lanes (`ForwardPassSeriesSkip`) and stepped in the scalar loop, to 2^-53 of the
/// delta: a pixel that stops early stops at the same step (or the next) with the same regime and nearly the same z.
final class PerturbationLanesAgreementTests: XCTestCase {
    /// Boundary points at depth (Tests/reference/deep_points.json; the wirtinger one is bench/bench.py's), and points
    /// whose pixels leave the reference (forward-pass: chaotic filaments of tile 0/0/0, where neighbouring orbits
    /// part; backprop-flow: the line w = -c, where deltas explode), beside random points of each frame.
    static let boundaries: [String: [(re: String, im: String)]] = [
        "gradient-basin": [("1.79760275334979934121534436339148005024474005", "-1.15379333956718615979991863404459894908997896")],
        "gradient-basin-wirtinger": [("-0.0008945022183134356657419039094080522080256797851",
                                      "1.05688728508048187552407374174016912794056409148995")],
        "forward-pass": [("-0.0382812500000000000000000000001", "-1.27734375"),
                         ("-0.0148437500000000000000000000001", "1.39453125")],
        "backprop-flow": [("-1.5000000000000000000000000000001", "1.5")],
    ]

    func testLanesAgreeWithTheScalarPerturbationLoop() throws {
        var generator = SplitMix64(seed: 0x6C61_6E65_7364_6565)
        var report: [String] = []
        for flavour in FastKernelAgreementTests.flavours {
            var foci: [WideComplex] = (0..<3).map { _ in
                WideComplex(Complex(flavour.center.re + flavour.span * Double.random(in: -0.4...0.4, using: &generator),
                                    flavour.center.im + flavour.span * Double.random(in: -0.4...0.4, using: &generator)))
            }
            for point in Self.boundaries[flavour.name] ?? [] {
                guard case .wide(let wide) = try ProbePoint(re: point.re, im: point.im) else { continue }
                foci.append(wide)
            }
            var total = 0, identical = 0, disagreeing = 0, boundary = 0, resampled = 0
            for focus in foci {
                let lanes = PerturbationLanes(PerturbationReference(settings: flavour.settings, at: focus))
                for zoom in [40, 60, 80, 100] {
                    let pixel = flavour.span * Double(sign: .plus, exponent: -zoom - 8, significand: 1)
                    let grid = (0..<512).map { _ in
                        (Int.random(in: -128...127, using: &generator), Int.random(in: -128...127, using: &generator))
                    }
                    let offsets = grid.map { Complex(pixel * (Double($0.0) + 0.5), pixel * (Double($0.1) + 0.5)) }
                    var outcomes = [PixelOutcome](repeating: PixelOutcome(regime: .escaped, iterations: 0, finalValue: .zero),
                                                  count: offsets.count)
                    offsets.withUnsafeBufferPointer { input in
                        outcomes.withUnsafeMutableBufferPointer { lanes.outcomes(input, into: $0) }
                    }
                    for (offset, fast) in zip(offsets, outcomes) {
                        total += 1
                        let scalar = lanes.reference.outcome(offset: offset)
                        if Self.same(scalar, fast) { identical += 1 }
                        let statistic = flavour.settings.kind == .forwardPass
                            && scalar.iterations == flavour.settings.maxIterations
                            && fast.iterations == flavour.settings.maxIterations
                        if !Self.close(scalar, fast) && flavour.settings.kind == .forwardPass && !statistic {
                            XCTFail("\(flavour.name) at \(focus.complexValue) + \(offset) (zoom \(zoom)) stopped early: "
                                    + "scalar \(scalar), lanes \(fast)")
                        }
                        guard scalar.regime != fast.regime else { continue }
                        if statistic {
                            resampled += 1
                            continue
                        }
                        disagreeing += 1
                        let neighbours = [(pixel, 0.0), (-pixel, 0.0), (0.0, pixel), (0.0, -pixel)].map {
                            lanes.reference.outcome(offset: Complex(offset.re + $0.0, offset.im + $0.1)).regime
                        }
                        if neighbours.contains(where: { $0 != scalar.regime })
                            || AgreementMargins.isNearThreshold(flavour.settings, scalar, fast) {
                            boundary += 1
                        } else {
                            XCTFail("\(flavour.name) at \(focus.complexValue) + \(offset) (zoom \(zoom)): scalar \(scalar), lanes \(fast)")
                        }
                    }
                }
            }
            report.append("\(flavour.name): \(identical) of \(total) identical, \(disagreeing + resampled) differ in regime "
                          + "(\(boundary) on a boundary or near a threshold, \(resampled) Lyapunov means of parted orbits)")
            XCTAssertLessThan(Double(disagreeing), 0.02 * Double(total), flavour.name)
            // The chaotic filaments' speckle: about 3% of their pixels are ordered in either arithmetic.
            XCTAssertLessThan(Double(resampled), 0.02 * Double(total), flavour.name)
            if flavour.settings.kind == .backpropFlow { XCTAssertEqual(identical, total, flavour.name) }
        }
        print("perturbation lanes vs scalar perturbation:\n" + report.joined(separator: "\n"))
    }

    /// The same outcome but for the rounding of a skipped linear phase.
    private static func close(_ a: PixelOutcome, _ b: PixelOutcome) -> Bool {
        func near(_ x: Double?, _ y: Double?) -> Bool {
            guard let x, let y else { return x == nil && y == nil }
            return Swift.abs(x - y) <= 1e-9 * Swift.max(1, Swift.abs(x))
        }
        return a.regime == b.regime && Swift.abs(a.iterations - b.iterations) <= 1 && a.period == b.period
            && (a.finalValue - b.finalValue).magnitude <= 1e-9 * Swift.max(1, a.finalValue.magnitude)
            && near(a.lyapunov, b.lyapunov)
    }

    private static func same(_ a: PixelOutcome, _ b: PixelOutcome) -> Bool {
        func bits(_ x: Double?) -> UInt64? { x?.bitPattern }
        return a.regime == b.regime && a.iterations == b.iterations && a.finalValue.re.bitPattern == b.finalValue.re.bitPattern
            && a.finalValue.im.bitPattern == b.finalValue.im.bitPattern && bits(a.lyapunov) == bits(b.lyapunov)
            && bits(a.ring) == bits(b.ring) && a.period == b.period
            && (a.regime != .converged || bits(a.loss) == bits(b.loss))  // tiles compute the loss of converged runs only
    }
}
