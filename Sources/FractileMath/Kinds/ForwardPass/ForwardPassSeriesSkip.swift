#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The linear-phase skip of deep forward_pass tiles: every pixel C + o starts on the reference's orbit at the same
/// z_0 (or, in the input plane, at Z_0 + o), so its delta after m steps is one holomorphic function of its offset,
/// d_m(o) = c1 o + c2 o^2 + c3 o^3 + O(o^4). Where that cubic is exact to below 2^-53 of d_m for every |o| <= R and no
/// stopping test can fire on the way, a pixel with |o| <= R starts at step M(R) with d = c1 o + c2 o^2 + c3 o^3 instead
/// of taking M steps of its own. docs/deep-zoom.md "The forward-pass skip" derives the recursion and its bound.
///
/// M never reaches the period history's start (N - 32), so no skipped z_n is one the period test reads. Skipped steps
/// from lyapunovStart (N/4) on bring their Lyapunov terms as one sum: the reference's logs log|W S_{n+1}| (prefix
/// sums) plus log|1 - d_{n+1} (2 Z_{n+1} + d_{n+1}) / S_{n+1}|, a cubic in o too, summed over the skipped steps.
struct ForwardPassSeriesSkip: Sendable {
    /// c1, c2, c3 of d_m for m = 0 ... `structural` (three per step).
    let coefficients: [Complex]
    /// Per m: the reference's Lyapunov logs summed over the counted steps n < m (n >= lyapunovStart).
    let logs: [Double]
    /// Per m: the cubic in o of sum log(1 - eps_{n+1}) over the same steps (three coefficients per m).
    let corrections: [Complex]
    /// Steps skipped for |o| <= 2^(k / 2), by k: made as a tile's pixels need them (`ladder(for:)`).
    private let known: Known
    /// What the ladder's entries are computed from.
    private let orbit: ForwardPassOrbit, w: Complex, s: Complex, sb: Complex, settings: ForwardPassSettings
    /// The most any offset could skip: the first step whose stopping tests could fire at the reference itself (or
    /// the caps above).
    let structural: Int
    /// R = 2^-8 at the ladder's first entry (no pixel that far out skips: it parts in a few steps); R = 2^-200 at
    /// the last one tried, so that R^5 is still a normal double.
    static let top = -16, bottom = -400
    /// The neglected terms against the result, and the margin on the stopping thresholds.
    static let accuracy = 0x1p-53, margin = 0x1p-30
    /// The most the skipped Lyapunov terms may be off in all (a sum of up to N terms of order 1, each rounded in
    /// double by the steps themselves), and the largest |eps| they expand around.
    static let lyapunovError = 0x1p-50, epsilon = 0x1p-12

    /// No skips.
    static func none(orbit: ForwardPassOrbit, settings: ForwardPassSettings) -> ForwardPassSeriesSkip {
        ForwardPassSeriesSkip(coefficients: [], logs: [], corrections: [], structural: 0, orbit: orbit, w: .zero,
                              s: .zero, sb: .zero, settings: settings)
    }

    private init(coefficients: [Complex], logs: [Double], corrections: [Complex], structural: Int,
                 orbit: ForwardPassOrbit, w: Complex, s: Complex, sb: Complex, settings: ForwardPassSettings) {
        (self.coefficients, self.logs, self.corrections) = (coefficients, logs, corrections)
        self.structural = structural
        (self.orbit, self.w, self.s, self.sb, self.settings) = (orbit, w, s, sb, settings)
        known = Known()
    }

    /// The ladder's entries made so far, shared by the render threads of a tile (each entry is a pure function of
    /// k, so whichever thread makes it, it is the same).
    private final class Known: Sendable {
        let steps = Mutex<[Int: Int]>([:])
    }

    /// The entries a block of pixels needs: k from `top` down, one per half octave.
    struct Ladder {
        let top: Int
        let steps: [Int]
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
        let cap = Swift.min(Swift.max(steps - ForwardPassLanes.historyLength, 0), orbit.orbit.count - 2)
        let lyapunovStart = steps / 4
        let radius = settings.escapeRadius * (1 - Self.margin), threshold = 1e-12 * (1 + Self.margin)
        // At the reference itself (d = 0): the first step whose escape or fixed-point test is in doubt.
        var structural = 0
        while structural < cap {
            let next = orbit.orbit[structural + 1]
            // A counted step needs its log (no 1e-300 clamp) and eps = d (2 Z + d) / S.
            let gain = orbit.gain[structural + 1].magnitude
            guard next.isFinite, next.magnitude < radius, orbit.step[structural].magnitude > threshold,
                  structural < lyapunovStart || (gain > 0x1p-900 && (w.magnitude * gain) > 1e-290) else { break }
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
        // The counted steps' logs: the reference's, and the cubic of log(1 - eps) (docs/deep-zoom.md).
        var logs = [Double](repeating: 0, count: structural + 1)
        var corrections = [Complex](repeating: .zero, count: 3 * (structural + 1))
        for m in 0..<structural {
            logs[m + 1] = logs[m]
            for j in 0..<3 { corrections[3 * m + 3 + j] = corrections[3 * m + j] }
            guard m >= lyapunovStart else { continue }
            logs[m + 1] += orbit.logs[m + 1]
            let e = Self.epsilonCubic(m, coefficients: coefficients, orbit: orbit)
            corrections[3 * m + 3] -= e.0
            corrections[3 * m + 4] -= e.1 + 0.5 * e.0 * e.0
            corrections[3 * m + 5] -= e.2 + e.0 * e.1 + Complex(1.0 / 3) * e.0 * e.0 * e.0
        }
        self.init(coefficients: coefficients, logs: logs, corrections: corrections, structural: structural,
                  orbit: orbit, w: w, s: s, sb: sb, settings: settings)
    }

