/// gradient_basin over lanes (docs/maps.md "gradient_basin"), the same steps as `GradientBasinSettings.run` with
/// `VectorTanh` for tanh and squared magnitudes against squared thresholds. The saturation test and the loss run
/// once per pixel, through the reference, and the loss only for converged runs (the only ones a tile colours by it).
///
/// A data point x_k = -x_j (the shipped data are symmetric) needs no tanh of its own: w*x_k is exactly -(w*x_j) and
/// `VectorTanh` is exactly odd, so t_k = -t_j bit for bit. One with x_k = 2 x_j (the shipped data: 1 = 2 * 0.5)
/// takes its tanh from the doubled parts of t_j's (`VectorTanh.doubled`: no exp or sincos of its own). So the
/// shipped data cost one exp and one sincos per step instead of four. Their gradient terms are summed as one: with
/// t_k = -t_j and s_k = s_j, 2 e_j x_j s_j + 2 e_k x_k s_k = 2 x_j s_j (2 t_j + y_k - y_j) (and the same under the
/// Wirtinger conjugations): 12% less CPU for a shallow tile, at the price of last-bit changes (tileFormatVersion 5).
struct GradientBasinLanes: LaneKernel {
    let settings: GradientBasinSettings
    let xs: UnsafeBufferPointer<Complex>
    let ys: UnsafeBufferPointer<Complex>
    let count: Int
    let steps: Int
    let radiusSquared: Double
    let wirtinger: Bool
    /// mirror[k] = j < k with x_j = -x_k exactly, or -1; tanhs[j] keeps t_j and s_j for it during a step.
    let mirror: UnsafeMutablePointer<Int>
    let tanhs: UnsafeMutablePointer<TanhAndSlope>
    typealias TanhAndSlope = (re: PixelLanes, im: PixelLanes, sRe: PixelLanes, sIm: PixelLanes)
    /// For each k that is not a mirror: the j whose tanh parts double into t_k (x_k = 2 x_j exactly, j not
    /// itself doubled), or -1; and the order to evaluate them in (halves before their doubles).
    let halves: [Int]
    let order: [Int]
    /// partnerY[j] = y_k - y_j for the first k that mirrors j (k is then `paired`: its gradient term is summed with
    /// j's), or nil.
    let partnerY: [Complex?]
    let paired: [Bool]
    /// Whether some point doubles from k's parts: only those are kept (a store of six vectors per point and step).
    let isHalf: [Bool]

    var wr = PixelLanes(), wi = PixelLanes()
    /// w_n of the step that stopped: the saturation test looks at s_k there.
    var previousRe = PixelLanes(), previousIm = PixelLanes()
    /// max_k |s_k|^2 at w_n from `VectorTanh`, set in the lanes that converged: it decides the saturation test
    /// unless it is within `slopeMargin` of the threshold, where libm's slope does.
    var slopeSquared = PixelLanes()
    var n = PixelLanes()
    var diverged = LaneMask(), converged = LaneMask()

    init(settings: GradientBasinSettings, xs: UnsafeBufferPointer<Complex>, ys: UnsafeBufferPointer<Complex>,
         mirror: UnsafeMutablePointer<Int>, tanhs: UnsafeMutablePointer<TanhAndSlope>,
         parts: UnsafeMutablePointer<VectorTanh.Parts>) {
        self.settings = settings
        self.xs = xs
        self.ys = ys
        count = min(xs.count, ys.count)
        steps = max(settings.maxIterations, 0)
        radiusSquared = settings.divergeRadius * settings.divergeRadius
        wirtinger = settings.gradient == .wirtinger
        self.mirror = mirror
        self.tanhs = tanhs
        var direct: [Int] = []
        for k in 0..<count {
            mirror[k] = (0..<k).first { xs[$0].re == -xs[k].re && xs[$0].im == -xs[k].im && mirror[$0] < 0 } ?? -1
            if mirror[k] < 0 { direct.append(k) }
        }
        // Pair doubles with halves among the directly evaluated points; a half is never itself a double.
        var halves = [Int](repeating: -1, count: count)
        var isHalf = Set<Int>()
        for k in direct {
            if let j = direct.first(where: { $0 != k && xs[$0].re * 2 == xs[k].re && xs[$0].im * 2 == xs[k].im
                                             && halves[$0] < 0 && !isHalf.contains(k) }) {
                halves[k] = j
                isHalf.insert(j)
            }
        }
        self.halves = halves
        var partnerY = [Complex?](repeating: nil, count: count), paired = [Bool](repeating: false, count: count)
        for k in 0..<count where mirror[k] >= 0 && partnerY[mirror[k]] == nil {
            partnerY[mirror[k]] = ys[k] - ys[mirror[k]]
            paired[k] = true
        }
        (self.partnerY, self.paired) = (partnerY, paired)
        self.isHalf = (0..<count).map { isHalf.contains($0) }
        order = direct.filter { halves[$0] < 0 } + direct.filter { halves[$0] >= 0 }
        self.parts = parts
    }

    /// Each directly evaluated point's tanh parts during a step, for its double.
    let parts: UnsafeMutablePointer<VectorTanh.Parts>

