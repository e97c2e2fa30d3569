#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// forward_pass's perturbation loop (`ForwardPassReference.run`) over lanes: each lane carries one pixel's delta
/// against the tile's reference orbit with the same operations in the same order (the Lyapunov terms too: the
/// reference's log where the step is linear, `LogProduct`'s product and exponent split otherwise), so while a pixel
/// stays near the reference its outcome is bit for bit the scalar loop's. Lanes are refilled as pixels stop and
/// read the reference at their own step (`ReferenceTable.gather`).
///
/// A pixel whose step needs the full tanh of its delta (|du^2| >= 2^-16) has left the reference: it stops here with
/// `left` set, and `ForwardPassReference.outcomes` runs it again in the scalar loop. Unlike gradient_basin's, such
/// pixels are not handed to the double lane kernel: they sit in chaotic filaments, where `ForwardPassLanes` run on
/// from the hand-over turned 216 of 4096 such pixels (two foci, z = 40..100) from chaotic to ordered, and where the
/// scalar loop costs what it did before the lanes.
struct ForwardPassPerturbationLanes: RerunningLaneKernel {
    let reference: ForwardPassReference
    let table: ReferenceTable
    let steps: Double
    let lyapunovStart: Double
    let historyStart: Int
    let radius: Double, radiusSquared: Double
    let orbitCount: Double
    let origin: Complex
    /// w and b at the reference, and the scales that turn an offset into dw and db (parameter plane).
    let w: Complex, b: Complex
    let weightScale: Complex, biasScale: Complex
    let parameterPlane: Bool
    /// z_n for n in historyStart..<N, lane-major as `ForwardPassLanes.history`: the period test.
    let history: UnsafeMutablePointer<Complex>

    var d = LaneComplex(.zero), z = LaneComplex(.zero)
    var dw = LaneComplex(.zero), db = LaneComplex(.zero)
    var m = PixelLanes(), n = PixelLanes()
    /// The scalar loop's `lyapunovSum` (reference logs of linear steps) and `LogProduct` (the other steps).
    var lyapunovSum = PixelLanes(), significand = PixelLanes(repeating: 1), exponent = LaneBits(), direct = PixelLanes()
    /// The Lyapunov term of the step that found a fixed point.
    var fixedTerm = PixelLanes()
    var left = LaneMask(), escaped = LaneMask(), fixed = LaneMask()

    /// Reference columns per step m: Z_m, Z_{m+1}, 1 - Z_{m+1}^2, Z_{m+1} - Z_m, then the reference's log term.
    static let columns = 9

    init(reference: ForwardPassReference, table: ReferenceTable, history: UnsafeMutablePointer<Complex>) {
        self.reference = reference
        self.table = table
        self.history = history
        let count = max(reference.settings.maxIterations, 0)
        steps = Double(count)
        lyapunovStart = Double(count / 4)
        historyStart = max(count - ForwardPassLanes.historyLength, 0)
        radius = reference.settings.escapeRadius
        radiusSquared = radius * radius
        orbitCount = Double(reference.orbit.count)
        origin = reference.orbit[0]
        w = reference.w
        b = reference.b
        weightScale = reference.settings.weight.scale
        biasScale = reference.settings.bias.scale
        parameterPlane = reference.settings.plane == .parameter
    }

    /// The reference orbit as `ReferenceTable` rows.
    static func rows(of reference: ForwardPassReference) -> [Double] {
        var rows: [Double] = []
        rows.reserveCapacity(reference.step.count * columns)
        for m in 0..<reference.step.count {
            let (z, next, gain, step) = (reference.orbit[m], reference.orbit[m + 1], reference.gain[m + 1], reference.step[m])
            rows += [z.re, z.im, next.re, next.im, gain.re, gain.im, step.re, step.im, reference.referenceLog[m + 1]]
        }
        return rows
    }

