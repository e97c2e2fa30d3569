#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The linear-phase skip (bilinear approximation, BLA) of deep gradient_basin tiles, beyond first order: while a
/// pixel's delta d is small against the curvature of the step, the perturbation step is
/// d' = P d + Q conj(d) + A d^2 + B d conj(d) + C conj(d)^2 (Wirtinger, to second order) or P d + A d^2 + G d^3
/// (holomorphic, to third order), and 2^l consecutive steps compose into one such map. docs/deep-zoom.md "The
/// linear-phase skip" derives the radii.
///
/// Entry (l, i) covers the steps i 2^l ..< (i + 1) 2^l of the reference: its map and the radius r such that, for
/// |d| < r at the block's first step, every step of the block is its map to `linearity` of its result and none of
/// its stopping tests (divergence, convergence) can fire.
struct GradientBasinSkipTable: Sendable {
    /// Per level, per block: P, Q, A, B, C, G (re, im each), r.
    let entries: [Double]
    /// Index of each level's first entry in `entries` (in entries of `stride` doubles).
    let starts: [Int]
    /// Steps covered: 0 ..< length (one fewer than the reference has, so a full step always follows a skip).
    let length: Int
    /// The ladder: entry k maps step 0 to step k + 1 in one go (the aligned blocks of 0 ..< k + 1, composed), with
    /// its radius lowered to the least radius of the entries before it. Every pixel starts at step 0, and one
    /// binary search on the ladder replaces the block-by-block descent that was a quarter of its perturbation work.
    let ladder: [Double]
    static let stride = 13
    /// The margins on the stopping thresholds.
    static let margin = 0x1p-30, growth = 1 + 0x1p-20

    /// The relative size of the neglected terms. 2^-53 (a full step's own rounding) for the Wirtinger descent; 2^-40
    /// for the holomorphic one, whose delta is a conformal image of the pixel's offset: an error of 2^-40 of the
    /// delta is a move of the start by 2^-40 of the offset, under 2e-10 of a pixel, below what handing the pixel
    /// over to double costs (docs/deep-zoom.md "Leaving the reference early").
    static func linearity(wirtinger: Bool) -> Double { wirtinger ? 0x1p-53 : 0x1p-40 }

    /// No skips (before the reference is complete).
    static let none = GradientBasinSkipTable(entries: [], starts: [0], length: 0, ladder: [])

    private init(entries: [Double], starts: [Int], length: Int, ladder: [Double]) {
        (self.entries, self.starts, self.length, self.ladder) = (entries, starts, length, ladder)
    }

    init(reference: GradientBasinReference) {
        let settings = reference.settings
        let pairs = reference.pairs
        length = Swift.max(reference.step.count - 1, 0)
        let xs = Array(settings.dataX.prefix(pairs))
        let wirtinger = settings.gradient == .wirtinger
        var level: [Double] = []
        level.reserveCapacity(length * Self.stride)
        for j in 0..<length { level += Self.step(j, reference: reference, xs: xs) }
        var entries = level, starts = [0]
        while level.count >= 2 * Self.stride {
            starts.append(entries.count / Self.stride)
            var merged: [Double] = []
            for block in Swift.stride(from: 0, to: level.count / Self.stride - 1, by: 2) {
                let first = Map(level, at: block * Self.stride), second = Map(level, at: (block + 1) * Self.stride)
                merged += Self.merge(first, then: second, wirtinger: wirtinger)
            }
            entries += merged
            level = merged
        }
        self.entries = entries
        self.starts = starts
        // Rung k: the blocks of k + 1's binary digits from the top (those `skip` takes from 0 when every radius
        // holds), merged in order; rungs whose radius is 0 end the ladder.
        var ladder: [Double] = []
        var least = Double.infinity
        for end in 1...Swift.max(length, 1) where end <= length {
            var composed: Map?
            var start = 0
            for level in Swift.stride(from: starts.count - 1, through: 0, by: -1) where end & (1 << level) != 0 {
                let block = Map(entries, at: (starts[level] + (start >> level)) * Self.stride)
                composed = composed.map { Map(Self.merge($0, then: block, wirtinger: wirtinger), at: 0) } ?? block
                start += 1 << level
            }
            guard var rung = composed, rung.r > 0 else { break }
            least = Swift.min(least, rung.r)
            rung.r = least
            ladder += rung.entry
        }
        self.ladder = ladder
    }