    /// A kernel for `settings` with its scratch buffers, valid inside `body` only.
    static func with<Result>(settings: GradientBasinSettings, _ body: (GradientBasinLanes) -> Result) -> Result {
        let count = min(settings.dataX.count, settings.dataY.count)
        return settings.dataX.withUnsafeBufferPointer { xs in
            settings.dataY.withUnsafeBufferPointer { ys in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { mirror in
                    withUnsafeTemporaryAllocation(of: TanhAndSlope.self, capacity: count) { tanhs in
                        withUnsafeTemporaryAllocation(of: VectorTanh.Parts.self, capacity: count) { parts in
                            body(GradientBasinLanes(
                                settings: settings, xs: xs, ys: ys, mirror: mirror.baseAddress!, tanhs: tanhs.baseAddress!,
                                parts: parts.baseAddress!))
                        }
                    }
                }
            }
        }
    }

    mutating func load(lane: Int, at p: Complex) {
        wr[lane] = p.re; wi[lane] = p.im
        n[lane] = 0
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        var gr = PixelLanes(), gi = PixelLanes()
        for k in order {
            let x = xs[k]
            let ur = wr * x.re - wi * x.im, ui = wr * x.im + wi * x.re
            let p = halves[k] >= 0 ? VectorTanh.doubled(parts[halves[k]], im: ui * 0.5) : VectorTanh.parts(re: ur, im: ui)
            if isHalf[k] { parts[k] = p }
            let (tr, ti) = VectorTanh.value(p, re: ur, im: ui)
            // s_k = 1 - t_k^2, also s of k's mirror: (-t)^2 = t^2 and -2 (-tr) (-ti) = -2 tr ti bit for bit.
            tanhs[k] = (tr, ti, 1 - tr * tr + ti * ti, -2 * tr * ti)
        }
        for k in 0..<count where !paired[k] {
            let x = xs[k], y = ys[k]
            let tr: PixelLanes, ti: PixelLanes, sr: PixelLanes, si: PixelLanes
            if mirror[k] >= 0 {
                let t = tanhs[mirror[k]]
                (tr, ti, sr, si) = (-t.re, -t.im, t.sRe, t.sIm)
            } else {
                (tr, ti, sr, si) = tanhs[k]
            }
            // 2 e_k, e_k = t_k - y_k. With a partner p (x_p = -x_k, so t_p = -t_k and s_p = s_k) the two terms are
            // one, with e = 2 t_k + y_p - y_k.
            let er: PixelLanes, ei: PixelLanes
            if let c = partnerY[k] {
                (er, ei) = (2 * (2 * tr + c.re), 2 * (2 * ti + c.im))
            } else {
                (er, ei) = (2 * (tr - y.re), 2 * (ti - y.im))
            }
            if wirtinger {
                // 2 e_k * conj(x_k * s_k)
                let qr = x.re * sr - x.im * si, qi = -(x.re * si + x.im * sr)
                gr += er * qr - ei * qi
                gi += er * qi + ei * qr
            } else {
                // (2 e_k * x_k) * s_k
                let ar = er * x.re - ei * x.im, ai = er * x.im + ei * x.re
                gr += ar * sr - ai * si
                gi += ar * si + ai * sr
            }
        }
        let eta = settings.learningRate
        let nr = wr - (eta.re * gr - eta.im * gi)
        let ni = wi - (eta.re * gi + eta.im * gr)
        let stepRe = nr - wr, stepIm = ni - wi
        let wSquared = wr * wr + wi * wi
        diverged = .!(nr * nr + ni * ni .<= radiusSquared)
        converged = stepRe * stepRe + stepIm * stepIm .<= 1e-24 * wSquared.replacing(with: 1, where: wSquared .< 1)
        if converged.anySet {
            // The saturation test's slope at w_n from this step's tanhs (mirrors share s_k).
            var largest = PixelLanes()
            for k in 0..<count where mirror[k] < 0 {
                let slope = tanhs[k].sRe * tanhs[k].sRe + tanhs[k].sIm * tanhs[k].sIm
                largest = largest.replacing(with: slope, where: .!(largest .>= slope))  // NaN goes to libm
            }
            slopeSquared = largest
        }
        previousRe = wr
        previousIm = wi
        wr = nr
        wi = ni
        n += 1
        return diverged .| converged .| (n .== Double(steps))
    }

    func outcome(lane: Int) -> PixelOutcome {
        let w = Complex(wr[lane], wi[lane])
        let iterations = Int(n[lane])
        var result: PixelOutcome
        if diverged[lane] {
            result = PixelOutcome(regime: .diverged, iterations: iterations, finalValue: w)
        } else if converged[lane] {
            result = PixelOutcome(regime: saturated(lane: lane) ? .saturated : .converged, iterations: iterations,
                                  finalValue: w)
        } else {
            result = PixelOutcome(regime: .undecided, iterations: steps, finalValue: w)
        }
        // Tiles colour only a converged run by its loss: four libm tanhs per pixel (a tenth of a deep tile) saved
        // for the others.
        if result.regime == .converged { result.loss = settings.loss(at: w) }
        return result
    }

    /// `GradientBasinSettings.run`'s saturation test, largestSlope(w_n) < 1e-9: `VectorTanh`'s t_k is within a
    /// few ulps of libm's, so its s_k = 1 - t_k^2 within ~1e-15 wherever |s_k| is near 1e-9 (|t_k| near 1); a
    /// margin of 1e-12 decides the test without libm's four tanh, tan and cosh calls for all but a sliver of pixels.
    @inline(__always)
    func saturated(lane: Int) -> Bool {
        let (below, above) = (1e-9 - Self.slopeMargin, 1e-9 + Self.slopeMargin)
        if slopeSquared[lane] < below * below { return true }
        if slopeSquared[lane] > above * above { return false }
        return settings.largestSlope(at: Complex(previousRe[lane], previousIm[lane])) < 1e-9
    }

    static let slopeMargin = 1e-12
}
