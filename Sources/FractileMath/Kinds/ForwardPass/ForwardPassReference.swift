#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward_pass orbit computed in 256-bit fixed point at one point C (a deep tile's centre), and the loop that
/// runs any nearby pixel C + offset against it with double-precision deltas (perturbation).
///
/// With Z_n the reference orbit and z_n = Z_n + d_n the pixel's, u = w z + b and U = W Z + B differ by
/// du = W d + dw Z + dw d + db, and tanh(U + du) - tanh(U) = tanh(du) (1 - T^2) / (1 + T tanh(du)) with T = Z_{n+1}:
/// no term cancels, so d keeps its relative precision however small it is. The reference quantities that do
/// cancel (1 - Z^2 near Z = +-1, Z_{n+1} - Z_n) are computed in fixed point before rounding.
public struct ForwardPassReference: Sendable {
    public let settings: ForwardPassSettings
    /// The reference orbit Z_0 ... Z_L.
    let main: ForwardPassOrbit
    /// The orbits from +1 and -1 at the same w and b (made when a pixel first needs them), and the lane table.
    let orbits: ForwardPassOrbits
    /// w and b at the reference point, rounded: they only multiply deltas.
    let w: Complex, b: Complex
    /// C rounded, for the one case with no orbit to perturb around.
    let point: Complex
    /// Where the lanes' pixels start: past the reference's linear phase (`ForwardPassSeriesSkip`).
    let skip: ForwardPassSeriesSkip

    /// |Re u| from which a parted pixel's step tanh(u) goes on against the orbit from sign(Re u) (`saturatedStep`):
    /// there z_{n+1} = +-1 - +-2E / (1 + E), E = exp(-2|Re u| ...), and |2E| <= 2.3e-7, which z_{n+1} in double
    /// would keep to only 1e-16 absolute (nothing at all past |Re u| = 19).
    static let saturation = 8.0

    public init(settings: ForwardPassSettings, at point: WideComplex) {
        self.settings = settings
        self.point = point.complexValue
        let wideW: WideComplex, wideB: WideComplex, start: WideComplex
        switch settings.plane {
        case .parameter: (wideW, wideB, start) = (settings.weight(point), settings.bias(point), WideComplex(settings.z0))
        case .input: (wideW, wideB, start) = (WideComplex(settings.weight.offset), WideComplex(settings.bias.offset), point)
        }
        w = wideW.complexValue
        b = wideB.complexValue
        let steps = Swift.max(settings.maxIterations, 0)
        main = ForwardPassOrbit(from: start, w: wideW, b: wideB, steps: steps)
        orbits = ForwardPassOrbits(w: wideW, b: wideB, steps: steps)
        skip = main.orbit.count > 1 ? ForwardPassSeriesSkip(orbit: main, w: w, settings: settings)
            : .none(orbit: main, settings: settings)
    }

    /// A parted pixel's saturated step (|Re u| >= `saturation`): tanh(u) = s + delta with s = sign(Re u) and
    /// delta = -2 s E / (1 + E), E = exp(-2 s u), computed without the cancellation of tanh(u) - s.
    static func saturatedStep(_ u: Complex) -> (sign: Double, delta: Complex) {
        let sign = u.re < 0 ? -1.0 : 1.0
        let magnitude = exp(-2 * Swift.abs(u.re)), angle = -2 * sign * u.im
        let e = Complex(magnitude * cos(angle), magnitude * sin(angle))
        return (sign, Complex(-2 * sign) * e / (Complex.one + e))
    }

    /// docs/maps.md's escape: |z| beyond the radius, or not finite.
    @inline(__always)
    static func escapes(_ value: Complex, radius: Double, radiusSquared: Double) -> Bool {
        !value.isFinite || value.magnitudeSquared > radiusSquared || (!radiusSquared.isFinite && value.magnitude > radius)
    }