    /// One entry: the map d -> P d + Q conj(d) + A d^2 + B d conj(d) + C conj(d)^2 + G d^3 and its radius.
    struct Map {
        var p: Complex, q: Complex, a: Complex, b: Complex, c: Complex, g: Complex, r: Double

        init(p: Complex, q: Complex, a: Complex, b: Complex, c: Complex, g: Complex, r: Double) {
            (self.p, self.q, self.a, self.b, self.c, self.g, self.r) = (p, q, a, b, c, g, r)
        }

        @inline(__always)
        init(_ entries: UnsafePointer<Double>) {
            p = Complex(entries[0], entries[1])
            q = Complex(entries[2], entries[3])
            a = Complex(entries[4], entries[5])
            b = Complex(entries[6], entries[7])
            c = Complex(entries[8], entries[9])
            g = Complex(entries[10], entries[11])
            r = entries[12]
        }

        init(_ entries: [Double], at index: Int) {
            self = entries.withUnsafeBufferPointer { Map($0.baseAddress! + index) }
        }

        /// The entry's doubles, with radius 0 where any part is not finite.
        var entry: [Double] {
            let finite = p.isFinite && q.isFinite && a.isFinite && b.isFinite && c.isFinite && g.isFinite && r > 0
            return [p.re, p.im, q.re, q.im, a.re, a.im, b.re, b.im, c.re, c.im, g.re, g.im, finite ? r : 0]
        }

        /// |P| + |Q|: the most the linear part stretches a vector; ||P| - |Q||: the least.
        var norm: Double { p.magnitude + q.magnitude }
        var smallest: Double { Swift.abs(p.magnitude - q.magnitude) }
        /// |A| + |B| + |C|: |quadratic part| <= curvature |d|^2.
        var curvature: Double { a.magnitude + b.magnitude + c.magnitude }
        /// Only d terms (the holomorphic gradient's maps): a cubic term composes as one.
        var isHolomorphic: Bool { q == .zero && b == .zero && c == .zero }

        @inline(__always)
        func callAsFunction(_ d: Complex) -> Complex {
            let e = d.conjugate
            return p * d + q * e + ((a + g * d) * d + b * e) * d + c * e * e
        }
    }

    /// Data point x's term of g'(w) for the holomorphic gradient, 2 x^2 s (s - 2 e t): the step's stretch is
    /// 1 - eta sum_k of these.
    @inline(__always)
    static func slopeTerm(x: Complex, t: Complex, s: Complex, e: Complex) -> Complex {
        2.0 * x * x * s * (s - 2.0 * e * t)
    }

