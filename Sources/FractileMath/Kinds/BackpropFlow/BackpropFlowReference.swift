/// A backprop_flow orbit computed in 256-bit fixed point at one point C (a deep tile's centre), and the loop that
/// runs any nearby pixel C + offset against it with double-precision deltas.
///
/// With Delta_n the reference and delta_n = Delta_n + d_n the pixel's, t = tanh(w delta) differs from
/// T = tanh(W Delta) by dt = tanh(du) (1 - T^2) / (1 + T tanh(du)), du = W d + dw Delta + dw d; with s = 1 - t^2,
/// ds = -dt (2T + dt) and d_{n+1} = S d + ds (Delta + d) + dc: no term cancels.
public struct BackpropFlowReference: Sendable {
    public let settings: BackpropFlowSettings
    /// Delta_0 ... Delta_L rounded.
    let orbit: [Complex]
    /// T_n = tanh(W Delta_n) and S_n = 1 - T_n^2, for n < L.
    let t: [Complex], s: [Complex]
    /// w at the reference point, rounded: it only multiplies deltas.
    let w: Complex
    /// C rounded, for the one case with no orbit to perturb around.
    let point: Complex

    public init(settings: BackpropFlowSettings, at point: WideComplex) {
        self.settings = settings
        self.point = point.complexValue
        let wideW: WideComplex, wideC: WideComplex, start: WideComplex
        switch settings.plane {
        case .parameter: (wideW, wideC, start) = (settings.weight(point), settings.input(point), WideComplex(settings.delta0))
        case .input: (wideW, wideC, start) = (WideComplex(settings.weight.offset), WideComplex(settings.input.offset), point)
        }
        w = wideW.complexValue
        var delta = start
        var orbit = [delta.complexValue], t: [Complex] = [], s: [Complex] = []
        for _ in 0..<Swift.max(settings.maxIterations, 0) {
            let tn = WideComplex.tanh(wideW * delta)
            let sn = WideComplex.one - tn * tn
            let next = sn * delta + wideC
            if next.isOverflow { break }
            t.append(tn.complexValue)
            s.append(sn.complexValue)
            orbit.append(next.complexValue)
            delta = next
        }
        (self.orbit, self.t, self.s) = (orbit, t, s)
    }

    /// The outcome of pixel C + offset, by docs/maps.md's rules.
    func run<Observer: IterationObserver>(offset: Complex, observer: inout Observer) -> PixelOutcome {
        guard orbit.count > 1 else { return settings.run(at: point + offset, observer: &observer) }
        let (dw, dc, d0) = settings.plane.split(offset, weightScale: settings.weight.scale,
                                                secondScale: settings.input.scale)
        let steps = Swift.max(settings.maxIterations, 0)
        let explode = settings.explodeRadius
        let vanish = settings.vanishRadius
        let half = steps / 2
        let explodeSquared = explode * explode, vanishSquared = vanish * vanish
        var ringSum = 0.0
        var m = 0
        var d = d0
        var delta = orbit[0] + d
        observer.observe(delta)
        for n in 0..<steps {
            if m + 1 >= orbit.count {
                // The reference exploded beyond the fixed-point range; every pixel starts at delta_0 (or, in the
                // input plane, runs the same map), so carry on against the reference from its start.
                d = delta - orbit[0]
                m = 0
            }
            let reference = orbit[m], tn = t[m], sn = s[m]
            let du = w * d + dw * reference + dw * d
            // Below 2^-60 (of 1 and of 1/|T|), tanh(du) = du and 1 + T tanh(du) = 1 to the last bit.
            let dt = du.magnitudeSquared * (1 + tn.magnitudeSquared) < 0x1p-120
                ? du * sn
                : { let tau = Complex.deltaTanh(du); return tau * sn / (Complex.one + tn * tau) }()
            let ds = -(dt * (2.0 * tn + dt))
            let nextDelta = sn * d + ds * (reference + d) + dc
            delta = orbit[m + 1] + nextDelta
            observer.observe(delta)
            // Squared radii (|delta| itself only where the ring needs it: a square root is a long wait per step).
            let magnitudeSquared = delta.magnitudeSquared
            if !delta.isFinite || magnitudeSquared > explodeSquared
                || (magnitudeSquared.isInfinite && delta.magnitude > explode) {
                return PixelOutcome(regime: .exploded, iterations: n + 1, finalValue: delta)
            }
            if magnitudeSquared < vanishSquared || (vanishSquared == 0 && delta.magnitude < vanish) {
                return PixelOutcome(regime: .vanished, iterations: n + 1, finalValue: delta)
            }
            if n + 1 > half { ringSum += Swift.abs(magnitudeSquared.squareRoot() - 1) }
            d = nextDelta
            m += 1
        }
        let ring = steps > half ? ringSum / Double(steps - half) : .nan
        return PixelOutcome(
            regime: ring < settings.ringTolerance ? .unitCircle : .bounded, iterations: steps, finalValue: delta, ring: ring)
    }
}

extension BackpropFlowReference: ObservedReference {
    public func outcome(offset: Complex) -> PixelOutcome { recordedOutcome(offset: offset) }
    public func probe() -> ProbeResult { recordedProbe() }
}
