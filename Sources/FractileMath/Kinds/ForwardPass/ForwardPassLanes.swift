#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// forward_pass over lanes (docs/maps.md "forward_pass"), the same steps as `ForwardPassSettings.run` with three
/// numerical changes: `VectorTanh` for tanh, squared magnitudes against squared thresholds instead of hypot, and the
/// Lyapunov sum kept as a product of |d_n|^2 whose binary exponent is split off every step (exact up to one rounding
/// per step), so there is one log per pixel instead of one per step.
///
/// Exact 2-cycles end a run early: once z_{n+1} == z_{n-1} (bit for bit), the kernel's own arithmetic repeats
/// z_{n-1}, z_n forever, so no later step can escape or pass the 1e-12 test, and every remaining Lyapunov term is
/// one of the last two: the mean is completed by counting them, and z_N and the period follow from the cycle. At
/// z=0 of the shipped forward-pass map two thirds of the pixels that use the whole budget end in such a cycle.
struct ForwardPassLanes: LaneKernel {
    /// The period test looks back at most 32 iterates.
    static let historyLength = 32

    let settings: ForwardPassSettings
    let steps: Int
    let lyapunovStart: Double
    let historyStart: Int
    let radiusSquared: Double
    /// z_n for n in historyStart..<steps, lane-major: history[lane * 32 + (n - historyStart)].
    let history: UnsafeMutablePointer<Complex>

    var zr = PixelLanes(), zi = PixelLanes()
    var wr = PixelLanes(), wi = PixelLanes()
    var br = PixelLanes(), bi = PixelLanes()
    /// Steps taken, as exact small integers.
    var n = PixelLanes()
    /// prod |d_n|^2 = mantissa * 2^exponent over the Lyapunov window.
    var mantissa = PixelLanes(repeating: 1)
    var exponent = LaneBits()
    /// Terms whose |d_n|^2 is too small for the product (|d_n| < 1e-145), added exactly.
    var smallTerms = PixelLanes()
    /// z_{n-1}, and |d_{n-1}|^2 and |d_n|^2 for the 2-cycle shortcut (0 where too small for the product).
    var previousRe = PixelLanes(), previousIm = PixelLanes()
    var derivativeBefore = PixelLanes(), derivativeLast = PixelLanes()
    var escaped = LaneMask(), fixed = LaneMask(), cycled = LaneMask()

    init(settings: ForwardPassSettings, history: UnsafeMutablePointer<Complex>) {
        self.settings = settings
        steps = max(settings.maxIterations, 0)
        lyapunovStart = Double(steps / 4)
        historyStart = max(steps - Self.historyLength, 0)
        radiusSquared = settings.escapeRadius * settings.escapeRadius
        self.history = history
    }

