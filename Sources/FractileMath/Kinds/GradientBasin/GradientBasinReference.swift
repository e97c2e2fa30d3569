/// A gradient_basin descent computed in 256-bit fixed point from one starting weight C (a deep tile's centre),
/// and the loop that runs any nearby start C + offset against it with double-precision deltas.
///
/// With t_k = tanh(w x_k), the pixel's t_k differs from the reference's T_k by
/// dt = tanh(d x_k) (1 - T_k^2) / (1 + T_k tanh(d x_k)); then ds = -dt (2 T_k + dt), and the gradient's change is
/// a sum of products of these with reference values: nothing cancels. e_k = T_k - y_k (which does cancel near a
/// minimum) and s_k = 1 - T_k^2 come from fixed point.
public struct GradientBasinReference: Sendable {
    public let settings: GradientBasinSettings
    /// W_0 ... W_L rounded.
    let orbit: [Complex]
    /// W_{n+1} - W_n.
    let step: [Complex]
    /// T_k, S_k = 1 - T_k^2 and E_k = T_k - y_k at W_n, flattened as n * pairs + k, for n < L.
    let t: [Complex], s: [Complex], e: [Complex]
    let pairs: Int
    /// C rounded, for the one case with no orbit to perturb around.
    let point: Complex
    /// The linear-phase skips of the lane kernel, made with the orbit.
    private(set) var skips = GradientBasinSkipTable.none
    /// mirrors[k] = j < k where x_j = -x_k exactly and the rounded reference has T_k = -T_j and S_k = S_j bit for
    /// bit at every step, or -1. Then the perturbation step's dt_k is exactly -dt_j and ds_k exactly ds_j (every
    /// operation on them is odd or even in u = d x_k), so the lanes take them from j (the shipped data are
    /// symmetric: half the delta tanhs and divisions).
    private(set) var mirrors: [Int] = []

    /// A pixel of a holomorphic descent goes on in plain double once its delta reaches this much of max(1, |w|):
    /// rounding w to a double there moves its start by under 1.4e-9 of a pixel (docs/deep-zoom.md "Leaving the
    /// reference early"). Nil for the Wirtinger descent: it is not conformal, so the size of its delta does not
    /// bound that. The lanes hand over by it, and the reference ends by it.
    let handOver: Double?

    /// The reference orbit from `point`; for a tile of pixels `pixel` wide centred there, it ends (holomorphic
    /// descent only) four doublings after the tile's nearest pixel would reach `handOver`, by the orbit's derivative.
    public init(settings: GradientBasinSettings, at point: WideComplex, pixel: Double? = nil) {
        self.settings = settings
        self.point = point.complexValue
        let handOver = settings.gradient == .wirtinger ? nil : 0x1p-16
        self.handOver = handOver
        let pairs = Swift.min(settings.dataX.count, settings.dataY.count)
        self.pairs = pairs
        let xs = settings.dataX.prefix(pairs).map(WideComplex.init), ys = settings.dataY.prefix(pairs).map(WideComplex.init)
        let eta = WideComplex(settings.learningRate)
        let wirtinger = settings.gradient == .wirtinger
        let two = WideComplex(Complex(2))
        // opposite[k] = j < k with x_j = -x_k: then w x_k = -(w x_j) exactly (fixed-point products are
        // sign-magnitude, sums exact), WideComplex.tanh is exactly odd off the imaginary axis (it computes
        // -tanh(-z) for Re z < 0) and (-t)^2 = t^2 exactly: t_k = -t_j and s_k = s_j, at half the fixed-point tanhs.
        let opposite = (0..<pairs).map { k in
            (0..<k).first { settings.dataX[$0].re == -settings.dataX[k].re && settings.dataX[$0].im == -settings.dataX[k].im }
        }
        var w = point
        var orbit = [w.complexValue], step: [Complex] = [], t: [Complex] = [], s: [Complex] = [], e: [Complex] = []
        // dW_n/dW_0, in double: enough to tell when the nearest pixel (half a diagonal from the centre) has left.
        // The orbit ends once |dW_n/dW_0| >= reach max(1, |W_n|): that pixel's delta is then 16 times the hand-over.
        var growth = Complex.one
        let reach = handOver.flatMap { handOver in pixel.map { 16 * handOver / ($0 * 0.5.squareRoot()) } }
        var wideT = [WideComplex](repeating: .zero, count: pairs), wideS = wideT
        for _ in 0..<Swift.max(settings.maxIterations, 0) {
            var g = WideComplex.zero
            var ts: [Complex] = [], ss: [Complex] = [], es: [Complex] = []
            for k in 0..<pairs {
                let u = w * xs[k]
                if let j = opposite[k], !u.re.isZero {
                    (wideT[k], wideS[k]) = (-wideT[j], wideS[j])
                } else {
                    wideT[k] = WideComplex.tanh(u)
                    wideS[k] = WideComplex.one - wideT[k] * wideT[k]
                }
                let tk = wideT[k], sk = wideS[k]
                let ek = tk - ys[k]
                g = g + (wirtinger ? two * ek * (xs[k] * sk).conjugate : two * ek * xs[k] * sk)
                ts.append(tk.complexValue)
                ss.append(sk.complexValue)
                es.append(ek.complexValue)
            }
            let next = w - eta * g
            if next.isOverflow { break }
            t += ts
            s += ss
            e += es
            orbit.append(next.complexValue)
            step.append((next - w).complexValue)
            w = next
            if let reach {
                // d(w - eta g)/dw, the skip table's P.
                var slope = Complex.zero
                for k in 0..<pairs {
                    slope += GradientBasinSkipTable.slopeTerm(x: settings.dataX[k], t: ts[k], s: ss[k], e: es[k])
                }
                growth = growth * (Complex.one - settings.learningRate * slope)
                if growth.magnitude >= reach * Swift.max(1, orbit[orbit.count - 1].magnitude) { break }
            }
        }
        (self.orbit, self.step, self.t, self.s, self.e) = (orbit, step, t, s, e)
        skips = GradientBasinSkipTable(reference: self)
        var mirrors = [Int](repeating: -1, count: pairs)
        for k in 0..<pairs {
            let x = settings.dataX[k]
            mirrors[k] = (0..<k).first { j in
                let y = settings.dataX[j]
                return mirrors[j] < 0 && y.re == -x.re && y.im == -x.im && (0..<step.count).allSatisfy { m in
                    let tj = t[m * pairs + j], tk = t[m * pairs + k], sj = s[m * pairs + j], sk = s[m * pairs + k]
                    return tk.re.bitPattern == (-tj.re).bitPattern && tk.im.bitPattern == (-tj.im).bitPattern
                        && sk.re.bitPattern == sj.re.bitPattern && sk.im.bitPattern == sj.im.bitPattern
                }
            } ?? -1
        }
        self.mirrors = mirrors
    }

