/// Sees r_s = L_s / L_0 for every step taken, so that one training loop serves the probe (which records the loss
/// curve) and the tests.
public protocol TrainingObserver {
    mutating func observe(ratio: Double)
}

/// Keeps the whole loss curve (MAPS.md: `lossCurve`, r_s for every step taken).
public struct LossCurveRecorder: TrainingObserver {
    public private(set) var ratios: [Double] = []
    public init() {}
    public mutating func observe(ratio: Double) { ratios.append(ratio) }
}

extension TrainabilitySettings {
    /// The exact scalar rule of MAPS.md "trainability" for pixel p (eta_1 = 10^p.re, eta_2 = 10^p.im): full-batch
    /// gradient descent from the problem's initial weights, stopping as MAPS.md says. The reference that the probe
    /// reports and the tests hold the lane kernel against.
    public func run<Observer: TrainingObserver>(
        _ problem: TrainingProblem, at p: Complex, observer: inout Observer
    ) -> TrainabilityOutcome {
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
                return TrainabilityOutcome(regime: .diverged, iterations: s, loss: loss,
                                           meanRatio: s > 0 ? ratioSum / Double(s) : 1)
            }
            ratioSum += ratio
            if s >= steps - tail { tailSum += ratio }
            // Both layers step from the same (W, a): the W gradient already holds the old a_j.
            for index in w.indices { w[index] -= stepW * gradientW[index] }
            for j in a.indices { a[j] -= stepA * gradientA[j] }
        }
        let regime: TrainabilityOutcome.Regime = tailSum / Double(tail) < 1 ? .converged : .stalled
        return TrainabilityOutcome(regime: regime, iterations: steps, loss: loss, meanRatio: ratioSum / Double(steps))
    }

    /// The outcome of pixel p, without recording the curve.
    public func outcome(_ problem: TrainingProblem, at p: Complex) -> TrainabilityOutcome {
        var observer = IgnoringTrainingObserver()
        return run(problem, at: p, observer: &observer)
    }
}

/// The observer that records nothing.
struct IgnoringTrainingObserver: TrainingObserver {
    @inline(__always) mutating func observe(ratio: Double) {}
}
