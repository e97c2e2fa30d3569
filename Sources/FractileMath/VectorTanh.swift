#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lanes of pixels that the fast kernels iterate together: one pixel per lane.
///
/// Sixteen, not four: a step is one long dependency chain (the exp and sincos polynomials, two divisions, the
/// update), so four lanes (one AVX2 register) leave the core waiting on latency. SIMD16 is four independent
/// registers per operation (two with AVX-512), interleaved by LLVM: single-thread 0.45 -> 0.29 s for gradient-basin
/// 0/0/0 and 0.26 -> 0.16 s for backprop-flow with -target-cpu haswell, byte-identical (each lane still does the
/// same operations). SIMD8 was in between; SIMD32 falls off a cliff (~100x slower: no longer kept in vector
/// registers). Generic x86-64 (SSE2) builds also gain a little (gradient-basin 0.55 -> 0.51 s).
public typealias PixelLanes = SIMD16<Double>
typealias LaneBits = SIMD16<UInt64>
typealias LaneMask = SIMDMask<SIMD16<Int64>>
typealias LaneIndices = SIMD16<Int>

/// Complex tanh over lanes with one exp and one sincos per lane, for the tile kernels.
///
/// tanh(x+iy) = (sinh 2x + i sin 2y) / (cosh 2x + cos 2y). With a = |x|, e = exp(-2a), m = 1 - e = -expm1(-2a)
/// (computed without cancellation), multiplying through by 2e gives the stable form
///
///     re = sign(x) * m (2 - m) / D,   im = 4 e sin y cos y / D,   D = m^2 + 4 e cos^2 y
///
/// where D never suffers cancellation (both terms are >= 0), so it stays accurate to a few ulps right up to the
/// poles at x = 0, y = pi/2 + k pi. e <= 1 always, so nothing overflows; for a > 350 e is 0 and tanh is (±1, 0).
/// Lanes outside the polynomial's range (|y| > 2^20, non-finite input) fall back to the scalar reference, so the
/// result is a pure function of the lane's own input, whatever the other lanes hold.
enum VectorTanh {
    @inline(__always)
    static func bits(_ x: PixelLanes) -> LaneBits { unsafeBitCast(x, to: LaneBits.self) }
    @inline(__always)
    static func double(_ x: LaneBits) -> PixelLanes { unsafeBitCast(x, to: PixelLanes.self) }

    /// |x| per lane: the sign bit cleared.
    @inline(__always)
    static func abs(_ x: PixelLanes) -> PixelLanes { double(bits(x) & 0x7FFF_FFFF_FFFF_FFFF) }

    /// 1.5 * 2^52: adding it rounds a double of magnitude < 2^51 to the nearest integer, in its low mantissa bits.
    static let roundingShift = 6_755_399_441_055_744.0

    /// t = k ln2 + r with k an integer and |r| <= ln2/2, and 2^k: the argument reduction of every exp here.
    @_transparent
    static func reduced(_ t: PixelLanes) -> (k: PixelLanes, r: PixelLanes, scale: PixelLanes) {
        let ln2Hi = 6.93147180369123816490e-01, ln2Lo = 1.90821492927058770002e-10
        let shifted = t * (1 / M_LN2) + roundingShift
        let k = shifted - roundingShift
        let r = (t - k * ln2Hi) - k * ln2Lo  // |r| <= ln2/2, exact k*ln2Hi
        // 2^k from the integer k held in the low bits of `shifted`.
        let kBits = bits(shifted) &- bits(PixelLanes(repeating: roundingShift))
        return (k, r, double((kBits &+ 1023) &<< 52))
    }

    /// (exp(t), -expm1(t)) for t in [-700, 0]: both accurate to ~1 ulp.
    @inline(__always)
    static func expAndOneMinus(_ t: PixelLanes) -> (e: PixelLanes, m: PixelLanes) {
        let (k, r, scale) = reduced(t)
        // expm1(r) = r + r^2/2! + ... + r^13/13!: truncation < 2e-18 relative on |r| <= 0.347.
        var p = PixelLanes(repeating: 1.0 / 6_227_020_800)
        p = p * r + 1.0 / 479_001_600
        p = p * r + 1.0 / 39_916_800
        p = p * r + 1.0 / 3_628_800
        p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40_320
        p = p * r + 1.0 / 5_040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * (r * r) + r  // expm1(r)
        let e = (p + 1) * scale
        // k = 0: m = -expm1(r) exactly as accurate as p; otherwise e <= 0.71 and 1 - e has no cancellation.
        let m = (1 - e).replacing(with: -p, where: k .== 0)
        return (e, m)
    }