    /// The outcome of starting weight C + offset, by docs/maps.md's rules.
    func run<Observer: IterationObserver>(offset: Complex, observer: inout Observer) -> PixelOutcome {
        guard orbit.count > 1 else { return settings.run(at: point + offset, observer: &observer) }
        let steps = Swift.max(settings.maxIterations, 0)
        let radius = settings.divergeRadius, radiusSquared = radius * radius
        var m = 0
        var d = offset
        var w = orbit[0] + d
        observer.observe(w)
        var stop: PixelOutcome?
        for n in 0..<steps {
            if m + 1 >= orbit.count {
                // The reference diverged beyond the fixed-point range; the map is the same for every pixel, so
                // carry on against the reference from its start.
                d = w - orbit[0]
                m = 0
            }
            let (nextDelta, largestSlopeSquared) = step(m, from: d)
            let next = orbit[m + 1] + nextDelta
            observer.observe(next)
            // Squared magnitudes against squared thresholds: no square root per step.
            let nextSquared = next.magnitudeSquared
            if !next.isFinite || nextSquared > radiusSquared || (nextSquared.isInfinite && next.magnitude > radius) {
                stop = PixelOutcome(regime: .diverged, iterations: n + 1, finalValue: next)
                break
            }
            if (step[m] + (nextDelta - d)).magnitudeSquared <= 1e-24 * Swift.max(1, w.magnitudeSquared) {
                let regime: Regime = largestSlopeSquared < 1e-18 ? .saturated : .converged
                stop = PixelOutcome(regime: regime, iterations: n + 1, finalValue: next)
                break
            }
            w = next
            d = nextDelta
            m += 1
        }
        var result = stop ?? PixelOutcome(regime: .undecided, iterations: steps, finalValue: w)
        result.loss = settings.loss(at: result.finalValue)
        return result
    }
}

extension GradientBasinReference {
    /// One full perturbation step from reference step m: the next delta, and max_k |s_k|^2 at the step's start
    /// (the saturation test's slope).
    @inline(__always)
    func step(_ m: Int, from d: Complex) -> (delta: Complex, slopeSquared: Double) {
        let eta = settings.learningRate
        let wirtinger = settings.gradient == .wirtinger
        var dg = Complex.zero
        var largestSlopeSquared = 0.0
        for k in 0..<pairs {
            let index = m * pairs + k
            let x = settings.dataX[k], tk = t[index], sk = s[index]
            let u = d * x
            // Below 2^-60 (of 1 and of 1/|T_k|), tanh(u) = u and 1 + T_k tanh(u) = 1 to the last bit.
            let dt = u.magnitudeSquared * (1 + tk.magnitudeSquared) < 0x1p-120
                ? u * sk
                : { let tau = Complex.deltaTanh(u); return tau * sk / (Complex.one + tk * tau) }()
            let ds = -(dt * (2.0 * tk + dt))
            let ek = e[index] + dt
            largestSlopeSquared = Swift.max(largestSlopeSquared, (sk + ds).magnitudeSquared)
            dg += wirtinger
                ? 2.0 * (dt * (x * sk).conjugate + ek * (x * ds).conjugate)
                : 2.0 * x * (dt * sk + ek * ds)
        }
        return (d - eta * dg, largestSlopeSquared)
    }
}

extension GradientBasinReference: ObservedReference {
    public func outcome(offset: Complex) -> PixelOutcome { recordedOutcome(offset: offset) }
    public func probe() -> ProbeResult { recordedProbe() }
}