    /// eps_{m+1} = d (2 Z + d) / S at step m + 1 as a cubic in o: (2 Z c1 o + (2 Z c2 + c1^2) o^2 + (2 Z c3 + 2 c1 c2) o^3) / S.
    private static func epsilonCubic(_ m: Int, coefficients: [Complex], orbit: ForwardPassOrbit) -> (Complex, Complex, Complex) {
        let (c1, c2, c3) = (coefficients[3 * m + 3], coefficients[3 * m + 4], coefficients[3 * m + 5])
        let z = 2.0 * orbit.orbit[m + 1], gain = orbit.gain[m + 1]
        return (z * c1 / gain, (z * c2 + c1 * c1) / gain, (z * c3 + 2.0 * c1 * c2) / gain)
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
        // The skipped Lyapunov terms' error so far; dw's share log|1 + dw / W| is left out (|dw / W| ~ |o|) and
        // counted here.
        var lyapunov = 0.0
        let lyapunovStart = Swift.max(settings.maxIterations, 0) / 4
        let share = wm > 0 ? 2 * sm * r / wm : .infinity
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
            if m >= lyapunovStart {
                // |log(1 - eps) - its cubic| <= the cubic's missing parts (docs/deep-zoom.md).
                let zm = 2 * orbit.orbit[m + 1].magnitude, sg1 = orbit.gain[m + 1].magnitude
                let cubicSize = n1 * r + n2 * r2 + n3 * r3
                let square = (2 * n1 * n3 + n2 * n2) * r4 + 2 * n2 * n3 * r4 * r + n3 * n3 * r3 * r3
                let rest = ((zm + 2 * cubicSize + next) * next + square) / sg1
                let (e1, e2, e3) = epsilonCubic(m, coefficients: coefficients, orbit: orbit)
                let b: InlineArray<4, Double> = [0, e1.magnitude, e2.magnitude, e3.magnitude]
                let polynomial = b[1] * r + b[2] * r2 + b[3] * r3
                var square4 = 0.0, cube4 = 0.0
                for i in 1...3 {
                    for j in 1...3 {
                        if i + j >= 4 { square4 += b[i] * b[j] * powers[i + j] }
                        for l in 1...3 where i + j + l >= 4 { cube4 += b[i] * b[j] * b[l] * powers[i + j + l] }
                    }
                }
                let whole = polynomial + rest
                guard whole <= Self.epsilon, share <= 0.5 else { return m }
                lyapunov += rest + rest * (2 * polynomial + rest) / 2 + rest * 3 * whole * whole / 3
                    + square4 / 2 + cube4 / 3 + whole * whole * whole * whole / (4 * (1 - whole)) + share
                guard lyapunov <= lyapunovError else { return m }
            }
            e = next
            size = nextSize
        }
        return structural
    }

    /// The k of the smallest disc |o| <= 2^(k/2) that holds the offset (|o| rounded up by a few ulps, so that
    /// 2^(k/2) >= the exact |o|), at least `bottom`; nil for o = 0.
    static func level(of offset: Complex) -> Int? {
        let size = offset.magnitude * (1 + 0x1p-50)
        guard size > 0 else { return nil }
        let exponent = Int(size.exponent), significand = size.significand
        let k = significand == 1 ? 2 * exponent : significand <= 1.4142135623730951 ? 2 * exponent + 1 : 2 * exponent + 2
        return Swift.max(k, bottom)
    }

    /// The ladder's entries for these offsets' discs, made the first time a pixel of the tile needs them.
    func ladder(for offsets: UnsafeBufferPointer<Complex>) -> Ladder {
        guard structural > 0 else { return Ladder(top: Self.top, steps: []) }
        var high = Int.min, low = Int.max
        for offset in offsets {
            guard let k = Self.level(of: offset) else { continue }
            (high, low) = (Swift.max(high, k), Swift.min(low, k))
        }
        high = Swift.min(high, Self.top)
        guard high >= low else { return Ladder(top: Self.top, steps: []) }
        let steps = known.steps.withLock { known in
            (low...high).reversed().map { k in
                if let steps = known[k] { return steps }
                let steps = Self.skipLength(radius: Self.radius(k), structural: structural, coefficients: coefficients,
                                            orbit: orbit, w: w, s: s, sb: sb, settings: settings)
                known[k] = steps
                return steps
            }
        }
        return Ladder(top: high, steps: steps)
    }

    /// Where pixel C + offset starts, with `ladder` from `ladder(for:)` over offsets that include it: the step M,
    /// its delta there (`start` itself where M = 0) and the Lyapunov terms of the counted steps it skipped.
    @inline(__always)
    func start(at offset: Complex, from start: Complex, ladder: Ladder) -> (m: Int, d: Complex, lyapunovSum: Double) {
        guard !ladder.steps.isEmpty else { return (0, start, 0) }
        // Below the ladder's last disc (o = 0 too), that disc's steps.
        let index = Self.level(of: offset).map { ladder.top - $0 } ?? ladder.steps.count - 1
        guard index >= 0 else { return (0, start, 0) }
        let m = ladder.steps[Swift.min(index, ladder.steps.count - 1)]
        guard m > 0 else { return (0, start, 0) }
        let (c1, c2, c3) = (coefficients[3 * m], coefficients[3 * m + 1], coefficients[3 * m + 2])
        let (l1, l2, l3) = (corrections[3 * m], corrections[3 * m + 1], corrections[3 * m + 2])
        let correction = ((l3 * offset + l2) * offset + l1) * offset
        return (m, ((c3 * offset + c2) * offset + c1) * offset, logs[m] + correction.re)
    }
}
