/// Everything colouring needs about one pixel, computed without allocation (docs/maps.md, per kind).
///
/// Fields that do not belong to the pixel's kind are nil. Equality treats NaN as equal to NaN, so an outcome
/// always equals itself.
public struct PixelOutcome: Sendable {
    public var regime: Regime
    /// The step at which the run stopped, or N when it ran to the end.
    public var iterations: Int
    /// The last iterate: z for forward_pass, w for gradient_basin (the limit when converged or saturated),
    /// delta for backprop_flow. May be non-finite when the run escaped, diverged or exploded.
    public var finalValue: Complex
    /// forward_pass: the Lyapunov exponent; nil when escaped.
    public var lyapunov: Double?
    /// forward_pass: the period of the final orbit (1...32); nil when escaped or none was found.
    public var period: Int?
    /// gradient_basin: sum_k |tanh(w_final*x_k) - y_k|^2; nil where w_final*x_k is not finite. The tile kernels
    /// (`fastOutcomes`, deep lanes) compute it for converged runs only, the only ones coloured by it.
    /// trainability: the last L_s computed (may be non-finite when it diverged).
    public var loss: Double?
    /// backprop_flow: mean distance of |delta_m| from 1 over the second half of the run; nil when it stopped early.
    public var ring: Double?
    /// trainability: the mean of r_s = L_s / L_0 over the steps taken before the stop (how fast the loss fell).
    public var meanLossRatio: Double?

    public init(
        regime: Regime, iterations: Int, finalValue: Complex,
        lyapunov: Double? = nil, period: Int? = nil, loss: Double? = nil, ring: Double? = nil,
        meanLossRatio: Double? = nil
    ) {
        self.regime = regime
        self.iterations = iterations
        self.finalValue = finalValue
        self.lyapunov = lyapunov
        self.period = period
        self.loss = loss
        self.ring = ring
        self.meanLossRatio = meanLossRatio
    }

    /// gradient_basin: the minimum the run settled in (w_{n+1} at the stop), when it converged or saturated.
    @inlinable public var limit: Complex? {
        regime == .converged || regime == .saturated ? finalValue : nil
    }

    /// backprop_flow: |delta| of the last iterate.
    @inlinable public var magnitude: Double { finalValue.magnitude }
}

extension PixelOutcome: Equatable {
    public static func == (a: PixelOutcome, b: PixelOutcome) -> Bool {
        func same(_ x: Double?, _ y: Double?) -> Bool {
            switch (x, y) {
            case (nil, nil): true
            case let (x?, y?): x == y || (x.isNaN && y.isNaN)
            default: false
            }
        }
        return a.regime == b.regime && a.iterations == b.iterations
            && same(a.finalValue.re, b.finalValue.re) && same(a.finalValue.im, b.finalValue.im)
            && same(a.lyapunov, b.lyapunov) && a.period == b.period && same(a.loss, b.loss) && same(a.ring, b.ring)
            && same(a.meanLossRatio, b.meanLossRatio)
    }
}
