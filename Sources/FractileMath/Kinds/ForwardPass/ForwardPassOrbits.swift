#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A forward_pass orbit in fixed point, rounded: Z_0 ... Z_L (L <= N; shorter when it left the fixed-point range or
/// hit a pole), with what perturbation steps read of it.
struct ForwardPassOrbit: Sendable {
    let orbit: [Complex]
    /// 1 - Z_n^2 for every Z_n of `orbit`.
    let gain: [Complex]
    /// Z_{n+1} - Z_n.
    let step: [Complex]
    /// log max(|W (1 - Z_n^2)|, 1e-300): the orbit's Lyapunov terms, which a pixel whose delta is still below 2^-60
    /// of everything shares to the last bit or two.
    let logs: [Double]

    init(from start: WideComplex, w: WideComplex, b: WideComplex, steps: Int) {
        var z = start
        var orbit = [z.complexValue], gain = [(WideComplex.one - z * z).complexValue], step: [Complex] = []
        orbit.reserveCapacity(steps + 1)
        for _ in 0..<steps {
            let next = WideComplex.tanh(w * z + b)
            if next.isOverflow { break }
            orbit.append(next.complexValue)
            gain.append((WideComplex.one - next * next).complexValue)
            step.append((next - z).complexValue)
            z = next
        }
        (self.orbit, self.gain, self.step) = (orbit, gain, step)
        let rounded = w.complexValue
        logs = gain.map { log(Swift.max((rounded * $0).magnitude, 1e-300)) }
    }
}

/// The orbits from +1 and -1 at a tile's w and b, where parted pixels whose step saturates go on
/// (`ForwardPassReference.saturatedStep`), and the lane table of all three orbits. Both are made the first time they
/// are needed, once per tile, whichever render thread asks: most tiles never saturate a pixel, and two more
/// fixed-point orbits would cost a single-regime deep tile a fifth of its time.
final class ForwardPassOrbits: Sendable {
    let w: WideComplex, b: WideComplex
    let steps: Int
    /// The reference orbit, then room for the orbits from +1 and -1: rows of `ForwardPassRows.columns`
    /// doubles, the orbit from +1 from row `slot`, the one from -1 from row 2 `slot`.
    let slot: Int
    /// Written only under `filled`'s lock, each part once, before any reader is handed a row of it.
    nonisolated(unsafe) private let table: UnsafeMutablePointer<Double>
    private let saturated = Mutex<(plus: ForwardPassOrbit, minus: ForwardPassOrbit)?>(nil)
    private let filled = Mutex<(reference: Bool, saturated: Bool)>((false, false))

    init(w: WideComplex, b: WideComplex, steps: Int) {
        (self.w, self.b, self.steps, slot) = (w, b, steps, steps + 1)
        let count = 3 * slot * ForwardPassRows.columns
        table = .allocate(capacity: count)
        table.initialize(repeating: 0, count: count)
    }

    deinit {
        table.deallocate()
    }

    /// The orbit from +1 (sign > 0) or -1.
    func orbit(sign: Double) -> ForwardPassOrbit {
        let both = saturated.withLock { orbits in
            if let orbits { return orbits }
            let made = (plus: ForwardPassOrbit(from: WideComplex(Complex.one), w: w, b: b, steps: steps),
                        minus: ForwardPassOrbit(from: WideComplex(Complex(-1)), w: w, b: b, steps: steps))
            orbits = made
            return made
        }
        return sign > 0 ? both.plus : both.minus
    }

    /// The lane table with the reference's rows in place (rows 0 ..< reference.orbit.count - 1).
    func rows(reference: ForwardPassOrbit) -> UnsafePointer<Double> {
        filled.withLock { filled in
            if !filled.reference {
                Self.fill(table, from: reference)
                filled.reference = true
            }
        }
        return UnsafePointer(table)
    }

    /// The first row of the orbit from +1 (sign > 0) or -1 in the lane table, filling it the first time, and where
    /// that orbit ends there.
    func rows(sign: Double) -> (first: Int, end: Int) {
        let plus = orbit(sign: 1), minus = orbit(sign: -1)
        filled.withLock { filled in
            if !filled.saturated {
                Self.fill(table + slot * ForwardPassRows.columns, from: plus)
                Self.fill(table + 2 * slot * ForwardPassRows.columns, from: minus)
                filled.saturated = true
            }
        }
        return sign > 0 ? (slot, slot + plus.orbit.count) : (2 * slot, 2 * slot + minus.orbit.count)
    }

    /// Row m: Z_{m+1}, 1 - Z_{m+1}^2, Z_{m+1} - Z_m, the log term at m + 1, a spare (`ForwardPassRows`; an orbit's
    /// last point has no row: a lane there goes back to the reference's start first).
    private static func fill(_ rows: UnsafeMutablePointer<Double>, from orbit: ForwardPassOrbit) {
        var row = rows
        for m in 0..<(orbit.orbit.count - 1) {
            let (next, gain, step) = (orbit.orbit[m + 1], orbit.gain[m + 1], orbit.step[m])
            (row[0], row[1], row[2], row[3]) = (next.re, next.im, gain.re, gain.im)
            (row[4], row[5], row[6], row[7]) = (step.re, step.im, orbit.logs[m + 1], 0)
            row += ForwardPassRows.columns
        }
    }
}