    /// Step j's map and radius.
    private static func step(_ j: Int, reference: GradientBasinReference, xs: [Complex]) -> [Double] {
        let settings = reference.settings
        let eta = settings.learningRate
        let wirtinger = settings.gradient == .wirtinger
        var a = Complex.zero, b = Complex.zero
        // The quadratic terms of the gradient's change (docs/deep-zoom.md): d^2, d conj(d), conj(d)^2.
        var dd = Complex.zero, dc = Complex.zero, cc = Complex.zero
        // And the holomorphic gradient's cubic term, d^3.
        var ddd = Complex.zero
        var curvature = 0.0
        var reach = 0x1p-6
        let linearity = Self.linearity(wirtinger: wirtinger)
        for (k, x) in xs.enumerated() {
            let index = j * reference.pairs + k
            let t = reference.t[index], s = reference.s[index], e = reference.e[index]
            let size = x.magnitude, tm = t.magnitude, sm = s.magnitude, em = e.magnitude
            if wirtinger {
                let weight = 2 * size * size * sm * sm
                a += weight * .one
                b += -4.0 * (e * (t * s * x * x).conjugate)
                dd += -weight * (t * x)
                dc += -2 * weight * (t * x).conjugate
                cc += 2.0 * e * (s * (2.0 * t * t - s) * x * x * x).conjugate
            } else {
                a += Self.slopeTerm(x: x, t: t, s: s, e: e)
                dd += 2.0 * x * x * x * s * (e * (2.0 * t * t - s) - 3.0 * s * t)
                ddd += 2.0 * x * x * x * x * (s * (t * t - Complex(1.0 / 3)) * (s - 2.0 * e * t)
                                              + 2.0 * s * s * t * (e + 2.0 * t) - s * s * s)
            }
            // |dg_k - linear| <= curvature_k |d|^2 while |x d| <= 2^-6, |T x d| <= 1/4 and |S x d| <= 1.
            curvature += 2 * size * size * size * sm
                * ((1.36 * tm + 0.0072) * (sm + 2 * em * tm) + 1.85 * sm * (em + 2 * tm) + 2.52 * sm)
            if size > 0 { reach = Swift.min(reach, 0x1p-6 / size, 1 / (4 * tm * size), 1 / (sm * size)) }
        }
        var map = Map(p: .one - eta * a, q: wirtinger ? -(eta * b) : .zero,
                      a: -(eta * dd), b: -(eta * dc), c: -(eta * cc), g: -(eta * ddd), r: 0)
        let smallest = map.smallest, norm = map.norm
        // The step is analytic in d and conj(d) on the polydisc of radius reach, where its part beyond the linear
        // one is at most K reach^2: by Cauchy's estimates its terms of degree 3 and more are at most
        // 6 K |d|^3 / reach for |d| <= reach / 4, and (holomorphic: one variable) those of degree 4 and more at most
        // 4/3 K |d|^4 / reach^2. They stay below linearity / 2 of the map's result (>= smallest |d| / 2 while
        // (curvature + |G| |d|) |d| <= smallest / 2).
        let nonlinear = eta.magnitude * curvature
        let bound = linearity / 2 * smallest
        let beyond = nonlinear > 0
            ? wirtinger ? (bound * reach / (6 * nonlinear)).squareRoot() : cbrt(bound * reach * reach * 0.75 / nonlinear)
            : Double.infinity
        var tentative = Swift.min(reach / 4, beyond), tries = 0
        while (map.curvature + map.g.magnitude * tentative) * tentative > smallest / 2 && tries < 600 {
            tentative *= 0.9
            tries += 1
        }
        if (map.curvature + map.g.magnitude * tentative) * tentative > smallest / 2 { tentative = 0 }
        // |d_{j+1} - d_j| <= change |d| and |d_{j+1}| <= stretch |d| for |d| <= tentative.
        let higher = (map.curvature + map.g.magnitude * tentative) * tentative
        let change = (map.p - .one).magnitude + map.q.magnitude + higher + linearity * smallest
        let stretch = norm + higher
        // Convergence cannot fire: |W_{j+1} - W_j| - |d_{j+1} - d_j| > 1e-12 max(1, |W_j + d_j|).
        let threshold = 1e-12 * (1 + margin)
        let room = reference.step[j].magnitude * (1 - margin) - threshold * Swift.max(1, reference.orbit[j].magnitude)
        let converging = room > 0 ? room / (change + threshold) : 0
        // Divergence cannot fire: |W_{j+1}| + |d_{j+1}| below the radius.
        let radius = settings.divergeRadius
        let next = reference.orbit[j + 1].magnitude
        let diverging = radius.isInfinite ? Double.infinity : (radius * (1 - margin) - next) / (2 * stretch)
        map.r = next.isFinite ? Swift.min(tentative, converging, diverging) : 0
        return map.entry
    }

