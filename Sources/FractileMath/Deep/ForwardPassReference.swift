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
    /// Z_0 ... Z_L rounded (L <= N; shorter when the orbit left the fixed-point range or hit a pole).
    let orbit: [Complex]
    /// 1 - Z_n^2 for every Z_n of `orbit`.
    let gain: [Complex]
    /// Z_{n+1} - Z_n.
    let step: [Complex]
    /// w and b at the reference point, rounded: they only multiply deltas.
    let w: Complex, b: Complex
    /// C rounded, for the one case with no orbit to perturb around.
    let point: Complex

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
        var z = start
        var orbit = [z.complexValue], gain = [(WideComplex.one - z * z).complexValue], step: [Complex] = []
        let steps = Swift.max(settings.maxIterations, 0)
        orbit.reserveCapacity(steps + 1)
        for _ in 0..<steps {
            let next = WideComplex.tanh(wideW * z + wideB)
            if next.isOverflow { break }
            orbit.append(next.complexValue)
            gain.append((WideComplex.one - next * next).complexValue)
            step.append((next - z).complexValue)
            z = next
        }
        (self.orbit, self.gain, self.step) = (orbit, gain, step)
    }

    /// The outcome of pixel C + offset, by MAPS.md's rules, with the same observer protocol as the double loop.
    func run<Observer: IterationObserver>(offset: Complex, observer: inout Observer) -> PixelOutcome {
        let dw: Complex, db: Complex, d0: Complex
        switch settings.plane {
        case .parameter: (dw, db, d0) = (settings.weight.scale * offset, settings.bias.scale * offset, .zero)
        case .input: (dw, db, d0) = (.zero, .zero, offset)
        }
        guard orbit.count > 1 else {
            // The reference point itself sits on a pole: nothing to perturb around; double is all there is.
            return settings.run(at: point + offset, observer: &observer)
        }
        let pixelW = w + dw
        let steps = Swift.max(settings.maxIterations, 0)
        let radius = settings.escapeRadius
        let lyapunovStart = steps / 4
        var history = InlineArray<32, Complex>(repeating: .zero)
        var slot = 0
        var lyapunovSum = 0.0
        var m = 0
        var d = d0
        var z = orbit[0] + d
        observer.observe(z)
        for n in 0..<steps {
            if m + 1 >= orbit.count {
                // The reference ended (it escaped far beyond any radius); every pixel shares its start z_0 (or,
                // in the input plane, the same map), so carry on from there.
                d = z - orbit[0]
                m = 0
            }
            let next = orbit[m + 1]
            let du = w * d + dw * orbit[m] + dw * d + db
            let tau = Complex.deltaTanh(du)
            let nextDelta = tau * gain[m + 1] / (Complex.one + next * tau)
            let value = next + nextDelta
            observer.observe(value)
            if !value.isFinite || value.magnitude > radius {
                return PixelOutcome(regime: .escaped, iterations: n + 1, finalValue: value)
            }
            // 1 - z_{n+1}^2 = (1 - Z^2) - d (2Z + d): the slope without cancellation.
            func logDerivative() -> Double {
                let slope = gain[m + 1] - nextDelta * (2.0 * next + nextDelta)
                return log(Swift.max((pixelW * slope).magnitude, 1e-300))
            }
            if (step[m] + (nextDelta - d)).magnitude <= 1e-12 {
                return PixelOutcome(
                    regime: .ordered, iterations: n + 1, finalValue: value, lyapunov: logDerivative(), period: 1)
            }
            if n >= lyapunovStart { lyapunovSum += logDerivative() }
            history[slot] = z
            slot = (slot + 1) & 31
            z = value
            d = nextDelta
            m += 1
        }
        let lyapunov = steps > lyapunovStart ? lyapunovSum / Double(steps - lyapunovStart) : .nan
        var period: Int?
        for k in 1...32 where k <= steps {
            if (z - history[(slot - k) & 31]).magnitude <= 1e-9 {
                period = k
                break
            }
        }
        return PixelOutcome(
            regime: lyapunov < 0 ? .ordered : .chaotic, iterations: steps, finalValue: z,
            lyapunov: lyapunov, period: period)
    }
}
