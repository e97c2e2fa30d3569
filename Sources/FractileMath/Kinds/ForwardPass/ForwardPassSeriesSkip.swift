#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The linear-phase skip of deep forward_pass tiles: every pixel C + o starts on the reference's orbit at the same
/// z_0 (or, in the input plane, at Z_0 + o), so its delta after m steps is one holomorphic function of its offset,
/// d_m(o) = c1 o + c2 o^2 + c3 o^3 + O(o^4). Where that cubic is exact to below 2^-53 of d_m for every |o| <= R and no
/// stopping test can fire on the way, a pixel with |o| <= R starts at step M(R) with d = c1 o + c2 o^2 + c3 o^3 instead
/// of taking M steps of its own. docs/deep-zoom.md "The forward-pass skip" derives the recursion and its bound.
///
/// M never reaches lyapunovStart (N/4) nor the period history's start (N - 32): a skipped step has no Lyapunov term
/// and no z_n that the period test reads.
struct ForwardPassSeriesSkip: Sendable {
    /// c1, c2, c3 of d_m for m = 0 ... `structural` (three per step).
    let coefficients: [Complex]
    /// Steps skipped for |o| <= 2^(k / 2), at index `top` - k; below the last entry, the last entry's.
    let ladder: [Int]
    /// The most any offset could skip: the first step whose stopping tests could fire at the reference itself (or
    /// the caps above).
    let structural: Int
    /// R = 2^-8 at the ladder's first entry (no pixel that far out skips: it parts in a few steps); R = 2^-200 at
    /// the last one tried, so that R^5 is still a normal double.
    static let top = -16, bottom = -400
    /// The neglected terms against the result, and the margin on the stopping thresholds.
    static let accuracy = 0x1p-53, margin = 0x1p-30

    /// No skips.
    static let none = ForwardPassSeriesSkip(coefficients: [], ladder: [], structural: 0)

    private init(coefficients: [Complex], ladder: [Int], structural: Int) {
        (self.coefficients, self.ladder, self.structural) = (coefficients, ladder, structural)
    }

    /// The orbit's step m -> m + 1 as the perturbation loop sees it: d' = g(x) with g(x) = tanh(U_m + x) - T,
    /// x = W d + K o + s o d (parameter plane: K = sw Z_m + sb, s = sw; input plane: K = s = 0).
    private struct Step {
        let t: Complex, gain: Complex, k: Complex
    }

    init(orbit: ForwardPassOrbit, w: Complex, settings: ForwardPassSettings) {
        let steps = Swift.max(settings.maxIterations, 0)
        let parameter = settings.plane == .parameter
        let s = parameter ? settings.weight.scale : .zero, sb = parameter ? settings.bias.scale : .zero
        let cap = Swift.min(steps / 4, Swift.max(steps - ForwardPassLanes.historyLength, 0), orbit.orbit.count - 2)
        let radius = settings.escapeRadius * (1 - Self.margin), threshold = 1e-12 * (1 + Self.margin)
        // At the reference itself (d = 0): the first step whose escape or fixed-point test is in doubt.
        var structural = 0
        while structural < cap {
            let next = orbit.orbit[structural + 1]
            guard next.isFinite, next.magnitude < radius, orbit.step[structural].magnitude > threshold else { break }
            structural += 1
        }
        var coefficients = [parameter ? Complex.zero : .one, .zero, .zero]
        coefficients.reserveCapacity(3 * (structural + 1))
        for m in 0..<structural {
            let (c1, c2, c3) = (coefficients[3 * m], coefficients[3 * m + 1], coefficients[3 * m + 2])
            let t = orbit.orbit[m + 1], gain = orbit.gain[m + 1], k = s * orbit.orbit[m] + sb
            let x1 = w * c1 + k, x2 = w * c2 + s * c1, x3 = w * c3 + s * c2
            // g(x) = S x - S T x^2 + S (T^2 - 1/3) x^3 + ...
            let cubic = gain * (t * t - Complex(1.0 / 3))
            coefficients += [gain * x1, gain * x2 - gain * t * x1 * x1,
                             gain * x3 - 2.0 * gain * t * x1 * x2 + cubic * x1 * x1 * x1]
        }
        var ladder: [Int] = []
        if structural > 0 {
            var k = Self.top
            while k >= Self.bottom {
                let skipped = Self.skipLength(radius: Self.radius(k), structural: structural, coefficients: coefficients,
                                              orbit: orbit, w: w, s: s, sb: sb, settings: settings)
                ladder.append(skipped)
                if skipped == structural { break }
                k -= 1
            }
        }
        self.init(coefficients: coefficients, ladder: ladder, structural: structural)
    }

    /// 2^(k/2), rounded up.
    static func radius(_ k: Int) -> Double {
        let half = k >> 1  // floor(k / 2)
        return k & 1 == 0 ? Double(sign: .plus, exponent: half, significand: 1)
            : Double(sign: .plus, exponent: half, significand: 1.4142135623730951)
    }

