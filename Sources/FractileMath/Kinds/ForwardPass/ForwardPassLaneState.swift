#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One deep forward_pass pixel between its runs in `ForwardPassPerturbationLanes` (against an orbit) and
/// `ForwardPassPartedLanes` (its own double steps): a pixel that parts from its orbit, or whose own step saturates,
/// stops in one kernel and goes on in the other from here, so neither kernel's lanes mix both kinds of step.
struct ForwardPassLaneState {
    /// z_n, and its delta from the followed orbit's row m (not kept while parted).
    var z = Complex.zero, d = Complex.zero
    /// Z_m of the followed orbit.
    var reference = Complex.zero
    /// The row of the lane table at step n, and where the followed orbit's rows end; steps taken.
    var m = 0.0, end = 0.0, n = 0.0
    /// The scalar loop's `lyapunovSum` (reference logs of linear steps) and its `LogProduct` split in three.
    var lyapunovSum = 0.0, significand = 1.0, exponent: UInt64 = 0, direct = 0.0
    /// How the last run stopped; the Lyapunov term of the step that found a fixed point.
    var stop = Stop.parted
    var fixedTerm = 0.0

    enum Stop {
        /// Goes on in `ForwardPassPartedLanes`.
        case parted
        /// Goes on in `ForwardPassPerturbationLanes` (a saturated step: against the orbit from +-1).
        case saturated
        case escaped, fixed, finished
    }

    /// A lane kernel that pixels go through in passes, from and to their states.
    protocol Kernel: LaneKernel {
        /// Pixel C + offset from `state` in lane `lane`; `item` is its place among the call's pixels.
        mutating func resume(lane: Int, at offset: Complex, from state: ForwardPassLaneState, item: Int)
        /// Lane `lane`'s pixel, stopped.
        func state(lane: Int) -> ForwardPassLaneState
    }

    /// The pixel's outcome once it stopped for good; `history` as `ForwardPassLanes.history`, `item` its place there.
    func outcome(steps: Int, lyapunovStart: Double, history: UnsafeMutablePointer<Complex>, item: Int) -> PixelOutcome {
        let iterations = Int(n)
        switch stop {
        case .escaped: return PixelOutcome(regime: .escaped, iterations: iterations, finalValue: z)
        case .fixed:
            return PixelOutcome(regime: .ordered, iterations: iterations, finalValue: z, lyapunov: fixedTerm, period: 1)
        default:
            let logarithm = 0.5 * (log(significand) + Double(Int64(bitPattern: exponent)) * M_LN2) + direct
            let count = Double(steps) - lyapunovStart
            let lyapunov = steps > Int(lyapunovStart) ? (lyapunovSum + logarithm) / count : .nan
            return PixelOutcome(regime: lyapunov < 0 ? .ordered : .chaotic, iterations: steps, finalValue: z,
                                lyapunov: lyapunov,
                                period: ForwardPassLanes.period(of: z, lane: item, history: history, steps: steps))
        }
    }
}
