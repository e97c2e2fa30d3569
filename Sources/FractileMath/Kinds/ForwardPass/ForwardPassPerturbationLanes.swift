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
/// A pixel whose step needs the full tanh of its delta (|du^2| >= 2^-16) has parted from the reference: like the
/// scalar loop, it takes its own double step tanh(w z + b) there, with `VectorTanh` instead of libm's tanh (a few
/// ulps apart, so from then on a chaotic orbit is another rounding of the same orbit: docs/deep-zoom.md), and goes
/// on against the orbit from +-1 where that step saturates, exactly as the scalar loop does.
struct ForwardPassPerturbationLanes: RerunningLaneKernel {
    let reference: ForwardPassReference
    let table: ReferenceTable
    let steps: Double
    let lyapunovStart: Double
    let historyStart: Int
    let radius: Double, radiusSquared: Double
    let origin: Complex
    /// w and b at the reference, and the scales that turn an offset into dw and db (parameter plane).
    let w: Complex, b: Complex
    let weightScale: Complex, biasScale: Complex
    let plane: Plane
    /// z_n for n in historyStart..<N, lane-major as `ForwardPassLanes.history`: the period test.
    let history: UnsafeMutablePointer<Complex>

    var d = LaneComplex(.zero), z = LaneComplex(.zero)
    var dw = LaneComplex(.zero), db = LaneComplex(.zero)
    /// Each lane's place in `reference.orbit`, and where the orbit it follows ends there.
    var m = PixelLanes(), end = PixelLanes(), n = PixelLanes()
    /// The scalar loop's `lyapunovSum` (reference logs of linear steps) and `LogProduct` (the other steps).
    var lyapunovSum = PixelLanes(), significand = PixelLanes(repeating: 1), exponent = LaneBits(), direct = PixelLanes()
    /// The Lyapunov term of the step that found a fixed point.
    var fixedTerm = PixelLanes()
    var escaped = LaneMask(), fixed = LaneMask()
    /// Every pixel ends here: none runs again in the scalar loop.
    var left: LaneMask { LaneMask() }

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
        origin = reference.main.orbit[0]
        w = reference.w
        b = reference.b
        weightScale = reference.settings.weight.scale
        biasScale = reference.settings.bias.scale
        plane = reference.settings.plane
    }

    mutating func load(lane: Int, at offset: Complex) {
        (dw[lane], db[lane], d[lane]) = plane.split(offset, weightScale: weightScale, secondScale: biasScale)
        z[lane] = origin + d[lane]
        m[lane] = 0
        end[lane] = Double(reference.main.orbit.count)
        n[lane] = 0
        lyapunovSum[lane] = 0
        significand[lane] = 1
        exponent[lane] = 0
        direct[lane] = 0
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        if (m + 1 .>= end).anySet {
            // The orbit ended (escaped beyond the fixed-point range): carry on against the reference from its start.
            for lane in 0..<PixelLanes.scalarCount where m[lane] + 1 >= end[lane] {
                d[lane] = z[lane] - origin
                m[lane] = 0
                end[lane] = Double(reference.main.orbit.count)
            }
        }
        if (n .>= Double(historyStart)).anySet {
            for lane in 0..<PixelLanes.scalarCount where n[lane] >= Double(historyStart) && n[lane] < steps {
                history[lane * ForwardPassLanes.historyLength + Int(n[lane]) - historyStart] = z[lane]
            }
        }
        table.gather(steps: m)
        let reference = table.complex(0)
        var next = table.complex(2), gain = table.complex(4), referenceStep = table.complex(6)
        var target = m + 1
        let du = LaneComplex(w) * d + dw * reference + dw * d + db
        let linear = du.magnitudeSquared * (1 + next.magnitudeSquared) .< 0x1p-120
        var nextDelta = du * gain
        var parted = LaneMask()
        let pixelW = LaneComplex(w) + dw
        if (.!linear).anySet {
            let u2 = du * du
            parted = .!linear .& .!(u2.re * u2.re + u2.im * u2.im .< 0x1p-32)
            let series = .!linear .& .!parted
            if series.anySet {
                // Parted lanes' tau is 0 here, so Smith's division keeps to one branch; in a chaotic filament most
                // lanes are parted and none needs this.
                let tau = LaneComplex.deltaTanhSeries(du).value.replacing(with: LaneComplex(.zero), where: .!series)
                nextDelta = nextDelta.replacing(with: tau * gain / (LaneComplex(.one) + next * tau), where: series)
            }
        }
        var value = next + nextDelta
        if parted.anySet {
            // The pixel's own double step (the scalar loop's `own`), or against the orbit from +-1.
            let u = pixelW * z + (LaneComplex(b) + db)
            let (re, im) = VectorTanh.tanh(re: u.re, im: u.im)
            let own = LaneComplex(re: re, im: im)
            nextDelta = nextDelta.replacing(with: own - next, where: parted)
            value = value.replacing(with: own, where: parted)
            let saturated = parted .& (VectorTanh.abs(u.re) .>= ForwardPassReference.saturation)
            if saturated.anySet {
                for lane in 0..<PixelLanes.scalarCount where saturated[lane] {
                    let (sign, delta) = ForwardPassReference.saturatedStep(u[lane])
                    let orbit = self.reference.orbits.orbit(sign: sign), rows = self.reference.orbits.rows(sign: sign)
                    next[lane] = orbit.orbit[0]
                    gain[lane] = orbit.gain[0]
                    referenceStep[lane] = next[lane] - reference[lane]
                    nextDelta[lane] = delta
                    value[lane] = next[lane] + delta
                    target[lane] = Double(rows.first)
                    end[lane] = Double(rows.end)
                }
                parted = parted .& .!saturated
            }
        }
        let valueSquared = value.magnitudeSquared
        var escapedNow = .!value.isFinite .| (valueSquared .> radiusSquared)
        if !radiusSquared.isFinite {
            for lane in 0..<PixelLanes.scalarCount where !escapedNow[lane] {
                escapedNow[lane] = value[lane].magnitude > radius
            }
        }
        let fixedNow = .!escapedNow .& ((referenceStep + (nextDelta - d)).magnitudeSquared .<= 1e-24)
        let counted = (n .>= lyapunovStart) .& .!escapedNow .& .!fixedNow
        if fixedNow.anySet || (counted .& .!linear).anySet {
            // 1 - z_{n+1}^2 = (1 - Z^2) - d (2Z + d), times the pixel's w; a parted pixel's from its own z.
            let near = gain - nextDelta * (2.0 * next + nextDelta)
            let slope = pixelW * near.replacing(with: LaneComplex(.one) - value * value, where: parted)
            let slopeSquared = slope.magnitudeSquared
            for lane in 0..<PixelLanes.scalarCount where fixedNow[lane] {
                fixedTerm[lane] = linear[lane] ? table.real(8)[lane] : log(Swift.max(slope[lane].magnitude, 1e-300))
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
        escaped = escapedNow
        fixed = fixedNow
        z = value
        d = nextDelta
        n += 1
        m = target
        return escaped .| fixed .| (n .== steps)
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
