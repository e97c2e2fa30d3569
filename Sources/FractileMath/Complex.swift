#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A complex number in double precision; the plane every map lives on (docs/maps.md).
public struct Complex: Sendable, Hashable {
    public var re: Double
    public var im: Double

    @inlinable public init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    public static let zero = Complex(0, 0)
    public static let one = Complex(1, 0)
    public static let i = Complex(0, 1)

    @inlinable public var magnitudeSquared: Double { re * re + im * im }

    /// |z|, without overflow for large components.
    @inlinable public var magnitude: Double { hypot(re, im) }

    @inlinable public var conjugate: Complex { Complex(re, -im) }

    @inlinable public var isFinite: Bool { re.isFinite && im.isFinite }

    @inlinable public static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    @inlinable public static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    @inlinable public static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }
    @inlinable public static func * (a: Complex, b: Complex) -> Complex {
        Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
    }
    @inlinable public static func * (a: Double, b: Complex) -> Complex { Complex(a * b.re, a * b.im) }
    /// a / b by Smith's method (scaled, so |b|^2 never overflows on the way).
    @inlinable public static func / (a: Complex, b: Complex) -> Complex {
        if Swift.abs(b.re) >= Swift.abs(b.im) {
            let ratio = b.im / b.re, denominator = b.re + b.im * ratio
            return Complex((a.re + a.im * ratio) / denominator, (a.im - a.re * ratio) / denominator)
        }
        let ratio = b.re / b.im, denominator = b.re * ratio + b.im
        return Complex((a.re * ratio + a.im) / denominator, (a.im * ratio - a.re) / denominator)
    }
    @inlinable public static func += (a: inout Complex, b: Complex) { a = a + b }
    @inlinable public static func -= (a: inout Complex, b: Complex) { a = a - b }

    /// tanh, as CPython's `cmath.tanh` computes it (Kahan's form), so independent checks in Python agree
    /// to the last bit wherever libm does.
    @inlinable public static func tanh(_ z: Complex) -> Complex {
        let x = z.re, y = z.im
        if Swift.abs(x) > 708.3964185322641 {  // CM_LOG_LARGE_DOUBLE: tanh(x) is ±1 to double precision
            return Complex(copysign(1.0, x), 4.0 * sin(y) * cos(y) * exp(-2.0 * Swift.abs(x)))
        }
        let tx = Glibc.tanh(x)
        let ty = tan(y)
        let cx = 1.0 / cosh(x)
        let txty = tx * ty
        let denominator = 1.0 + txty * txty
        return Complex(tx * (1.0 + ty * ty) / denominator, ((ty / denominator) * cx) * cx)
    }
}
