#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// forward_pass's perturbation loop (`ForwardPassReference.run`) over lanes: each lane carries one pixel's delta
/// against the tile's reference orbit (or, after a saturated step, the orbit from +-1) with the same operations in
/// the same order (the Lyapunov terms too: the reference's log where the step is linear, `LogProduct`'s product and
/// exponent split otherwise). A pixel starts past the steps `ForwardPassSeriesSkip` lets it skip, which the scalar
/// loop takes one by one, so the two agree to the rounding of those steps, not bit for bit. Lanes are refilled as
/// pixels stop and read their orbit's row at their own step (`ForwardPassRows.gather`).
///
/// A pixel whose step needs the full tanh of its delta (|du^2| >= 2^-16) has parted from the reference: it stops
/// here before that step, and goes on in `ForwardPassPartedLanes` (so no lane group here mixes both kinds of step).
struct ForwardPassPerturbationLanes: ForwardPassLaneState.Kernel {
    let reference: ForwardPassReference
    let table: ForwardPassRows
    let origin: Complex
    /// w at the reference.
    let w: Complex
    var lanes: ForwardPassLaneStates
    /// Z_m of the orbit each lane follows, carried from the step before (its Z_{m+1}).
    var here = LaneComplex(.zero)
    var escaped = LaneMask(), fixed = LaneMask(), parted = LaneMask()
    /// The steps the call's pixels may skip (`ForwardPassSeriesSkip`).
    let ladder: ForwardPassSeriesSkip.Ladder

    init(reference: ForwardPassReference, table: ForwardPassRows, history: UnsafeMutablePointer<Complex>,
         ring: UnsafeMutablePointer<Double>, offsets: UnsafeBufferPointer<Complex>) {
        self.reference = reference
        ladder = reference.skip.ladder(for: offsets)
        self.table = table
        lanes = ForwardPassLaneStates(settings: reference.settings, history: history, ring: ring)
        origin = reference.main.orbit[0]
        w = reference.w
    }

    /// Pixel C + offset at its start, past the steps `ForwardPassSeriesSkip` allows it to skip.
    func start(at offset: Complex) -> ForwardPassLaneState {
        var state = ForwardPassLaneState()
        let (m, d, lyapunovSum) = reference.skip.start(at: offset, from: lanes.split(offset).dState, ladder: ladder)
        (state.d, state.lyapunovSum) = (d, lyapunovSum)
        state.reference = reference.main.orbit[m]
        state.z = state.reference + d
        (state.m, state.n) = (Double(m), Double(m))
        state.end = Double(reference.main.orbit.count)
        return state
    }

    /// An idle lane: the harmless offset 0.
    mutating func load(lane: Int, at offset: Complex) {
        lanes.resume(lane: lane, at: .zero, from: start(at: .zero), item: 0)
    }

    mutating func resume(lane: Int, at offset: Complex, from state: ForwardPassLaneState, item: Int) {
        lanes.resume(lane: lane, at: offset, from: state, item: item)
        here[lane] = state.reference
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        if (lanes.m + 1 .>= lanes.end).anySet {
            // The orbit ended (escaped beyond the fixed-point range): carry on against the reference from its start.
            for lane in 0..<PixelLanes.scalarCount where lanes.m[lane] + 1 >= lanes.end[lane] {
                lanes.d[lane] = lanes.z[lane] - origin
                lanes.m[lane] = 0
                lanes.end[lane] = Double(reference.main.orbit.count)
                here[lane] = origin
            }
        }
        let (z, d, dw, db, n) = (lanes.z, lanes.d, lanes.dw, lanes.db, lanes.n)
        lanes.recent.store(z)
        let reference = here
        let (next, gain, referenceStep, logs) = table.gather(lanes.m)
        let du = LaneComplex(w) * d + dw * reference + dw * d + db
        let linear = du.magnitudeSquared * (1 + next.magnitudeSquared) .< 0x1p-120
        var nextDelta = du * gain
        var partedNow = LaneMask()
        if (.!linear).anySet {
            let u2 = du * du
            partedNow = .!linear .& .!(u2.re * u2.re + u2.im * u2.im .< 0x1p-32)
            let series = .!linear .& .!partedNow
            if series.anySet {
                // Parted lanes' tau is 0 here, so Smith's division keeps to one branch.
                let tau = LaneComplex.deltaTanhSeries(du).value.replacing(with: LaneComplex(.zero), where: .!series)
                nextDelta = nextDelta.replacing(with: tau * gain / (LaneComplex(.one) + next * tau), where: series)
            }
        }
        let value = next + nextDelta
        let escapedNow = lanes.escapes(value) .& .!partedNow
        let fixedNow = .!escapedNow .& .!partedNow .& ((referenceStep + (nextDelta - d)).magnitudeSquared .<= 1e-24)
        let counted = (n .>= lanes.lyapunovStart) .& .!escapedNow .& .!fixedNow .& .!partedNow
        if fixedNow.anySet || (counted .& .!linear).anySet {
            // 1 - z_{n+1}^2 = (1 - Z^2) - d (2Z + d), times the pixel's w.
            let slope = (LaneComplex(w) + dw) * (gain - nextDelta * (2.0 * next + nextDelta))
            if fixedNow.anySet {
                for lane in 0..<PixelLanes.scalarCount where fixedNow[lane] {
                    lanes.fixedTerm[lane] =
                        linear[lane] ? logs[lane] : log(Swift.max(slope[lane].magnitude, 1e-300))
                }
            }
            lanes.addLogs(of: slope.magnitudeSquared, where: counted .& .!linear)
        }
        lanes.lyapunovSum = lanes.lyapunovSum.replacing(with: lanes.lyapunovSum + logs, where: counted .& linear)
        escaped = escapedNow
        fixed = fixedNow
        parted = partedNow
        // A parted lane stops before its step, which `ForwardPassPartedLanes` takes.
        lanes.z = value.replacing(with: z, where: partedNow)
        lanes.d = nextDelta.replacing(with: lanes.d, where: partedNow)
        lanes.n = (n + 1).replacing(with: n, where: partedNow)
        lanes.m = (lanes.m + 1).replacing(with: lanes.m, where: partedNow)
        here = next.replacing(with: here, where: partedNow)
        return escaped .| fixed .| partedNow .| (lanes.n .== lanes.steps)
    }

    /// Lane `lane`'s pixel, stopped.
    @inline(__always)
    func state(lane: Int) -> ForwardPassLaneState {
        var state = lanes.state(
            lane: lane, stop: escaped[lane] ? .escaped : fixed[lane] ? .fixed : parted[lane] ? .parted : .finished)
        state.reference = here[lane]
        return state
    }

    func outcome(lane: Int) -> PixelOutcome {
        state(lane: lane).outcome(steps: Int(lanes.steps), lyapunovStart: lanes.lyapunovStart, history: lanes.history,
                                  item: lanes.item[lane])
    }
}
