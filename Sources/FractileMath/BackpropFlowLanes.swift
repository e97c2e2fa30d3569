/// backprop_flow over lanes (MAPS.md "backprop_flow"), the same steps as `BackpropFlowSettings.run` with
/// `VectorTanh` for tanh and squared magnitudes against squared radii (|delta| itself only for the ring sum).
///
/// Exact fixed points and 2-cycles end a run early: once delta_{n+1} equals delta_n or delta_{n-1} bit for bit, the
/// kernel's arithmetic repeats them forever, so nothing can explode or vanish any more and the rest of the ring sum
/// is added term by term, in the same order, without the tanhs: the outcome is bit-identical to running on. At z=0
/// of the shipped map more than half of the pixels that use the whole budget end this way.
struct BackpropFlowLanes: LaneKernel {
    let settings: BackpropFlowSettings
    let steps: Int
    /// The ring sums |delta_m| for m > floor(N/2).
    let half: Double
    let explodeSquared: Double
    let vanishSquared: Double

    var dr = PixelLanes(), di = PixelLanes()
    var wr = PixelLanes(), wi = PixelLanes()
    var cr = PixelLanes(), ci = PixelLanes()
    var n = PixelLanes()
    var ringSum = PixelLanes()
    /// delta_{n-1}, for the cycle test.
    var previousRe = PixelLanes(), previousIm = PixelLanes()
    var exploded = LaneMask(), vanished = LaneMask(), cycled = LaneMask()

    init(settings: BackpropFlowSettings) {
        self.settings = settings
        steps = max(settings.maxIterations, 0)
        half = Double(steps / 2)
        explodeSquared = settings.explodeRadius * settings.explodeRadius
        vanishSquared = settings.vanishRadius * settings.vanishRadius
    }

    mutating func load(lane: Int, at p: Complex) {
        let (w, c, delta0) = settings.start(at: p)
        dr[lane] = delta0.re; di[lane] = delta0.im
        wr[lane] = w.re; wi[lane] = w.im
        cr[lane] = c.re; ci[lane] = c.im
        n[lane] = 0
        ringSum[lane] = 0
        previousRe[lane] = .nan
        previousIm[lane] = .nan
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        let (tr, ti) = VectorTanh.tanh(re: wr * dr - wi * di, im: wr * di + wi * dr)
        // delta_{n+1} = (1 - t^2) * delta_n + c
        let sr = 1 - tr * tr + ti * ti, si = -2 * tr * ti
        let nr = sr * dr - si * di + cr
        let ni = sr * di + si * dr + ci
        cycled = (((nr .== dr) .& (ni .== di)) .| ((nr .== previousRe) .& (ni .== previousIm)))
            .& (n .< Double(steps - 1))
        previousRe = dr
        previousIm = di
        dr = nr
        di = ni
        n += 1
        let magnitudeSquared = nr * nr + ni * ni
        exploded = .!(magnitudeSquared .<= explodeSquared)
        vanished = magnitudeSquared .< vanishSquared
        ringSum += PixelLanes().replacing(with: VectorTanh.abs(magnitudeSquared.squareRoot() - 1), where: n .> half)
        return exploded .| vanished .| cycled .| (n .== Double(steps))
    }

    func outcome(lane: Int) -> PixelOutcome {
        let delta = Complex(dr[lane], di[lane])
        let iterations = Int(n[lane])
        if exploded[lane] { return PixelOutcome(regime: .exploded, iterations: iterations, finalValue: delta) }
        if vanished[lane] { return PixelOutcome(regime: .vanished, iterations: iterations, finalValue: delta) }
        var sum = ringSum[lane]
        var last = delta
        if cycled[lane] {
            // delta_m for m > s alternates previous, delta (or stays at delta, when both are equal): add their two
            // ring terms in that order, with no tanh, allocation or square root per step.
            let other = Complex(previousRe[lane], previousIm[lane])
            let alternates = other != delta
            let otherTerm = Swift.abs(other.magnitudeSquared.squareRoot() - 1)
            let deltaTerm = Swift.abs(delta.magnitudeSquared.squareRoot() - 1)
            for m in Swift.max(iterations + 1, Int(half) + 1)...Swift.max(steps, Int(half) + 1) where m <= steps {
                sum += alternates && (m - iterations - 1) & 1 == 0 ? otherTerm : deltaTerm
            }
            last = alternates && (steps - iterations - 1) & 1 == 0 ? other : delta
        }
        let count = steps - Int(half)
        let ring = count > 0 ? sum / Double(count) : .nan
        return PixelOutcome(
            regime: ring < settings.ringTolerance ? .unitCircle : .bounded, iterations: steps, finalValue: last,
            ring: ring)
    }
}
