#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deep forward_pass pixels that have parted from the orbit they followed, over lanes: each takes its own double
/// step z_{n+1} = tanh(w z_n + b) with its w and b (the reference's plus its offset, rounded), as the scalar loop
/// does once `parted`, with `VectorTanh` for libm's tanh. Its w and b differ from the reference's by far less than
/// an ulp of z, so carrying a delta would buy nothing. A step that saturates (|Re u| >= 8) goes on against the orbit
/// from +-1 (`ForwardPassReference.saturatedStep`): the pixel stops here with its delta there, and goes back to
/// `ForwardPassPerturbationLanes`. So a step here is a shallow step plus the saturation test: no gather, no delta.
struct ForwardPassPartedLanes: ForwardPassLaneState.Kernel {
    let reference: ForwardPassReference
    let w: Complex, b: Complex
    /// d, m and end hold a saturated step's delta from the orbit from +-1, that orbit's first row and its end.
    var lanes: ForwardPassLaneStates
    /// The pixels' w and b.
    var pixelW = LaneComplex(.zero), pixelB = LaneComplex(.zero)
    /// Lanes with no pixel: they never saturate (that would make the orbits from +-1 for nothing).
    var idle = LaneMask()
    var escaped = LaneMask(), fixed = LaneMask(), saturated = LaneMask()
    /// A saturated step's Z_0 of the orbit from +-1.
    var here = LaneComplex(.zero)
    /// The orbits from +1 and -1 where this kernel first needed them: Z_0, 1 - Z_0^2, first row, end row.
    private var plus: (next: Complex, gain: Complex, first: Double, end: Double)?
    private var minus: (next: Complex, gain: Complex, first: Double, end: Double)?

    init(reference: ForwardPassReference, history: UnsafeMutablePointer<Complex>, ring: UnsafeMutablePointer<Double>) {
        self.reference = reference
        lanes = ForwardPassLaneStates(settings: reference.settings, history: history, ring: ring)
        (w, b) = (reference.w, reference.b)
    }

    /// An idle lane: the reference's w and b from z = 0.
    mutating func load(lane: Int, at offset: Complex) {
        resume(lane: lane, at: .zero, from: ForwardPassLaneState(), item: 0)
        idle[lane] = true
    }

    /// Pixel C + offset from `state` (parted: z and the step count are all it needs of its past).
    mutating func resume(lane: Int, at offset: Complex, from state: ForwardPassLaneState, item: Int) {
        lanes.resume(lane: lane, at: offset, from: state, item: item)
        (pixelW[lane], pixelB[lane], idle[lane]) = (w + lanes.dw[lane], b + lanes.db[lane], false)
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        let z = lanes.z
        lanes.recent.store(z)
        let u = pixelW * z + pixelB
        let (re, im) = VectorTanh.tanh(re: u.re, im: u.im)
        var value = LaneComplex(re: re, im: im)
        var slope = pixelW * (LaneComplex(.one) - value * value)
        let saturatedNow = .!idle .& (VectorTanh.abs(u.re) .>= ForwardPassReference.saturation)
        if saturatedNow.anySet {
            for lane in 0..<PixelLanes.scalarCount where saturatedNow[lane] {
                let (sign, delta) = ForwardPassReference.saturatedStep(u[lane])
                let orbit = saturatedOrbit(sign: sign)
                value[lane] = orbit.next + delta
                slope[lane] = pixelW[lane] * (orbit.gain - delta * (2.0 * orbit.next + delta))
                (lanes.d[lane], lanes.m[lane], lanes.end[lane]) = (delta, orbit.first, orbit.end)
                here[lane] = orbit.next
            }
        }
        let escapedNow = lanes.escapes(value)
        let fixedNow = .!escapedNow .& ((value - z).magnitudeSquared .<= 1e-24)
        if fixedNow.anySet {
            for lane in 0..<PixelLanes.scalarCount where fixedNow[lane] {
                lanes.fixedTerm[lane] = log(Swift.max(slope[lane].magnitude, 1e-300))
            }
        }
        let counted = (lanes.n .>= lanes.lyapunovStart) .& .!escapedNow .& .!fixedNow
        lanes.addLogs(of: slope.magnitudeSquared, where: counted)
        escaped = escapedNow
        fixed = fixedNow
        saturated = saturatedNow
        lanes.z = value
        lanes.n += 1
        return escaped .| fixed .| saturated .| (lanes.n .== lanes.steps)
    }

    /// Z_0 and 1 - Z_0^2 of the orbit from +1 (sign > 0) or -1, and its rows in the lane table.
    private mutating func saturatedOrbit(sign: Double) -> (next: Complex, gain: Complex, first: Double, end: Double) {
        if let known = sign > 0 ? plus : minus { return known }
        let orbit = reference.orbits.orbit(sign: sign), rows = reference.orbits.rows(sign: sign)
        let made = (next: orbit.orbit[0], gain: orbit.gain[0], first: Double(rows.first), end: Double(rows.end))
        if sign > 0 { plus = made } else { minus = made }
        return made
    }

    /// Lane `lane`'s pixel, stopped.
    @inline(__always)
    func state(lane: Int) -> ForwardPassLaneState {
        var state = lanes.state(lane: lane, stop: escaped[lane] ? .escaped : fixed[lane] ? .fixed
                                : lanes.n[lane] == lanes.steps ? .finished : .saturated)
        state.reference = here[lane]
        return state
    }

    func outcome(lane: Int) -> PixelOutcome {
        state(lane: lane).outcome(steps: Int(lanes.steps), lyapunovStart: lanes.lyapunovStart, history: lanes.history,
                                  item: lanes.item[lane])
    }
}
