/// The linear-phase skip (bilinear approximation, BLA) of deep gradient_basin tiles: while a pixel's delta d is small
/// against the curvature of the step, the perturbation step is d' = P d + Q conj(d) (Q = 0 for the holomorphic
/// gradient), and 2^l consecutive steps compose into one such map. docs/deep-zoom.md "The linear-phase skip" derives
/// the radii.
///
/// Entry (l, i) covers the steps i 2^l ..< (i + 1) 2^l of the reference: its map and the radius r such that, for
/// |d| < r at the block's first step, every step of the block stays linear to 2^-53 of its result and none of its
/// stopping tests (divergence, convergence) can fire.
struct GradientBasinSkipTable: Sendable {
    /// Per level, per block: P.re, P.im, Q.re, Q.im, r.
    let entries: [Double]
    /// Index of each level's first entry in `entries` (in entries of `stride` doubles).
    let starts: [Int]
    /// Steps covered: 0 ..< length (one fewer than the reference has, so a full step always follows a skip).
    let length: Int
    static let stride = 5
    /// The relative size of the neglected terms, and the margins on the stopping thresholds.
    static let linearity = 0x1p-53, margin = 0x1p-30, growth = 1 + 0x1p-20

    /// No skips (before the reference is complete).
    static let none = GradientBasinSkipTable(entries: [], starts: [0], length: 0)

    private init(entries: [Double], starts: [Int], length: Int) {
        (self.entries, self.starts, self.length) = (entries, starts, length)
    }

    init(reference: GradientBasinReference) {
        let settings = reference.settings
        let pairs = reference.pairs
        length = Swift.max(reference.step.count - 1, 0)
        let xs = Array(settings.dataX.prefix(pairs))
        var level: [Double] = []
        level.reserveCapacity(length * Self.stride)
        for j in 0..<length { level += Self.step(j, reference: reference, xs: xs) }
        var entries = level, starts = [0]
        while level.count >= 2 * Self.stride {
            starts.append(entries.count / Self.stride)
            var merged: [Double] = []
            for block in Swift.stride(from: 0, to: level.count / Self.stride - 1, by: 2) {
                merged += Self.merge(Array(level[(block * Self.stride)..<((block + 1) * Self.stride)]),
                                     then: Array(level[((block + 1) * Self.stride)..<((block + 2) * Self.stride)]))
            }
            entries += merged
            level = merged
        }
        self.entries = entries
        self.starts = starts
    }

    /// Step j's map and radius.
    private static func step(_ j: Int, reference: GradientBasinReference, xs: [Complex]) -> [Double] {
        let settings = reference.settings
        let eta = settings.learningRate
        let wirtinger = settings.gradient == .wirtinger
        var a = Complex.zero, b = Complex.zero
        var curvature = 0.0
        var reach = 0x1p-10
        for (k, x) in xs.enumerated() {
            let index = j * reference.pairs + k
            let t = reference.t[index], s = reference.s[index], e = reference.e[index]
            let size = x.magnitude, tm = t.magnitude, sm = s.magnitude, em = e.magnitude
            if wirtinger {
                a += (2 * size * size * sm * sm) * .one
                b += -4.0 * (e * (t * s * x * x).conjugate)
            } else {
                a += 2.0 * x * x * s * (s - 2.0 * e * t)
            }
            // |dg_k - linear| <= curvature_k |d|^2 while |x d| <= 2^-10, |T x d| <= 1/4 and |S x d| <= 1.
            curvature += 2 * size * size * size * sm
                * ((1.36 * tm + 0.001) * (sm + 2 * em * tm) + 1.85 * sm * (em + 2 * tm) + 2.52 * sm)
            if size > 0 { reach = Swift.min(reach, 0x1p-10 / size, 1 / (4 * tm * size), 1 / (sm * size)) }
        }
        let p = Complex.one - eta * a, q = wirtinger ? -(eta * b) : .zero
        let pm = p.magnitude, qm = q.magnitude
        let smallest = Swift.abs(pm - qm), norm = pm + qm
        let nonlinear = eta.magnitude * curvature
        // The neglected terms stay below 2^-53 of |P d + Q conj(d)| >= smallest |d|.
        let linear = nonlinear > 0 ? linearity * smallest / nonlinear : .infinity
        // Convergence cannot fire: |W_{j+1} - W_j| - |d_{j+1} - d_j| > 1e-12 max(1, |W_j + d_j|).
        let change = (p - .one).magnitude + qm + linearity * smallest
        let threshold = 1e-12 * (1 + margin)
        let room = reference.step[j].magnitude * (1 - margin) - threshold * Swift.max(1, reference.orbit[j].magnitude)
        let converging = room > 0 ? room / (change + threshold) : 0
        // Divergence cannot fire: |W_{j+1}| + |d_{j+1}| below the radius.
        let radius = settings.divergeRadius
        let next = reference.orbit[j + 1].magnitude
        let diverging = radius.isInfinite ? Double.infinity : (radius * (1 - margin) - next) / (2 * norm)
        var r = Swift.min(reach, linear, converging, diverging)
        if !(r > 0) || !p.isFinite || !q.isFinite || !next.isFinite { r = 0 }
        return [p.re, p.im, q.re, q.im, r]
    }

    /// The map of `first` then `second`, valid while |d| < r at the first's start and the first's image (at most
    /// (|P| + |Q|) |d|, with room for the neglected terms) is inside the second's radius.
    private static func merge(_ first: [Double], then second: [Double]) -> [Double] {
        let p1 = Complex(first[0], first[1]), q1 = Complex(first[2], first[3])
        let p2 = Complex(second[0], second[1]), q2 = Complex(second[2], second[3])
        let p = p2 * p1 + q2 * q1.conjugate, q = p2 * q1 + q2 * p1.conjugate
        let norm = (p1.magnitude + q1.magnitude) * growth
        var r = Swift.min(first[4], second[4] / norm)
        if !(r > 0) || !p.isFinite || !q.isFinite { r = 0 }
        return [p.re, p.im, q.re, q.im, r]
    }

    /// Level 0's radius at each step, 0 from `length` on: a column of the lane kernel's reference rows, so a lane
    /// tests in one compare whether it can skip at all.
    func firstRadius(_ j: Int) -> Double { j < length ? entries[j * Self.stride + 4] : 0 }

    /// Skips from step m as far as the table allows, at most `budget` steps: the largest aligned block whose
    /// radius holds, repeatedly. Returns the steps skipped.
    @inline(__always)
    func skip(d: inout Complex, m: inout Int, budget: Int) -> Int {
        let levels = starts.count
        var skipped = 0
        while true {
            var level = Swift.min(m == 0 ? levels - 1 : m.trailingZeroBitCount, levels - 1)
            var moved = false
            while level >= 0 {
                let span = 1 << level
                if m + span <= length && skipped + span <= budget {
                    let entry = (starts[level] + (m >> level)) * Self.stride
                    let r = entries[entry + 4]
                    if d.magnitudeSquared < r * r {
                        let p = Complex(entries[entry], entries[entry + 1]), q = Complex(entries[entry + 2], entries[entry + 3])
                        d = p * d + q * d.conjugate
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
