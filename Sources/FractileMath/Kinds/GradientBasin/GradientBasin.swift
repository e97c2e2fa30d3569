extension GradientBasinSettings {
    /// The outcome of starting weight p (docs/maps.md "gradient_basin"); no allocation.
    public func outcome(at p: Complex) -> PixelOutcome {
        var observer = IgnoringObserver()
        return run(at: p, observer: &observer)
    }

    /// The real squared error sum_k |tanh(w*x_k) - y_k|^2, whatever the gradient mode; nil where some w*x_k is
    /// not finite.
    public func loss(at w: Complex) -> Double? {
        var total = 0.0
        let finite = withTanhs(at: w) { k, t in
            let error = (t - dataY[k]).magnitude
            total += error * error
        }
        return finite ? total : nil
    }

    /// max_k |1 - tanh(w*x_k)^2|: below 1e-9 every tanh has saturated and the gradient died.
    func largestSlope(at w: Complex) -> Double {
        var largest = 0.0
        _ = withTanhs(at: w) { _, t in largest = Swift.max(largest, (Complex.one - t * t).magnitude) }
        return largest
    }

    /// Calls `body` with k and tanh(w*x_k) for each data point in order, false (stopping there) at the first
    /// w*x_k that is not finite. A point x_k = -x_j (bit for bit; the shipped data) takes -tanh(w*x_j): w*x_k is
    /// then exactly -(w*x_j) but for the sign of a zero part, and `Complex.tanh` is exactly odd (libm's tanh, tan,
    /// sin are odd, cosh even), so this is tanh(w*x_k) but for the sign of a zero part, which neither the loss nor
    /// the slope sees; at half the libm calls (a few percent of a deep tile, where every pixel's loss is computed).
    @inline(__always)
    private func withTanhs(at w: Complex, _ body: (Int, Complex) -> Void) -> Bool {
        let count = Swift.min(dataX.count, dataY.count)
        return withUnsafeTemporaryAllocation(of: Complex.self, capacity: count) { tanhs in
            for k in 0..<count {
                let x = dataX[k]
                let wx = w * x
                guard wx.isFinite else { return false }
                let mirror = (0..<k).first {
                    dataX[$0].re.bitPattern == (-x.re).bitPattern && dataX[$0].im.bitPattern == (-x.im).bitPattern
                }
                tanhs[k] = mirror.map { -tanhs[$0] } ?? Complex.tanh(wx)
                body(k, tanhs[k])
            }
            return true
        }
    }

    /// The one gradient_basin loop: w_{n+1} = w_n - eta*g (docs/maps.md "gradient_basin").
    @inline(__always)
    func run<Observer: IterationObserver>(at p: Complex, observer: inout Observer) -> PixelOutcome {
        let steps = Swift.max(maxIterations, 0)
        let radius = divergeRadius
        let eta = learningRate
        let wirtinger = gradient == .wirtinger
        var w = p
        observer.observe(w)
        let stop: PixelOutcome? = dataX.withUnsafeBufferPointer { xs in
            dataY.withUnsafeBufferPointer { ys in
                let count = Swift.min(xs.count, ys.count)
                for n in 0..<steps {
                    var g = Complex.zero
                    for k in 0..<count {
                        let x = xs[k]
                        let t = Complex.tanh(w * x)
                        let e = t - ys[k]
                        let s = Complex.one - t * t
                        g += wirtinger ? (2.0 * e) * (x * s).conjugate : (2.0 * e) * x * s
                    }
                    let next = w - eta * g
                    observer.observe(next)
                    if !next.isFinite || next.magnitude > radius {
                        return PixelOutcome(regime: .diverged, iterations: n + 1, finalValue: next)
                    }
                    if (next - w).magnitude <= 1e-12 * Swift.max(1, w.magnitude) {
                        // s_k at w_n, the step's starting point, recomputed only here to keep the loop lean.
                        let regime: Regime = largestSlope(at: w) < 1e-9 ? .saturated : .converged
                        return PixelOutcome(regime: regime, iterations: n + 1, finalValue: next)
                    }
                    w = next
                }
                return nil
            }
        }
        var result = stop ?? PixelOutcome(regime: .undecided, iterations: steps, finalValue: w)
        result.loss = loss(at: result.finalValue)
        return result
    }
}
