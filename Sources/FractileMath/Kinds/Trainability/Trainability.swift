/// Sees r_s = L_s / L_0 for every step taken, so that one training loop serves the hot path and the probe (which
/// records the loss curve): the two cannot disagree.
protocol TrainingObserver {
    mutating func observe(ratio: Double)
}

/// Records nothing: the optimiser removes it.
struct IgnoringTrainingObserver: TrainingObserver {
    @inline(__always) mutating func observe(ratio: Double) {}
}

/// Keeps the whole loss curve (docs/maps.md: `lossCurve`, r_s for every step taken).
struct LossCurveRecorder: TrainingObserver {
    private(set) var ratios: [Double] = []
    mutating func observe(ratio: Double) { ratios.append(ratio) }
}

extension TrainabilitySettings {
    /// The exact scalar rule of docs/maps.md "trainability" for pixel p (eta_1 = 10^p.re, eta_2 = 10^p.im): full-batch
    /// gradient descent from the problem's initial weights, stopping as docs/maps.md says. What the probe reports and
    /// the tests hold the lane kernel against.
    func run<Observer: TrainingObserver>(_ problem: TrainingProblem, at p: Complex, observer: inout Observer) -> PixelOutcome {
        let (eta1, eta2) = Self.learningRates(at: p)
        let stepW = eta1 * problem.gradientWScale, stepA = eta2 * problem.gradientAScale
        let steps = maxIterations, tail = Self.tailLength
        var w = problem.initialW, a = problem.initialA
        var gradientW = w, gradientA = a
        var ratioSum = 0.0, tailSum = 0.0, loss = problem.initialLoss
        for s in 0..<steps {
            loss = problem.lossAndGradients(w: &w, a: &a, gradientW: &gradientW, gradientA: &gradientA)
            let ratio = loss / problem.initialLoss
            observer.observe(ratio: ratio)
            if !loss.isFinite || ratio > divergeLoss {
                return PixelOutcome(regime: .diverged, iterations: s, finalValue: .zero, loss: loss,
                                    meanLossRatio: s > 0 ? ratioSum / Double(s) : 1)
            }
            ratioSum += ratio
            if s >= steps - tail { tailSum += ratio }
            // Both layers step from the same (W, a): the W gradient already holds the old a_j.
            for index in w.indices { w[index] -= stepW * gradientW[index] }
            for j in a.indices { a[j] -= stepA * gradientA[j] }
        }
        let regime: Regime = tailSum / Double(tail) < 1 ? .converged : .stalled
        return PixelOutcome(regime: regime, iterations: steps, finalValue: .zero, loss: loss,
                            meanLossRatio: ratioSum / Double(steps))
    }

    public func outcome(at p: Complex) -> PixelOutcome {
        var observer = IgnoringTrainingObserver()
        return run(TrainingProblem(self), at: p, observer: &observer)
    }

    /// The probe: the loss curve instead of an orbit (a pixel's iterate is a whole network, not a complex number).
    public func probe(at p: Complex) -> ProbeResult {
        var recorder = LossCurveRecorder()
        let outcome = run(TrainingProblem(self), at: p, observer: &recorder)
        return ProbeResult(kind: Self.kind, outcome: outcome, orbit: [], lossCurve: recorder.ratios)
    }
}
