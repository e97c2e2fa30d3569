/// gradient_basin's perturbation loop (`GradientBasinReference.run`) over lanes: each lane carries one pixel's
/// delta against the tile's reference orbit, with the same formulas, after skipping the steps where the delta is
/// linear (`GradientBasinSkipTable`). Lanes are refilled as pixels stop, so each lane reads the reference at its own
/// step (`ReferenceTable.gather`).
///
/// A pixel whose step needs the full tanh of its delta (|u^2| >= 2^-32, u = d x_k: the pixel has left the
/// reference by far more than the Taylor series covers) stops here with `left` set, and continues as a plain double
/// orbit from its current weight in `GradientBasinLanes` (`PerturbationLanes` hands it over). By then its weight
/// differs from every neighbour's by many ulps, so double carries it as well as a double delta would; the scalar
/// loop spends three libm calls per data point per step there. A pixel of a holomorphic descent leaves sooner, once
/// |d| >= 2^-16 max(1, |w|) (`GradientBasinReference.handOver`): its rounding in double then stands for a move of its
/// start by under 1.4e-9 of a pixel, and a double step costs a third of a perturbation step.
struct GradientBasinPerturbationLanes: LaneKernel {
    let reference: GradientBasinReference
    let table: ReferenceTable
    let xs: UnsafeBufferPointer<Complex>
    /// `GradientBasinReference.mirrors`, and dt_j, ds_j of each directly computed point during a step, for its mirror.
    let mirrors: [Int]
    let deltas: UnsafeMutablePointer<(dt: LaneComplex, ds: LaneComplex)>
    let pairs: Int
    let steps: Double
    let radius: Double, radiusSquared: Double
    let wirtinger: Bool
    /// `GradientBasinReference.handOver` squared; infinity where there is none (the Wirtinger descent).
    let handOverSquared: Double
    /// W_0, the reference's length and the learning rate, out of the arrays and settings for the step loop.
    let origin: Complex
    let orbitCount: Int
    let eta: Complex
    let layout: Layout
    var d = LaneComplex(.zero), w = LaneComplex(.zero)
    /// Reference index per lane, and steps taken.
    var m = LaneIndices(repeating: 0), n = PixelLanes()
    /// The largest |s_k|^2 of the step that stopped, for the saturation test.
    var slope = PixelLanes()
    var left = LaneMask(), diverged = LaneMask(), converged = LaneMask()

    /// Where each reference quantity sits in a `ReferenceTable` row: t_k, s_k, e_k for each data point (only e_k for
    /// a point with a mirror, whose t and s are its mirror's up to sign: fewer columns to gather), then W_{m+1},
    /// W_{m+1} - W_m and the radius below which the step can be skipped.
    struct Layout {
        let t: [Int], s: [Int], e: [Int]
        let next: Int, step: Int, reach: Int
        var columns: Int { reach + 1 }

        init(mirrors: [Int]) {
            var t = [Int](), s = [Int](), e = [Int](), column = 0
            for j in mirrors {
                let shared = j >= 0
                t.append(shared ? -1 : column)
                s.append(shared ? s[j] : column + 2)
                e.append(shared ? column : column + 4)
                column += shared ? 2 : 6
            }
            (self.t, self.s, self.e) = (t, s, e)
            (next, step, reach) = (column, column + 2, column + 4)
        }
    }

    init(reference: GradientBasinReference, table: ReferenceTable, xs: UnsafeBufferPointer<Complex>,
         deltas: UnsafeMutablePointer<(dt: LaneComplex, ds: LaneComplex)>) {
        self.reference = reference
        self.table = table
        self.xs = xs
        mirrors = reference.mirrors
        self.deltas = deltas
        layout = Layout(mirrors: reference.mirrors)
        pairs = reference.pairs
        steps = Double(max(reference.settings.maxIterations, 0))
        radius = reference.settings.divergeRadius
        radiusSquared = radius * radius
        origin = reference.orbit[0]
        orbitCount = reference.orbit.count
        eta = reference.settings.learningRate
        wirtinger = reference.settings.gradient == .wirtinger
        handOverSquared = reference.handOver.map { $0 * $0 } ?? .infinity
    }

    /// The reference orbit as `ReferenceTable` rows.
    static func rows(of reference: GradientBasinReference) -> [Double] {
        var rows: [Double] = []
        rows.reserveCapacity(reference.step.count * Layout(mirrors: reference.mirrors).columns)
        for m in 0..<reference.step.count {
            for k in 0..<reference.pairs {
                let index = m * reference.pairs + k
                let values = reference.mirrors[k] >= 0
                    ? [reference.e[index]] : [reference.t[index], reference.s[index], reference.e[index]]
                for value in values { rows += [value.re, value.im] }
            }
            rows += [reference.orbit[m + 1].re, reference.orbit[m + 1].im, reference.step[m].re, reference.step[m].im,
                     reference.skips.firstRadius(m)]
        }
        return rows
    }

