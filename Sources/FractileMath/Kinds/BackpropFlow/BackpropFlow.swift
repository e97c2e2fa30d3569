extension BackpropFlowSettings {
    /// The outcome of pixel p (docs/maps.md "backprop_flow"); no allocation.
    public func outcome(at p: Complex) -> PixelOutcome {
        var observer = IgnoringObserver()
        return run(at: p, observer: &observer)
    }

    /// w, c and delta_0 for pixel p, by plane.
    @inline(__always)
    func start(at p: Complex) -> (w: Complex, c: Complex, delta0: Complex) {
        switch plane {
        case .parameter: (weight(p), input(p), delta0)
        case .input: (weight.offset, input.offset, p)
        }
    }

    /// The one backprop_flow loop: delta_{n+1} = (1 - tanh(w*delta_n)^2)*delta_n + c (docs/maps.md "backprop_flow").
    @inline(__always)
    func run<Observer: IterationObserver>(at p: Complex, observer: inout Observer) -> PixelOutcome {
        let (w, c, delta0) = start(at: p)
        let steps = Swift.max(maxIterations, 0)
        let explode = explodeRadius
        let vanish = vanishRadius
        let half = steps / 2
        var ringSum = 0.0
        var delta = delta0
        observer.observe(delta)
        for n in 0..<steps {
            let t = Complex.tanh(w * delta)
            delta = (Complex.one - t * t) * delta + c
            observer.observe(delta)
            let magnitude = delta.magnitude
            if !delta.isFinite || magnitude > explode {
                return PixelOutcome(regime: .exploded, iterations: n + 1, finalValue: delta)
            }
            if magnitude < vanish {
                return PixelOutcome(regime: .vanished, iterations: n + 1, finalValue: delta)
            }
            // ring: m = floor(N/2)+1 ... N, and this is delta_m with m = n + 1.
            if n + 1 > half {
                ringSum += Swift.abs(magnitude - 1)
            }
        }
        let ring = steps > half ? ringSum / Double(steps - half) : .nan
        return PixelOutcome(
            regime: ring < ringTolerance ? .unitCircle : .bounded, iterations: steps, finalValue: delta, ring: ring)
    }
}
