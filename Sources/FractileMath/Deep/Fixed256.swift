/// A signed fixed-point number with 64 integer and 192 fractional bits: the arithmetic of deep-zoom reference
/// orbits. A pixel at zoom 100 of a span-8 map is 2^-105 wide, so 192 bits leave about 87 bits of guard; at the
/// config's deepest zoom (120) still 67.
///
/// Two's complement over four 64-bit limbs. Results that leave the range (|x| >= 2^63) or divide by (nearly) zero
/// are flagged `isOverflow`, and the flag propagates like NaN: an orbit that meets it simply ends.
public struct Fixed256: Sendable, Hashable {
    /// Limbs, least significant first; the value is the signed 256-bit integer l3:l2:l1:l0 times 2^-192.
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64
    public private(set) var isOverflow: Bool

    public static let fractionBits = 192

    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, overflow: Bool = false) {
        self.l0 = l0
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
        self.isOverflow = overflow
    }

    public static let zero = Fixed256(0, 0, 0, 0)
    public static let one = Fixed256(0, 0, 0, 1)
    public static let overflow = Fixed256(0, 0, 0, 0, overflow: true)

    /// An integer (|n| < 2^63).
    public init(integer n: Int) {
        self.init(0, 0, 0, UInt64(bitPattern: Int64(n)))
    }

    /// value * 2^exponent exactly (bits below 2^-192 dropped); `overflow` if it reaches 2^63.
    public init(_ value: UInt128, exponent: Int) {
        let bits = 128 - value.leadingZeroBitCount
        guard bits + exponent + Self.fractionBits <= 255 else {
            self = .overflow
            return
        }
        let shift = exponent + Self.fractionBits
        self = Fixed256.shifted(UInt64(truncatingIfNeeded: value), by: shift)
            + Fixed256.shifted(UInt64(truncatingIfNeeded: value >> 64), by: shift + 64)
    }

    /// The double exactly (bits below 2^-192 are dropped); non-finite or |d| >= 2^63 gives `overflow`.
    public init(_ d: Double) {
        guard d.isFinite, d.magnitude < 0x1p63 else {
            self = .overflow
            return
        }
        if d.magnitude < 0x1p-200 {  // below the last fractional bit, subnormals included
            self = .zero
            return
        }
        // d = significand * 2^exponent with an integer significand of 53 bits.
        let significand = UInt64(d.significandBitPattern) | 1 << 52
        let magnitude = Fixed256.shifted(significand, by: Int(d.exponent) - 52 + Self.fractionBits)
        self = d < 0 ? magnitude.negated : magnitude
    }

    /// value * 2^shift as a non-negative fixed number (shift may be negative; bits that fall off are dropped).
    static func shifted(_ value: UInt64, by shift: Int) -> Fixed256 {
        var limbs: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        if shift >= 0 {
            let limb = shift / 64, bit = shift % 64
            let low = value << UInt64(bit)
            let high = bit == 0 ? 0 : value >> UInt64(64 - bit)
            withUnsafeMutableBytes(of: &limbs) { raw in
                let words = raw.bindMemory(to: UInt64.self)
                if limb < 5 { words[limb] = low }
                if limb + 1 < 5 { words[limb + 1] = high }
            }
        } else if -shift < 64 {
            limbs.0 = value >> UInt64(-shift)
        }
        return Fixed256(limbs.0, limbs.1, limbs.2, limbs.3)
    }

    public var isNegative: Bool { Int64(bitPattern: l3) < 0 }
    public var isZero: Bool { l0 | l1 | l2 | l3 == 0 && !isOverflow }

    public var negated: Fixed256 {
        var r = Fixed256(~l0, ~l1, ~l2, ~l3, overflow: isOverflow)
        var carry: Bool
        (r.l0, carry) = r.l0.addingReportingOverflow(1)
        if carry { (r.l1, carry) = r.l1.addingReportingOverflow(1) }
        if carry { (r.l2, carry) = r.l2.addingReportingOverflow(1) }
        if carry { r.l3 = r.l3 &+ 1 }
        return r
    }

    public var magnitude: Fixed256 { isNegative ? negated : self }

    public static prefix func - (a: Fixed256) -> Fixed256 { a.negated }

    public static func + (a: Fixed256, b: Fixed256) -> Fixed256 {
        var r = Fixed256(0, 0, 0, 0, overflow: a.isOverflow || b.isOverflow)
        var c1 = false, c2 = false
        (r.l0, c1) = a.l0.addingReportingOverflow(b.l0)
        (r.l1, c2) = a.l1.addingReportingOverflow(b.l1)
        var carry = c2
        if c1 { (r.l1, c1) = r.l1.addingReportingOverflow(1); carry = carry || c1 }
        (r.l2, c2) = a.l2.addingReportingOverflow(b.l2)
        c1 = carry
        carry = c2
        if c1 { (r.l2, c1) = r.l2.addingReportingOverflow(1); carry = carry || c1 }
        r.l3 = a.l3 &+ b.l3 &+ (carry ? 1 : 0)
        // Signed overflow: both operands have the same sign and the result has the other.
        if a.isNegative == b.isNegative && r.isNegative != a.isNegative { r.isOverflow = true }
        return r
    }

    public static func - (a: Fixed256, b: Fixed256) -> Fixed256 { a + b.negated }
    public static func += (a: inout Fixed256, b: Fixed256) { a = a + b }
    public static func -= (a: inout Fixed256, b: Fixed256) { a = a - b }

    public static func * (a: Fixed256, b: Fixed256) -> Fixed256 {
        if a.isOverflow || b.isOverflow { return .overflow }
        let negative = a.isNegative != b.isNegative
        let x = a.magnitude, y = b.magnitude
        // Schoolbook 4x4 limbs into 8; keep limbs 3...6 (bits 192..<448) and require 7 and the top bit of 6 clear.
        var p: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let xs = (x.l0, x.l1, x.l2, x.l3), ys = (y.l0, y.l1, y.l2, y.l3)
        withUnsafeMutableBytes(of: &p) { raw in
            let out = raw.bindMemory(to: UInt64.self)
            withUnsafeBytes(of: xs) { xr in
                withUnsafeBytes(of: ys) { yr in
                    let xw = xr.bindMemory(to: UInt64.self), yw = yr.bindMemory(to: UInt64.self)
                    for i in 0..<4 where xw[i] != 0 {
                        var carry: UInt64 = 0
                        for j in 0..<4 {
                            let (high, low) = xw[i].multipliedFullWidth(by: yw[j])
                            let (sum1, o1) = out[i + j].addingReportingOverflow(low)
                            let (sum2, o2) = sum1.addingReportingOverflow(carry)
                            out[i + j] = sum2
                            carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                        }
                        out[i + 4] = carry
                    }
                }
            }
        }
        if p.7 != 0 || p.6 >> 63 != 0 { return .overflow }
        let r = Fixed256(p.3, p.4, p.5, p.6)
        return negative ? r.negated : r
    }

    public static func *= (a: inout Fixed256, b: Fixed256) { a = a * b }

    /// The value times 2^k (k may be negative; shifting right rounds toward minus infinity).
    public func scaled(byPowerOfTwo k: Int) -> Fixed256 {
        if isOverflow || k == 0 { return self }
        if k > 0 {
            if k >= 256 { return isZero ? self : .overflow }
            let limbs = [l0, l1, l2, l3]
            let whole = k / 64, bit = UInt64(k % 64)
            func limb(_ i: Int) -> UInt64 { i >= 0 ? limbs[i] : 0 }
            var out = [UInt64](repeating: 0, count: 4)
            for i in 0..<4 {
                let high = limb(i - whole), low = limb(i - whole - 1)
                out[i] = bit == 0 ? high : (high << bit) | (low >> (64 - bit))
            }
            let r = Fixed256(out[0], out[1], out[2], out[3])
            // Exact only if shifting back gives the value again (no bit, and no sign, fell off the top).
            return r.scaled(byPowerOfTwo: -k) == self ? r : .overflow
        }
        let shift = -k
        if shift >= 256 { return isNegative ? Fixed256(.max, .max, .max, .max) : .zero }
        let limbs = [l0, l1, l2, l3]
        let fill: UInt64 = isNegative ? .max : 0
        func limb(_ i: Int) -> UInt64 { i < 4 ? limbs[i] : fill }
        let whole = shift / 64, bit = UInt64(shift % 64)
        var out = [UInt64](repeating: 0, count: 4)
        for i in 0..<4 {
            let low = limb(i + whole), high = limb(i + whole + 1)
            out[i] = bit == 0 ? low : (low >> bit) | (high << (64 - bit))
        }
        return Fixed256(out[0], out[1], out[2], out[3])
    }

    /// The value times a small integer (|n| < 2^31).
    public func times(_ n: Int) -> Fixed256 { self * Fixed256(integer: n) }

    /// The nearest double (ties to even), or NaN for an overflowed value.
    public var doubleValue: Double {
        if isOverflow { return .nan }
        let m = magnitude
        let limbs = [m.l0, m.l1, m.l2, m.l3]
        guard let top = limbs.lastIndex(where: { $0 != 0 }) else { return 0 }
        // The 64 bits starting at the highest set bit, with a sticky bit for everything below, round correctly.
        let lead = limbs[top].leadingZeroBitCount
        var window = limbs[top] << UInt64(lead)
        var sticky = false
        if top > 0 {
            if lead > 0 { window |= limbs[top - 1] >> UInt64(64 - lead) }
            let rest = lead > 0 ? limbs[top - 1] << UInt64(lead) : limbs[top - 1]
            sticky = rest != 0 || limbs[..<(top - 1)].contains { $0 != 0 }
        }
        if sticky { window |= 1 }
        let exponent = top * 64 + (63 - lead) - 63 - Self.fractionBits
        let value = Double(window) * Double(sign: .plus, exponent: exponent, significand: 1)
        return isNegative ? -value : value
    }

    /// The value rounded toward minus infinity to an integer (|result| < 2^63).
    public var floorInteger: Int { Int(Int64(bitPattern: l3)) }

    public static func < (a: Fixed256, b: Fixed256) -> Bool { (a - b).isNegative }

    /// 1/x for x > 0 by Newton's iteration y <- y(2 - xy) from the double estimate (53 -> 106 -> 212 bits);
    /// overflow when 1/x would not fit.
    public var reciprocal: Fixed256 {
        if isOverflow || isNegative || isZero { return .overflow }
        let estimate = 1 / doubleValue
        guard estimate < 0x1p62 else { return .overflow }
        var y = Fixed256(estimate)
        let two = Fixed256(integer: 2)
        for _ in 0..<3 { y = y * (two - self * y) }
        return y
    }
}
