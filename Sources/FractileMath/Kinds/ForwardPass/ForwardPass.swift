#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ForwardPassSettings {
    /// The outcome of pixel p (docs/maps.md "forward_pass"); no allocation.
    public func outcome(at p: Complex) -> PixelOutcome {
        var observer = IgnoringObserver()
        return run(at: p, observer: &observer)
    }

    /// w, b and z_0 for pixel p, by plane.
    @inline(__always)
    func start(at p: Complex) -> (w: Complex, b: Complex, z0: Complex) {
        switch plane {
        case .parameter: (weight(p), bias(p), z0)
        case .input: (weight.offset, bias.offset, p)
        }
    }

    /// The one forward_pass loop: z_{n+1} = tanh(w*z_n + b), d_n = w*(1 - z_{n+1}^2) (docs/maps.md "forward_pass").
    @inline(__always)
    func run<Observer: IterationObserver>(at p: Complex, observer: inout Observer) -> PixelOutcome {
        let (w, b, z0) = start(at: p)
        let steps = Swift.max(maxIterations, 0)
        let radius = escapeRadius
        let lyapunovStart = steps / 4
        // z_{n-1}, ..., z_{n-32} for the period test, newest at (slot - 1) & 31: a ring, no allocation.
        var history = InlineArray<32, Complex>(repeating: .zero)
        var slot = 0
        var lyapunovSum = 0.0
        var z = z0
        observer.observe(z)
        for n in 0..<steps {
            let next = Complex.tanh(w * z + b)
            observer.observe(next)
            if !next.isFinite || next.magnitude > radius {
                return PixelOutcome(regime: .escaped, iterations: n + 1, finalValue: next)
            }
            if (next - z).magnitude <= 1e-12 {
                return PixelOutcome(
                    regime: .ordered, iterations: n + 1, finalValue: next,
                    lyapunov: Self.logDerivative(w: w, next: next), period: 1)
            }
            if n >= lyapunovStart {
                lyapunovSum += Self.logDerivative(w: w, next: next)
            }
            history[slot] = z
            slot = (slot + 1) & 31
            z = next
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

    /// log max(|d_n|, 1e-300) with d_n = w*(1 - z_{n+1}^2): one term of the Lyapunov exponent.
    @inline(__always)
    static func logDerivative(w: Complex, next: Complex) -> Double {
        log(Swift.max((w * (Complex.one - next * next)).magnitude, 1e-300))
    }
}
