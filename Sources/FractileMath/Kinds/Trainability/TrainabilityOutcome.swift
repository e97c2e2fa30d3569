/// What happened to one pixel's training run (MAPS.md "trainability").
public struct TrainabilityOutcome: Sendable, Equatable {
    public enum Regime: String, Sendable, CaseIterable {
        case converged, diverged, stalled
    }

    public var regime: Regime
    /// The step s at which the run diverged, or T when it ran to the end.
    public var iterations: Int
    /// The last L_s computed (at the divergence, or L_{T-1}); may be non-finite when it diverged.
    public var loss: Double
    /// The mean of r_s over the steps taken before the stop (how fast the loss fell): what shades converged pixels.
    public var meanRatio: Double

    public init(regime: Regime, iterations: Int, loss: Double, meanRatio: Double) {
        self.regime = regime
        self.iterations = iterations
        self.loss = loss
        self.meanRatio = meanRatio
    }

    public static func == (a: Self, b: Self) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        return a.regime == b.regime && a.iterations == b.iterations && same(a.loss, b.loss)
            && same(a.meanRatio, b.meanRatio)
    }
}