    /// The map of `first` then `second` (to third order where both are holomorphic, else to second), valid while
    /// |d| < r at the first's start: the first's image (at most norm r + curvature r^2 + |G| r^3) is inside the
    /// second's radius, and the terms of higher degree that the composition drops stay below linearity / 2 of the
    /// result.
    private static func merge(_ first: Map, then second: Map, wirtinger: Bool) -> [Double] {
        let (p1, q1, a1, b1, c1, g1) = (first.p, first.q, first.a, first.b, first.c, first.g)
        let (p2, q2, a2, b2, c2, g2) = (second.p, second.q, second.a, second.b, second.c, second.g)
        let pq = p1 * q1.conjugate, both = p1.magnitudeSquared + q1.magnitudeSquared
        let holomorphic = first.isHolomorphic && second.isHolomorphic
        var map = Map(
            p: p2 * p1 + q2 * q1.conjugate,
            q: p2 * q1 + q2 * p1.conjugate,
            a: p2 * a1 + q2 * c1.conjugate + a2 * p1 * p1 + b2 * pq + c2 * q1.conjugate * q1.conjugate,
            b: p2 * b1 + q2 * b1.conjugate + 2.0 * a2 * p1 * q1 + both * b2 + 2.0 * c2 * (p1 * q1).conjugate,
            c: p2 * c1 + q2 * a1.conjugate + a2 * q1 * q1 + b2 * pq.conjugate + c2 * p1.conjugate * p1.conjugate,
            g: holomorphic ? p2 * g1 + 2.0 * a2 * p1 * a1 + g2 * p1 * p1 * p1 : .zero,
            r: 0)
        let n1 = first.norm, m1 = first.curvature, m2 = second.curvature, h1 = g1.magnitude, h2 = g2.magnitude
        let inner = second.r / growth
        let bound = Self.linearity(wirtinger: wirtinger) / 4 * map.smallest
        // Dropped, with nu >= |d1 - P1 d - Q1 conj(d)|: second order drops at most m2 (2 n1 nu r + nu^2) (nu from
        // the quadratic part); third order drops |A2| (2 n1 |G1| r^4 + nu^2) + 3 |G2| nu (n1 r + nu)^2.
        func fits(_ r: Double) -> Bool {
            let nu = (m1 + h1 * r) * r * r
            guard n1 * r + nu <= inner else { return false }
            let dropped = holomorphic
                ? a2.magnitude * (2 * n1 * h1 * r * r * r * r + nu * nu) + 3 * h2 * nu * (n1 * r + nu) * (n1 * r + nu)
                : m2 * (2 * n1 * nu * r + nu * nu)
            return dropped <= 2 * bound * r
        }
        var r = first.r, tries = 0
        while r > 0 && !fits(r) && tries < 600 {
            r *= 0.95
            tries += 1
        }
        map.r = fits(r) ? r : 0
        return map.entry
    }

    /// From step 0, the highest rung of the ladder whose radius holds and that stays within `budget`: its steps
    /// skipped (d and m moved on), or 0.
    @inline(__always)
    private func climb(d: inout Complex, m: inout Int, budget: Int) -> Int {
        let rungs = Swift.min(ladder.count / Self.stride, budget)
        let size = d.magnitudeSquared
        // Radii never grow up the ladder: the rungs that hold are 0 ..< low.
        var low = 0, high = rungs
        while low < high {
            let middle = (low + high) / 2
            let r = ladder[middle * Self.stride + 12]
            if size < r * r { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return 0 }
        d = ladder.withUnsafeBufferPointer { Map($0.baseAddress! + (low - 1) * Self.stride) }(d)
        m = low
        return low
    }

    /// Level 0's radius at each step, 0 from `length` on: a column of the lane kernel's reference rows, so a lane
    /// tests in one compare whether it can skip at all.
    func firstRadius(_ j: Int) -> Double { j < length ? entries[j * Self.stride + 12] : 0 }

    /// Skips from step m as far as the table allows, at most `budget` steps: the largest aligned block whose
    /// radius holds, repeatedly. Returns the steps skipped.
    @inline(__always)
    func skip(d: inout Complex, m: inout Int, budget: Int) -> Int {
        let levels = starts.count
        var skipped = 0
        if m == 0 { skipped = climb(d: &d, m: &m, budget: budget) }
        while true {
            var level = Swift.min(m == 0 ? levels - 1 : m.trailingZeroBitCount, levels - 1)
            var moved = false
            while level >= 0 {
                let span = 1 << level
                if m + span <= length && skipped + span <= budget {
                    let entry = (starts[level] + (m >> level)) * Self.stride
                    let r = entries[entry + 12]
                    if d.magnitudeSquared < r * r {
                        d = entries.withUnsafeBufferPointer { Map($0.baseAddress! + entry) }(d)
                        m += span
                        skipped += span
                        moved = true
                        break
                    }
                }
                level -= 1
            }
            if !moved { return skipped }
        }
    }
}
