/// exp, sin and cos in 256-bit fixed point: what a reference orbit's tanh needs. Arguments are reduced
/// (by ln 2 and by pi/2) to where plain Taylor series converge in a few dozen terms.
extension Fixed256 {
    /// The value divided by a positive integer, rounded toward zero (long division over the limbs).
    public func divided(by n: UInt64) -> Fixed256 {
        precondition(n > 0)
        if isOverflow { return self }
        let m = magnitude
        var remainder: UInt64 = 0
        var limbs = [m.l3, m.l2, m.l1, m.l0]
        for i in 0..<4 {
            let (quotient, rest) = n.dividingFullWidth((high: remainder, low: limbs[i]))
            limbs[i] = quotient
            remainder = rest
        }
        let r = Fixed256(limbs[3], limbs[2], limbs[1], limbs[0])
        return isNegative ? r.negated : r
    }

    /// ln 2 = sum_{k>=1} 1/(k 2^k).
    public static let ln2: Fixed256 = {
        var sum = Fixed256.zero
        var power = Fixed256.one  // 2^-k
        for k in 1...200 {
            power = power.scaled(byPowerOfTwo: -1)
            sum += power.divided(by: UInt64(k))
        }
        return sum
    }()

    /// pi by Machin's formula, 16 atan(1/5) - 4 atan(1/239).
    public static let pi: Fixed256 = {
        func arctangentOfReciprocal(_ n: UInt64) -> Fixed256 {
            var sum = Fixed256.zero
            var power = Fixed256.one.divided(by: n)  // n^-(2k+1)
            var k: UInt64 = 0
            while !power.isZero {
                let term = power.divided(by: 2 * k + 1)
                sum = k % 2 == 0 ? sum + term : sum - term
                power = power.divided(by: n * n)
                k += 1
            }
            return sum
        }
        return arctangentOfReciprocal(5).times(16) - arctangentOfReciprocal(239).times(4)
    }()

    public static let halfPi = pi.scaled(byPowerOfTwo: -1)

    /// e^-x for x >= 0 (0 once it is below the last bit).
    public static func exponentialOfNegative(_ x: Fixed256) -> Fixed256 {
        if x.isOverflow { return .zero }  // x is huge and positive: e^-x vanishes
        precondition(!x.isNegative)
        // x = k ln2 + r with r in [0, ln2) (or a hair outside, from the double estimate): e^-x = 2^-k e^-r.
        let estimate = x.doubleValue / 0.6931471805599453
        if estimate > 300 { return .zero }
        let k = Int(estimate.rounded(.down))
        let r = x - ln2.times(k)
        // Taylor series of e^-r: term_n = term_{n-1} * (-r) / n, until the terms vanish.
        var sum = Fixed256.one
        var term = Fixed256.one
        let minusR = -r
        for n in 1...80 {
            term = (term * minusR).divided(by: UInt64(n))
            if term.isZero { break }
            sum += term
        }
        return sum.scaled(byPowerOfTwo: -k)
    }

    /// (sin x, cos x), with x reduced by multiples of pi/2 to [-pi/4, pi/4] (about).
    public static func sineAndCosine(_ x: Fixed256) -> (sin: Fixed256, cos: Fixed256) {
        if x.isOverflow { return (.overflow, .overflow) }
        let quarterTurns = (x.doubleValue / 1.5707963267948966).rounded()
        guard quarterTurns.magnitude < 0x1p52 else { return (.overflow, .overflow) }
        let k = Int(quarterTurns)
        let r = x - halfPi.times(k)
        let r2 = r * r
        // sin r = r - r^3/3! + ..., cos r = 1 - r^2/2! + ...
        var sine = r, cosine = Fixed256.one
        var sineTerm = r, cosineTerm = Fixed256.one
        for n in 1...60 {
            sineTerm = -(sineTerm * r2).divided(by: UInt64((2 * n) * (2 * n + 1)))
            cosineTerm = -(cosineTerm * r2).divided(by: UInt64((2 * n - 1) * (2 * n)))
            if sineTerm.isZero && cosineTerm.isZero { break }
            sine += sineTerm
            cosine += cosineTerm
        }
        switch ((k % 4) + 4) % 4 {
        case 0: return (sine, cosine)
        case 1: return (cosine, -sine)
        case 2: return (-sine, -cosine)
        default: return (-cosine, sine)
        }
    }
}