    mutating func load(lane: Int, at p: Complex) {
        let (w, b, z0) = settings.start(at: p)
        zr[lane] = z0.re; zi[lane] = z0.im
        wr[lane] = w.re; wi[lane] = w.im
        br[lane] = b.re; bi[lane] = b.im
        n[lane] = 0
        mantissa[lane] = 1
        exponent[lane] = 0
        smallTerms[lane] = 0
        previousRe[lane] = .nan
        previousIm[lane] = .nan
        derivativeLast[lane] = 0
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        if (n .>= Double(historyStart)).anySet {
            for lane in 0..<PixelLanes.scalarCount where Int(n[lane]) >= historyStart && Int(n[lane]) < steps {
                history[lane * Self.historyLength + Int(n[lane]) - historyStart] = Complex(zr[lane], zi[lane])
            }
        }
        let ur = wr * zr - wi * zi + br
        let ui = wr * zi + wi * zr + bi
        let (tr, ti) = VectorTanh.tanh(re: ur, im: ui)
        escaped = .!(tr * tr + ti * ti .<= radiusSquared)
        let dr = tr - zr, di = ti - zi
        fixed = dr * dr + di * di .<= 1e-24
        // d_n = w * (1 - z_{n+1}^2)
        let sr = 1 - tr * tr + ti * ti, si = -2 * tr * ti
        let derivativeRe = wr * sr - wi * si, derivativeIm = wr * si + wi * sr
        let derivativeSquared = derivativeRe * derivativeRe + derivativeIm * derivativeIm
        let counted = n .>= lyapunovStart
        let small = derivativeSquared .< 1e-290
        if (counted .& small).anySet {
            for lane in 0..<PixelLanes.scalarCount where counted[lane] && small[lane] {
                smallTerms[lane] += ForwardPassSettings.logDerivative(
                    w: Complex(wr[lane], wi[lane]), next: Complex(tr[lane], ti[lane]))
            }
        }
        mantissa *= PixelLanes(repeating: 1).replacing(with: derivativeSquared, where: counted .& .!small)
        derivativeBefore = derivativeLast
        derivativeLast = derivativeSquared.replacing(with: 0, where: small)
        cycled = (tr .== previousRe) .& (ti .== previousIm) .& (derivativeBefore .> 0) .& (derivativeLast .> 0)
            .& (n .< Double(steps - 1))
        previousRe = zr
        previousIm = zi
        // Split off the binary exponent: mantissa back to [1, 2).
        let mantissaBits = VectorTanh.bits(mantissa)
        exponent &+= (mantissaBits &>> 52) &- 1023
        mantissa = VectorTanh.double((mantissaBits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        zr = tr
        zi = ti
        n += 1
        return escaped .| fixed .| cycled .| (n .== Double(steps))
    }

    func outcome(lane: Int) -> PixelOutcome {
        let z = Complex(zr[lane], zi[lane])
        let iterations = Int(n[lane])
        if escaped[lane] {
            return PixelOutcome(regime: .escaped, iterations: iterations, finalValue: z)
        }
        if fixed[lane] {
            return PixelOutcome(
                regime: .ordered, iterations: iterations, finalValue: z,
                lyapunov: ForwardPassSettings.logDerivative(w: Complex(wr[lane], wi[lane]), next: z), period: 1)
        }
        let count = Double(steps) - lyapunovStart
        var logProduct = log(mantissa[lane]) + Double(Int64(bitPattern: exponent[lane])) * M_LN2
        if cycled[lane] && !escaped[lane] && !fixed[lane] {
            // Steps j = s ..< N remain; d_j is d_{s-2} for even j - s, d_{s-1} for odd, counted from the window start.
            let taken = iterations
            let low = max(Int(lyapunovStart), taken) - taken, high = steps - taken
            let evens = (high + 1) / 2 - (low + 1) / 2
            let odds = high - low - evens
            logProduct += Double(evens) * log(derivativeBefore[lane]) + Double(odds) * log(derivativeLast[lane])
            let other = Complex(previousRe[lane], previousIm[lane])
            let last = high % 2 == 0 ? z : other
            let lyapunov = count > 0 ? (0.5 * logProduct + smallTerms[lane]) / count : .nan
            return PixelOutcome(
                regime: lyapunov < 0 ? .ordered : .chaotic, iterations: steps, finalValue: last, lyapunov: lyapunov,
                period: (z - other).magnitude <= 1e-9 ? 1 : 2)
        }
        let lyapunov = count > 0 ? (0.5 * logProduct + smallTerms[lane]) / count : .nan
        return PixelOutcome(
            regime: lyapunov < 0 ? .ordered : .chaotic, iterations: steps, finalValue: z, lyapunov: lyapunov,
            period: Self.period(of: z, lane: lane, history: history, steps: steps))
    }

    /// docs/maps.md's period: the least k <= 32 with |z_N - z_{N-k}| <= 1e-9, from `history` laid out as this
    /// kernel's (lane-major, z_n for the last 32 n < N).
    static func period(of z: Complex, lane: Int, history: UnsafeMutablePointer<Complex>, steps: Int) -> Int? {
        let historyStart = max(steps - historyLength, 0)
        let base = lane * historyLength - historyStart
        for k in 1...historyLength where k <= steps - historyStart {
            // hypot only where the squared magnitude (a few ulps from |d|^2) leaves it in doubt: the same answer.
            let difference = z - history[base + steps - k]
            if difference.magnitudeSquared <= 1.000001e-18 && difference.magnitude <= 1e-9 { return k }
        }
        return nil
    }
}