    /// The outcome of pixel C + offset, by docs/maps.md's rules, with the same observer protocol as the double loop.
    func run<Observer: IterationObserver>(offset: Complex, observer: inout Observer) -> PixelOutcome {
        let (dw, db, d0) = settings.plane.split(offset, weightScale: settings.weight.scale,
                                                secondScale: settings.bias.scale)
        guard main.orbit.count > 1 else {
            // The reference point itself sits on a pole: nothing to perturb around; double is all there is.
            return settings.run(at: point + offset, observer: &observer)
        }
        let pixelW = w + dw, pixelB = b + db
        let steps = Swift.max(settings.maxIterations, 0)
        let radius = settings.escapeRadius
        let radiusSquared = radius * radius
        let lyapunovStart = steps / 4
        var history = InlineArray<32, Complex>(repeating: .zero)
        var slot = 0
        var lyapunovSum = 0.0
        var lyapunov = LogProduct()
        // The orbit the pixel follows: the reference, or after a saturated step the orbit from +-1.
        var followed = main
        var m = 0
        var d = d0
        var z = followed.orbit[0] + d
        // The pixel has left the orbit it followed (`ForwardPassPartedLanes`): it takes its own double steps until
        // one saturates.
        var parted = false
        observer.observe(z)
        for n in 0..<steps {
            if !parted {
                if m + 1 >= followed.orbit.count {
                    // The orbit ended (it escaped far beyond any radius); every pixel shares the reference's start
                    // z_0 (or, in the input plane, the same map), so carry on from there.
                    followed = main
                    d = z - followed.orbit[0]
                    m = 0
                }
                let target = m + 1
                let next = followed.orbit[target], gainNext = followed.gain[target]
                let du = w * d + dw * followed.orbit[m] + dw * d + db
                // While du is below 2^-60 of 1 and of 1/|Z_{n+1}|, tanh(du) = du and 1 + Z tanh(du) = 1 to the
                // last bit: the step is linear, and the pixel's Lyapunov term is the reference's.
                let linear = du.magnitudeSquared * (1 + next.magnitudeSquared) < 0x1p-120
                let u2 = du * du
                // |du| >= 2^-8: the pixel has left the reference, so perturbation buys no precision (the same test
                // as `ForwardPassPerturbationLanes`' `parted`); from this step on it is parted.
                parted = !linear && !(u2.re * u2.re + u2.im * u2.im < 0x1p-32)
                if !parted {
                    let nextDelta: Complex
                    if linear {
                        nextDelta = du * gainNext
                    } else {
                        let tau = Complex.deltaTanh(du)
                        nextDelta = tau * gainNext / (Complex.one + next * tau)
                    }
                    let value = next + nextDelta
                    observer.observe(value)
                    if Self.escapes(value, radius: radius, radiusSquared: radiusSquared) {
                        return PixelOutcome(regime: .escaped, iterations: n + 1, finalValue: value)
                    }
                    // 1 - z_{n+1}^2 = (1 - Z^2) - d (2Z + d): the slope without cancellation.
                    func derivative() -> Complex { pixelW * (gainNext - nextDelta * (2.0 * next + nextDelta)) }
                    if (followed.step[m] + (nextDelta - d)).magnitudeSquared <= 1e-24 {
                        let term = linear ? followed.logs[target] : log(Swift.max(derivative().magnitude, 1e-300))
                        return PixelOutcome(regime: .ordered, iterations: n + 1, finalValue: value, lyapunov: term,
                                            period: 1)
                    }
                    if n >= lyapunovStart {
                        if linear {
                            lyapunovSum += followed.logs[target]
                        } else {
                            lyapunov.add(derivative().magnitudeSquared)
                        }
                    }
                    history[slot] = z
                    slot = (slot + 1) & 31
                    z = value
                    d = nextDelta
                    m = target
                    continue
                }
            }
            // The pixel's own double step: the delta form tanh(du) (1 - T^2) / (1 + T tanh(du)) loses everything
            // once tanh(du) rounds to +-1 (|Re du| > 19), which puts z_{n+1} at exactly -+1, and a log|1 - z^2| of
            // -690 in the Lyapunov sum: a chaotic pixel rendered ordered (docs/deep-zoom.md, the forward-pass island
            // edge). Its w and b differ from the reference's by far less than an ulp of z, so no precision is lost.
            let u = pixelW * z + pixelB
            let value: Complex, slope: Complex
            var saturated: (orbit: ForwardPassOrbit, delta: Complex)?
            if Swift.abs(u.re) >= Self.saturation {
                // tanh(u) is +-1 to within 2.3e-7: go on against the orbit from +-1, which keeps what sets this
                // pixel apart (its delta there, and dw, db) instead of rounding it away (docs/deep-zoom.md).
                let (sign, delta) = Self.saturatedStep(u)
                let orbit = orbits.orbit(sign: sign)
                let next = orbit.orbit[0]
                value = next + delta
                slope = pixelW * (orbit.gain[0] - delta * (2.0 * next + delta))
                saturated = (orbit, delta)
            } else {
                value = Complex.tanh(u)
                slope = pixelW * (Complex.one - value * value)
            }
            observer.observe(value)
            if Self.escapes(value, radius: radius, radiusSquared: radiusSquared) {
                return PixelOutcome(regime: .escaped, iterations: n + 1, finalValue: value)
            }
            if (value - z).magnitudeSquared <= 1e-24 {
                return PixelOutcome(regime: .ordered, iterations: n + 1, finalValue: value,
                                    lyapunov: log(Swift.max(slope.magnitude, 1e-300)), period: 1)
            }
            if n >= lyapunovStart { lyapunov.add(slope.magnitudeSquared) }
            history[slot] = z
            slot = (slot + 1) & 31
            z = value
            if let saturated {
                (followed, m, d, parted) = (saturated.orbit, 0, saturated.delta, false)
            }
        }
        let lyapunovMean = steps > lyapunovStart ? (lyapunovSum + lyapunov.logarithm) / Double(steps - lyapunovStart) : .nan
        var period: Int?
        for k in 1...32 where k <= steps {
            if (z - history[(slot - k) & 31]).magnitude <= 1e-9 {
                period = k
                break
            }
        }
        return PixelOutcome(
            regime: lyapunovMean < 0 ? .ordered : .chaotic, iterations: steps, finalValue: z,
            lyapunov: lyapunovMean, period: period)
    }
}

/// Sum of log max(|x|, 1e-300) over many x, given |x|^2, with one log at the end instead of one per term: the
/// product of the |x|^2 is kept as a double in [1, 2) and a separate binary exponent.
struct LogProduct {
    private var significand = 1.0
    private var exponent = 0
    /// Terms too small (or not finite) for the product: log'd one by one.
    private var direct = 0.0

    @inline(__always)
    mutating func add(_ squaredMagnitude: Double) {
        guard squaredMagnitude >= 0x1p-990, squaredMagnitude.isFinite else {
            direct += log(Swift.max(squaredMagnitude.squareRoot(), 1e-300))
            return
        }
        significand *= squaredMagnitude
        exponent += Int(significand.exponent)
        significand = Double(sign: .plus, exponent: 0, significand: significand.significand)
    }

    /// The sum of the logs of |x|.
    var logarithm: Double { 0.5 * (log(significand) + Double(exponent) * M_LN2) + direct }
}

extension ForwardPassReference: ObservedReference {
    public func outcome(offset: Complex) -> PixelOutcome { recordedOutcome(offset: offset) }
    public func probe() -> ProbeResult { recordedProbe() }
}
