/// A complex number in 256-bit fixed point (Fixed256 parts): where deep-zoom reference orbits live.
public struct WideComplex: Sendable, Hashable {
    public var re: Fixed256
    public var im: Fixed256

    public init(_ re: Fixed256, _ im: Fixed256) {
        self.re = re
        self.im = im
    }

    /// The double complex exactly.
    public init(_ z: Complex) {
        self.init(Fixed256(z.re), Fixed256(z.im))
    }

    public static let zero = WideComplex(.zero, .zero)
    public static let one = WideComplex(.one, .zero)

    /// Each part rounded to the nearest double (NaN where it overflowed).
    public var complexValue: Complex { Complex(re.doubleValue, im.doubleValue) }

    public var isOverflow: Bool { re.isOverflow || im.isOverflow }

    public static func + (a: WideComplex, b: WideComplex) -> WideComplex { WideComplex(a.re + b.re, a.im + b.im) }
    public static func - (a: WideComplex, b: WideComplex) -> WideComplex { WideComplex(a.re - b.re, a.im - b.im) }
    public static prefix func - (a: WideComplex) -> WideComplex { WideComplex(-a.re, -a.im) }
    public static func * (a: WideComplex, b: WideComplex) -> WideComplex {
        WideComplex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }

    public var conjugate: WideComplex { WideComplex(re, -im) }

    /// tanh(a + ib) = (1 - E^2 + 2iE sin 2b) / (1 + 2E cos 2b + E^2) with E = e^-2a, for a >= 0 (odd symmetry
    /// otherwise): E <= 1, so nothing overflows, and only a pole (denominator near 0) gives `overflow`.
    public static func tanh(_ z: WideComplex) -> WideComplex {
        if z.isOverflow { return WideComplex(.overflow, .overflow) }
        if z.re.isNegative { return -tanh(-z) }
        let e = Fixed256.exponentialOfNegative(z.re.scaled(byPowerOfTwo: 1))
        let (sine, cosine) = Fixed256.sineAndCosine(z.im.scaled(byPowerOfTwo: 1))
        let e2 = e * e
        let denominator = Fixed256.one + (e * cosine).scaled(byPowerOfTwo: 1) + e2
        // Near a pole the denominator is tiny: scale it (and the numerator) up to [1/2, 1) first, so that the
        // quotient overflows only when it really is out of range.
        let estimate = denominator.doubleValue
        guard estimate > 0 else { return WideComplex(.overflow, .overflow) }
        let scale = estimate < 0.5 ? -Int(estimate.exponent) - 1 : 0
        let inverse = denominator.scaled(byPowerOfTwo: scale).reciprocal
        let numeratorRe = (Fixed256.one - e2).scaled(byPowerOfTwo: scale)
        let numeratorIm = (e * sine).scaled(byPowerOfTwo: scale + 1)
        return WideComplex(numeratorRe * inverse, numeratorIm * inverse)
    }
}

extension AffineParameter {
    /// scale*p + offset for a wide point (scale and offset are doubles, so this is exact up to the last bit).
    public func callAsFunction(_ p: WideComplex) -> WideComplex { WideComplex(scale) * p + WideComplex(offset) }
}