    /// For y with |y| <= 2^20: (cos^2 y, sin y cos y), each to a few ulps.
    @inline(__always)
    static func cosSquaredAndSinCos(_ y: PixelLanes) -> (cc: PixelLanes, sc: PixelLanes) {
        // pi/2 in three parts of 33 bits each (fdlibm), so n*part is exact for |n| < 2^20.
        let pio2_1 = 1.57079632673412561417e+00
        let pio2_2 = 6.07710050630396597660e-11
        let pio2_3 = 2.02226624871116645580e-21
        let shifted = y * (2 / Double.pi) + roundingShift
        let n = shifted - roundingShift
        let r = ((y - n * pio2_1) - n * pio2_2) - n * pio2_3  // |r| <= pi/4 (+ a hair)
        let z = r * r
        // fdlibm's __kernel_sin and __kernel_cos minimax coefficients on [-pi/4, pi/4].
        var s = PixelLanes(repeating: 1.58969099521155010221e-10)
        s = s * z - 2.50507602534068634195e-08
        s = s * z + 2.75573137070700676789e-06
        s = s * z - 1.98412698298579493134e-04
        s = s * z + 8.33333333332248946124e-03
        s = s * z - 1.66666666666666324348e-01
        let sinR = r + r * z * s
        var c = PixelLanes(repeating: -1.13596475577881948265e-11)
        c = c * z + 2.08757232129817482790e-09
        c = c * z - 2.75573143513906633035e-07
        c = c * z + 2.48015872894767294178e-05
        c = c * z - 1.38888888888741095749e-03
        c = c * z + 4.16666666666666019037e-02
        let hz = 0.5 * z
        let w = 1 - hz
        let cosR = w + (((1 - w) - hz) + z * z * c)
        // Quadrant n: odd quadrants swap sin and cos and flip the product's sign.
        // (Parity from doubles: SSE2 has no 64-bit integer compare, and LLVM would scalarise one.)
        let halfN = (n * 0.5 + roundingShift) - roundingShift
        let odd = halfN * 2 .!= n
        let sinCos = sinR * cosR
        return ((cosR * cosR).replacing(with: sinR * sinR, where: odd), sinCos.replacing(with: -sinCos, where: odd))
    }

    /// What tanh(x + iy) is assembled from: e = exp(-2|x|), m = 1 - e, cos^2 y, sin y cos y, per lane.
    struct Parts {
        var e: PixelLanes, m: PixelLanes, cc: PixelLanes, sc: PixelLanes
        /// x < 0: the real part's sign.
        var negative: LaneMask
        /// Lanes the polynomials cover (|y| <= 2^20, x not NaN); the others take the scalar reference.
        var inRange: LaneMask
    }

    @_transparent  // @inline(__always) was not honoured in gradient_basin's step (a call, arguments through memory)
    static func parts(re x: PixelLanes, im y: PixelLanes) -> Parts {
        let a = abs(x)
        let t = (-2 * a).replacing(with: -700, where: a .> 350)
        var (e, m) = expAndOneMinus(t)
        let far = a .> 350  // exp(-2a) < 1e-304: tanh is (±1, 0) to double precision
        e.replace(with: 0, where: far)
        m.replace(with: 1, where: far)
        let (cc, sc) = cosSquaredAndSinCos(y)
        // In range: |y| <= 2^20 and x not NaN (comparisons with NaN are false).
        let inRange = (abs(y) .<= 1_048_576.0) .& (a .<= Double.infinity)
        return Parts(e: e, m: m, cc: cc, sc: sc, negative: x .< 0, inRange: inRange)
    }

    /// The parts of tanh(2u) from those of tanh(u), without another exp or sincos: e' = e^2, m' = 1 - e^2 = m(2 - m),
    /// cos 2y = 2 cos^2 y - 1, so cos^2 2y = (2cc - 1)^2 and sin 2y cos 2y = 2 sc (2cc - 1). cos 2y carries an
    /// absolute error of an ulp or two, as the direct argument reduction of 2y does.
    @inline(__always)
    static func doubled(_ p: Parts, im y: PixelLanes) -> Parts {
        let cos2 = 2 * p.cc - 1
        return Parts(e: p.e * p.e, m: p.m * (2 - p.m), cc: cos2 * cos2, sc: 2 * p.sc * cos2,
                     negative: p.negative, inRange: p.inRange .& (abs(y) .<= 524_288.0))
    }

    /// tanh from its parts; lanes out of range are computed by the scalar reference at (x, y).
    @inline(__always)
    static func value(_ p: Parts, re x: PixelLanes, im y: PixelLanes) -> (re: PixelLanes, im: PixelLanes) {
        // Two divisions, not one reciprocal: a reciprocal's extra rounding flips a few more sensitive orbits.
        let d = p.m * p.m + 4 * p.e * p.cc
        let magnitude = p.m * (2 - p.m) / d
        var re = magnitude.replacing(with: -magnitude, where: p.negative)
        var im = 4 * p.e * p.sc / d
        if (.!p.inRange).anySet {
            for lane in 0..<PixelLanes.scalarCount where !p.inRange[lane] {
                let scalar = Complex.tanh(Complex(x[lane], y[lane]))
                re[lane] = scalar.re
                im[lane] = scalar.im
            }
        }
        return (re, im)
    }

    /// tanh of each lane's x + iy.
    @inline(__always)
    static func tanh(re x: PixelLanes, im y: PixelLanes) -> (re: PixelLanes, im: PixelLanes) {
        value(parts(re: x, im: y), re: x, im: y)
    }
}