    mutating func load(lane: Int, at offset: Complex) {
        if parameterPlane {
            dw[lane] = weightScale * offset
            db[lane] = biasScale * offset
            d[lane] = .zero
        } else {
            dw[lane] = .zero
            db[lane] = .zero
            d[lane] = offset
        }
        z[lane] = origin + d[lane]
        m[lane] = 0
        n[lane] = 0
        lyapunovSum[lane] = 0
        significand[lane] = 1
        exponent[lane] = 0
        direct[lane] = 0
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        if (m + 1 .>= orbitCount).anySet {
            // The reference escaped beyond the fixed-point range: carry on against it from its start.
            for lane in 0..<PixelLanes.scalarCount where m[lane] + 1 >= orbitCount {
                d[lane] = z[lane] - origin
                m[lane] = 0
            }
        }
        if (n .>= Double(historyStart)).anySet {
            for lane in 0..<PixelLanes.scalarCount where n[lane] >= Double(historyStart) && n[lane] < steps {
                history[lane * ForwardPassLanes.historyLength + Int(n[lane]) - historyStart] = z[lane]
            }
        }
        table.gather(steps: m)
        let reference = table.complex(0), next = table.complex(2), gain = table.complex(4)
        let du = LaneComplex(w) * d + dw * reference + dw * d + db
        let linear = du.magnitudeSquared * (1 + next.magnitudeSquared) .< 0x1p-120
        var nextDelta = du * gain
        var leaving = LaneMask()
        if (.!linear).anySet {
            let (tau, outside) = LaneComplex.deltaTanhSeries(du)
            leaving = outside .& .!linear
            nextDelta = nextDelta.replacing(with: tau * gain / (LaneComplex(.one) + next * tau), where: .!linear)
        }
        let value = next + nextDelta
        let valueSquared = value.magnitudeSquared
        var escapedNow = .!value.isFinite .| (valueSquared .> radiusSquared)
        if !radiusSquared.isFinite {
            for lane in 0..<PixelLanes.scalarCount where !escapedNow[lane] {
                escapedNow[lane] = value[lane].magnitude > radius
            }
        }
        let fixedNow = .!escapedNow
            .& ((table.complex(6) + (nextDelta - d)).magnitudeSquared .<= 1e-24)
        let counted = (n .>= lyapunovStart) .& .!leaving .& .!escapedNow .& .!fixedNow
        if (fixedNow .& .!leaving).anySet || (counted .& .!linear).anySet {
            // 1 - z_{n+1}^2 = (1 - Z^2) - d (2Z + d), times the pixel's w.
            let slope = (LaneComplex(w) + dw) * (gain - nextDelta * (2.0 * next + nextDelta))
            let slopeSquared = slope.magnitudeSquared
            for lane in 0..<PixelLanes.scalarCount where fixedNow[lane] && !leaving[lane] {
                fixedTerm[lane] = linear[lane]
                    ? table.real(8)[lane] : log(Swift.max(slope[lane].magnitude, 1e-300))
            }
            // `LogProduct.add` per lane: the product and its exponent split, or the log itself for extreme terms.
            let product = counted .& .!linear
            let inRange = (slopeSquared .>= 0x1p-990) .& (slopeSquared - slopeSquared .== 0)
            for lane in 0..<PixelLanes.scalarCount where product[lane] && !inRange[lane] {
                direct[lane] += log(Swift.max(slopeSquared[lane].squareRoot(), 1e-300))
            }
            let multiplied = significand * slopeSquared
            let bits = VectorTanh.bits(multiplied)
            let split = product .& inRange
            exponent = exponent.replacing(with: exponent &+ ((bits &>> 52) &- 1023), where: split)
            significand = significand.replacing(
                with: VectorTanh.double((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000), where: split)
        }
        lyapunovSum = lyapunovSum.replacing(with: lyapunovSum + table.real(8), where: counted .& linear)
        left = leaving
        escaped = escapedNow .& .!leaving
        fixed = fixedNow .& .!leaving
        z = value.replacing(with: z, where: leaving)
        d = nextDelta.replacing(with: d, where: leaving)
        n = n.replacing(with: n + 1, where: .!leaving)
        m += 1
        return leaving .| escaped .| fixed .| (n .== steps)
    }

    func outcome(lane: Int) -> PixelOutcome {
        let value = z[lane], iterations = Int(n[lane])
        if escaped[lane] { return PixelOutcome(regime: .escaped, iterations: iterations, finalValue: value) }
        if fixed[lane] {
            return PixelOutcome(regime: .ordered, iterations: iterations, finalValue: value, lyapunov: fixedTerm[lane],
                                period: 1)
        }
        let count = Int(steps)
        let logarithm = 0.5 * (log(significand[lane]) + Double(Int64(bitPattern: exponent[lane])) * M_LN2) + direct[lane]
        let lyapunov = count > Int(lyapunovStart) ? (lyapunovSum[lane] + logarithm) / (steps - lyapunovStart) : .nan
        return PixelOutcome(regime: lyapunov < 0 ? .ordered : .chaotic, iterations: count, finalValue: value,
                            lyapunov: lyapunov,
                            period: ForwardPassLanes.period(of: value, lane: lane, history: history, steps: count))
    }
}