    mutating func load(lane: Int, at offset: Complex) {
        d[lane] = offset
        w[lane] = origin + offset
        m[lane] = 0
        n[lane] = 0
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        // A reference that diverged beyond the fixed-point range: carry on against it from its start.
        // (A reduction: a lane-wise compare and any() cost a tenth of the step.)
        if m.max() + 1 >= orbitCount {
            for lane in 0..<PixelLanes.scalarCount where m[lane] + 1 >= orbitCount {
                d[lane] = w[lane] - origin
                m[lane] = 0
            }
        }
        table.gather(m)
        // Lanes whose delta is within the linear radius of their step skip ahead first (GradientBasinSkipTable);
        // the full step below then decides the stopping tests as always.
        let reach = table.real(layout.reach)
        let near = d.magnitudeSquared .< reach * reach
        if near.anySet {
            for lane in 0..<PixelLanes.scalarCount where near[lane] {
                var delta = d[lane], index = m[lane]
                let skipped = reference.skips.skip(d: &delta, m: &index, budget: Int(steps - n[lane]) - 1)
                d[lane] = delta
                m[lane] = index
                n[lane] += Double(skipped)
                w[lane] = reference.orbit[index] + delta
                table.gather(lane: lane, row: index)
            }
        }
        // Far enough from the reference, a pixel goes on in double (`GradientBasinReference.handOver`).
        let wSquared = w.magnitudeSquared
        let atLeastOne = wSquared.replacing(with: 1, where: .!(wSquared .>= 1))
        var leaving = d.magnitudeSquared .>= handOverSquared * atLeastOne
        var dg = LaneComplex(.zero)
        var largest = PixelLanes()
        for k in 0..<pairs {
            let x = xs[k]
            let sk = table.complex(layout.s[k])
            let dt: LaneComplex, ds: LaneComplex
            if mirrors[k] >= 0 {
                // x_k = -x_j: dt_k = -dt_j and ds_k = ds_j bit for bit, and so are leaving and the slope.
                let shared = deltas[mirrors[k]]
                (dt, ds) = (-shared.dt, shared.ds)
            } else {
                let tk = table.complex(layout.t[k])
                let u = d * LaneComplex(x)
                let linear = u.magnitudeSquared * (1 + tk.magnitudeSquared) .< 0x1p-120
                var full = u * sk
                if !linear.allSet {
                    let (tau, outside) = LaneComplex.deltaTanhSeries(u)
                    leaving .|= outside .& .!linear
                    full = full.replacing(with: tau * sk / (LaneComplex(.one) + tk * tau), where: .!linear)
                }
                dt = full
                ds = -(dt * (2.0 * tk + dt))
                deltas[k] = (dt, ds)
                let slopeK = (sk + ds).magnitudeSquared
                largest = largest.replacing(with: slopeK, where: slopeK .>= largest)
            }
            let ek = table.complex(layout.e[k]) + dt
            if wirtinger {
                dg = dg + 2.0 * (dt * (LaneComplex(x) * sk).conjugate + ek * (LaneComplex(x) * ds).conjugate)
            } else {
                dg = dg + LaneComplex(2.0 * x) * (dt * sk + ek * ds)
            }
        }
        let nextDelta = d - LaneComplex(eta) * dg
        let next = table.complex(layout.next) + nextDelta
        let nextSquared = next.magnitudeSquared
        var divergedNow = .!next.isFinite .| (nextSquared .> radiusSquared)
        if !radiusSquared.isFinite {
            for lane in 0..<PixelLanes.scalarCount where nextSquared[lane].isInfinite {
                divergedNow[lane] = divergedNow[lane] || next[lane].magnitude > radius
            }
        }
        let change = (table.complex(layout.step) + (nextDelta - d)).magnitudeSquared
        let convergedNow = .!divergedNow .& (change .<= 1e-24 * atLeastOne)
        n += 1
        // A pixel that left the reference stops before this step, for the double kernel to take.
        left = leaving
        diverged = divergedNow
        converged = convergedNow
        slope = largest
        w = next.replacing(with: w, where: leaving)
        d = nextDelta
        n = n.replacing(with: n - 1, where: leaving)
        m &+= 1
        return leaving .| divergedNow .| convergedNow .| (n .== steps)
    }

    func outcome(lane: Int) -> PixelOutcome {
        let value = w[lane]
        var result: PixelOutcome
        if diverged[lane] {
            result = PixelOutcome(regime: .diverged, iterations: Int(n[lane]), finalValue: value)
        } else if converged[lane] {
            result = PixelOutcome(regime: slope[lane] < 1e-18 ? .saturated : .converged, iterations: Int(n[lane]),
                                  finalValue: value)
        } else {
            result = PixelOutcome(regime: .undecided, iterations: Int(steps), finalValue: value)
        }
        if result.regime == .converged { result.loss = reference.settings.loss(at: value) }  // as GradientBasinLanes
        return result
    }
}


extension GradientBasinLanes {
    /// Continues in `lane` a run that is at weight w after `steps` steps.
    mutating func resume(lane: Int, at w: Complex, after steps: Int) {
        wr[lane] = w.re
        wi[lane] = w.im
        n[lane] = Double(steps)
    }
}
