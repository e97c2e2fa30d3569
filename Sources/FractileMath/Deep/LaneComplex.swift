/// A complex number per lane, with exactly the operations of `Complex` (same formulas, same order, same Smith
/// division), so a perturbation step computed over lanes is bit for bit the scalar step in every lane.
struct LaneComplex {
    var re: PixelLanes
    var im: PixelLanes

    @inline(__always) init(re: PixelLanes, im: PixelLanes) {
        self.re = re
        self.im = im
    }

    /// The same value in every lane.
    @inline(__always) init(_ value: Complex) {
        re = PixelLanes(repeating: value.re)
        im = PixelLanes(repeating: value.im)
    }

    @inline(__always) var magnitudeSquared: PixelLanes { re * re + im * im }
    @inline(__always) var conjugate: LaneComplex { LaneComplex(re: re, im: -im) }
    /// Both parts finite (x - x is 0 exactly for finite x, NaN for infinities and NaN).
    @inline(__always) var isFinite: LaneMask { (re - re .== 0) .& (im - im .== 0) }

    @inline(__always) static func + (a: LaneComplex, b: LaneComplex) -> LaneComplex {
        LaneComplex(re: a.re + b.re, im: a.im + b.im)
    }
    @inline(__always) static func - (a: LaneComplex, b: LaneComplex) -> LaneComplex {
        LaneComplex(re: a.re - b.re, im: a.im - b.im)
    }
    @inline(__always) static prefix func - (a: LaneComplex) -> LaneComplex { LaneComplex(re: -a.re, im: -a.im) }
    @inline(__always) static func * (a: LaneComplex, b: LaneComplex) -> LaneComplex {
        LaneComplex(re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re)
    }
    @inline(__always) static func * (a: Double, b: LaneComplex) -> LaneComplex { LaneComplex(re: a * b.re, im: a * b.im) }
    /// `Complex./`: both of Smith's branches, each lane taking the one the scalar code takes.
    @inline(__always) static func / (a: LaneComplex, b: LaneComplex) -> LaneComplex {
        let first = VectorTanh.abs(b.re) .>= VectorTanh.abs(b.im)
        let ratio1 = b.im / b.re, denominator1 = b.re + b.im * ratio1
        if first.allSet {
            // The usual case in perturbation (b = 1 + T tanh(du) is near 1): half the divisions.
            return LaneComplex(re: (a.re + a.im * ratio1) / denominator1, im: (a.im - a.re * ratio1) / denominator1)
        }
        let ratio2 = b.re / b.im, denominator2 = b.re * ratio2 + b.im
        let re1 = (a.re + a.im * ratio1) / denominator1, im1 = (a.im - a.re * ratio1) / denominator1
        let re2 = (a.re * ratio2 + a.im) / denominator2, im2 = (a.im * ratio2 - a.re) / denominator2
        return LaneComplex(re: re2.replacing(with: re1, where: first), im: im2.replacing(with: im1, where: first))
    }

    /// Lanes of `other` where `mask` is set.
    @inline(__always) func replacing(with other: LaneComplex, where mask: LaneMask) -> LaneComplex {
        LaneComplex(re: re.replacing(with: other.re, where: mask), im: im.replacing(with: other.im, where: mask))
    }

    /// `Complex.deltaTanh`'s series for the lanes where it applies (|u^2|^2 < 2^-32); `outside` marks the others,
    /// whose value here is meaningless.
    @inline(__always) static func deltaTanhSeries(_ u: LaneComplex) -> (value: LaneComplex, outside: LaneMask) {
        let u2 = u * u
        let outside = .!(u2.re * u2.re + u2.im * u2.im .< 0x1p-32)
        var series = LaneComplex(Complex(-17.0 / 315.0)) * u2 + LaneComplex(Complex(2.0 / 15.0))
        series = series * u2 + LaneComplex(Complex(-1.0 / 3.0))
        series = series * u2
        return (u + u * series, outside)
    }

    /// Lane `lane` as a scalar.
    @inline(__always) subscript(lane: Int) -> Complex {
        get { Complex(re[lane], im[lane]) }
        set {
            re[lane] = newValue.re
            im[lane] = newValue.im
        }
    }
}