    /// The largest M such that for every |o| <= R the cubic is d_M(o) to 2^-53 of it and steps 0 ..< M fire no
    /// stopping test. e bounds |d_m(o) - cubic_m(o)| over the disc; docs/deep-zoom.md gives each term.
    private static func skipLength(radius r: Double, structural: Int, coefficients: [Complex], orbit: ForwardPassOrbit,
                                   w: Complex, s: Complex, sb: Complex, settings: ForwardPassSettings) -> Int {
        let escape = settings.escapeRadius * (1 - margin), threshold = 1e-12 * (1 + margin)
        let wm = w.magnitude, sm = s.magnitude
        let r2 = r * r, r3 = r2 * r, r4 = r2 * r2
        let powers: InlineArray<13, Double> = [1, r, r2, r3, r4, r4 * r, r3 * r3, r4 * r3, r4 * r4, r4 * r4 * r, r4 * r4 * r2, r4 * r4 * r3,
                      r4 * r4 * r4]
        var e = 0.0
        var size = coefficients[0].magnitude * r
        for m in 0..<structural {
            let (c1, c2, c3) = (coefficients[3 * m], coefficients[3 * m + 1], coefficients[3 * m + 2])
            let t = orbit.orbit[m + 1], gain = orbit.gain[m + 1], k = s * orbit.orbit[m] + sb
            let a: InlineArray<5, Double> = [0, (w * c1 + k).magnitude, (w * c2 + s * c1).magnitude, (w * c3 + s * c2).magnitude,
                     (s * c3).magnitude]
            let whole = a[1] * r + a[2] * r2 + a[3] * r3 + a[4] * r4
            let lipschitz = wm + sm * r
            let reach = whole + lipschitz * e
            // Cauchy's estimates for g on |x| <= rho, where |g| <= 2.06 |S| rho (docs/deep-zoom.md).
            let tm = t.magnitude, sg = gain.magnitude
            let rho = Swift.min(0.25, tm > 0 ? 0.45 / tm : 0.25)
            guard reach <= rho / 2, reach < 0x1p-8 * (1 - margin) else { return m }
            let ratio = reach / rho
            let slope = sg * (1 + 2.06 * (1 / ((1 - ratio) * (1 - ratio)) - 1))
            // The parts of degree 4 and more of S X - S T X^2 + S (T^2 - 1/3) X^3, |X| majorised term by term.
            var square = 0.0, cube = 0.0
            for i in 1...4 {
                for j in 1...4 {
                    if i + j >= 4 { square += a[i] * a[j] * powers[i + j] }
                    for l in 1...4 where i + j + l >= 4 { cube += a[i] * a[j] * a[l] * powers[i + j + l] }
                }
            }
            let higher = sg * a[4] * r4 + sg * tm * square + (gain * (t * t - Complex(1.0 / 3))).magnitude * cube
                + 4.12 * sg * whole * whole * whole * whole / (rho * rho * rho)
            let next = slope * lipschitz * e + higher
            let (n1, n2, n3) = (coefficients[3 * m + 3].magnitude, coefficients[3 * m + 4].magnitude,
                                coefficients[3 * m + 5].magnitude)
            let nextSize = n1 * r + n2 * r2 + n3 * r3 + next
            let least = n1 * r - n2 * r2 - n3 * r3 - next
            // Escape and the fixed-point test cannot fire at step m; the cubic holds at m + 1.
            guard (orbit.orbit[m + 1].magnitude + nextSize) < escape,
                  orbit.step[m].magnitude - nextSize - size > threshold,
                  next <= accuracy * least, next.isFinite else { return m }
            e = next
            size = nextSize
        }
        return structural
    }

    /// Where pixel C + offset starts: the step M and its delta there (`start` itself where M = 0).
    @inline(__always)
    func start(at offset: Complex, from start: Complex) -> (m: Int, d: Complex) {
        guard !ladder.isEmpty else { return (0, start) }
        // |o| rounded up by a few ulps, so that 2^(k/2) >= the exact |o|.
        let size = offset.magnitude * (1 + 0x1p-50)
        let index: Int
        if size == 0 {
            index = ladder.count - 1
        } else {
            let exponent = Int(size.exponent), significand = size.significand
            let k = significand == 1 ? 2 * exponent : significand <= 1.4142135623730951 ? 2 * exponent + 1 : 2 * exponent + 2
            guard k <= Self.top else { return (0, start) }
            index = Swift.min(Self.top - k, ladder.count - 1)
        }
        let m = ladder[index]
        guard m > 0 else { return (0, start) }
        let (c1, c2, c3) = (coefficients[3 * m], coefficients[3 * m + 1], coefficients[3 * m + 2])
        return (m, ((c3 * offset + c2) * offset + c1) * offset)
    }
}
