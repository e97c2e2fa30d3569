#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension VectorTanh {
    /// Real tanh per lane, to ~3 ulps, for the trainability kernel (its own: the complex kernels' shared functions
    /// are untouched). tanh|x| = E / (E + 2) with E = expm1(2|x|) >= 0: no cancellation near 0 (E ~ 2|x|) and one
    /// division. E = 2^k expm1(r) + (2^k - 1) for t = 2|x| = k ln2 + r, both terms exact up to expm1(r)'s own
    /// rounding, which needs a degree-11 minimax polynomial on |r| <= ln2/2 (0.9 ulp in double). |x| is clamped
    /// to 20, where tanh already rounds to 1; NaN stays NaN; the sign is x's sign bit.
    ///
    /// `@_transparent`: inside the kernel's step `@inline(__always)` was not honoured, and a call per
    /// sixteen lanes (through memory) cost a third of the step.
    @_transparent
    static func real(_ x: PixelLanes) -> PixelLanes {
        let big = expm1OfTwiceMagnitude(x)
        let magnitude = big / (big + 2)
        return double(bits(magnitude) | (bits(x) & 0x8000_0000_0000_0000))
    }

    /// expm1(2 min(|x|, 20)).
    @_transparent
    static func expm1OfTwiceMagnitude(_ x: PixelLanes) -> PixelLanes {
        var a = abs(x)
        a.replace(with: 20, where: a .> 20)
        let (_, r, scale) = reduced(a + a)  // k = 0 ... 58
        // expm1(r) = r + r^2 P(r): near-minimax (Lawson) for relative error, 1.8e-17 before rounding.
        var p = PixelLanes(repeating: 2.505377535746632e-08)
        p = p * r + 2.762603823476546e-07
        p = p * r + 2.755740754251913e-06
        p = p * r + 2.4801505272822143e-05
        p = p * r + 0.00019841269719005503
        p = p * r + 0.0013888888931565795
        p = p * r + 0.008333333333389554
        p = p * r + 0.04166666666657675
        p = p * r + 0.16666666666666588
        p = p * r + 0.5000000000000006
        p = p * (r * r) + r
        return p * scale + (scale - 1)  // k = 0 gives p itself
    }
}
