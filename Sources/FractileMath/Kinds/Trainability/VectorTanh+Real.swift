extension VectorTanh {
    /// Real tanh per lane, to ~2 ulps: tanh|x| = (1 - e) / (1 + e) with e = exp(-2|x|) and 1 - e = -expm1(-2|x|)
    /// (no cancellation near 0), the sign put back after. |x| > 350 gives ±1 exactly; NaN stays NaN.
    @_transparent
    static func real(_ x: PixelLanes) -> PixelLanes {
        let a = abs(x)
        let far = a .> 350
        let (e, m) = expAndOneMinus((-2 * a).replacing(with: -700, where: far))
        let magnitude = (m / (1 + e)).replacing(with: 1, where: far)
        return magnitude.replacing(with: -magnitude, where: x .< 0)
    }
}
