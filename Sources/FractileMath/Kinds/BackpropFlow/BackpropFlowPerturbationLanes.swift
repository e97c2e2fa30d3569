/// backprop_flow's perturbation loop (`BackpropFlowReference.run`) over lanes: each lane carries one pixel's delta
/// against the tile's reference orbit with the same operations in the same order, so while a pixel stays near the
/// reference its outcome is bit for bit the scalar loop's. Lanes are refilled as pixels stop and read the
/// reference at their own step (`ReferenceTable.gather`).
///
/// A pixel whose step needs the full tanh of its delta (|du^2| >= 2^-16) has left the reference: it stops here with
/// `left` set, and `BackpropFlowReference.outcomes` runs it again in the scalar loop (forward_pass's lanes carry such
/// pixels on themselves instead), so every deep pixel keeps the scalar loop's outcome bit for bit: handed to
/// `BackpropFlowLanes` instead, 505 of 1024 such pixels near the line w = -c changed regime.
struct BackpropFlowPerturbationLanes: RerunningLaneKernel {
    let reference: BackpropFlowReference
    let table: ReferenceTable
    let steps: Double
    let half: Double
    let explode: Double, explodeSquared: Double
    let vanish: Double, vanishSquared: Double
    let orbitCount: Double
    let origin: Complex
    /// w at the reference, and the scales that turn an offset into dw and dc (parameter plane).
    let w: Complex
    let weightScale: Complex, inputScale: Complex
    let plane: Plane

    var d = LaneComplex(.zero), delta = LaneComplex(.zero)
    var dw = LaneComplex(.zero), dc = LaneComplex(.zero)
    var m = PixelLanes(), n = PixelLanes()
    var ringSum = PixelLanes()
    var left = LaneMask(), exploded = LaneMask(), vanished = LaneMask()

    /// Reference columns per step m: Delta_m, T_m, S_m, Delta_{m+1}.
    static let columns = 8

    init(reference: BackpropFlowReference, table: ReferenceTable) {
        self.reference = reference
        self.table = table
        let count = max(reference.settings.maxIterations, 0)
        steps = Double(count)
        half = Double(count / 2)
        explode = reference.settings.explodeRadius
        explodeSquared = explode * explode
        vanish = reference.settings.vanishRadius
        vanishSquared = vanish * vanish
        orbitCount = Double(reference.orbit.count)
        origin = reference.orbit[0]
        w = reference.w
        weightScale = reference.settings.weight.scale
        inputScale = reference.settings.input.scale
        plane = reference.settings.plane
    }

    /// The reference orbit as `ReferenceTable` rows.
    static func rows(of reference: BackpropFlowReference) -> [Double] {
        var rows: [Double] = []
        rows.reserveCapacity(reference.t.count * columns)
        for m in 0..<reference.t.count {
            let (delta, t, s, next) = (reference.orbit[m], reference.t[m], reference.s[m], reference.orbit[m + 1])
            rows += [delta.re, delta.im, t.re, t.im, s.re, s.im, next.re, next.im]
        }
        return rows
    }

    mutating func load(lane: Int, at offset: Complex) {
        (dw[lane], dc[lane], d[lane]) = plane.split(offset, weightScale: weightScale, secondScale: inputScale)
        delta[lane] = origin + d[lane]
        m[lane] = 0
        n[lane] = 0
        ringSum[lane] = 0
    }

    @inline(__always)
    mutating func step() -> LaneMask {
        if (m + 1 .>= orbitCount).anySet {
            // The reference exploded beyond the fixed-point range: carry on against it from its start.
            for lane in 0..<PixelLanes.scalarCount where m[lane] + 1 >= orbitCount {
                d[lane] = delta[lane] - origin
                m[lane] = 0
            }
        }
        table.gather(steps: m)
        let reference = table.complex(0), tn = table.complex(2), sn = table.complex(4)
        let du = LaneComplex(w) * d + dw * reference + dw * d
        let linear = du.magnitudeSquared * (1 + tn.magnitudeSquared) .< 0x1p-120
        var dt = du * sn
        var leaving = LaneMask()
        if (.!linear).anySet {
            let (tau, outside) = LaneComplex.deltaTanhSeries(du)
            leaving = outside .& .!linear
            dt = dt.replacing(with: tau * sn / (LaneComplex(.one) + tn * tau), where: .!linear)
        }
        let ds = -(dt * (2.0 * tn + dt))
        let nextDelta = sn * d + ds * (reference + d) + dc
        let value = table.complex(6) + nextDelta
        let magnitudeSquared = value.magnitudeSquared
        var explodedNow = .!value.isFinite .| (magnitudeSquared .> explodeSquared)
        var vanishedNow = magnitudeSquared .< vanishSquared
        if !explodeSquared.isFinite || vanishSquared == 0 {
            // Radii whose squares leave double's range: the magnitudes themselves, as the scalar loop does.
            for lane in 0..<PixelLanes.scalarCount {
                let magnitude = value[lane].magnitude
                explodedNow[lane] = explodedNow[lane] || (magnitudeSquared[lane].isInfinite && magnitude > explode)
                vanishedNow[lane] = vanishedNow[lane] || (vanishSquared == 0 && magnitude < vanish)
            }
        }
        vanishedNow .&= .!explodedNow
        let ring = (n + 1 .> half) .& .!(leaving .| explodedNow .| vanishedNow)
        ringSum = ringSum.replacing(with: ringSum + VectorTanh.abs(magnitudeSquared.squareRoot() - 1), where: ring)
        left = leaving
        exploded = explodedNow .& .!leaving
        vanished = vanishedNow .& .!leaving
        delta = value.replacing(with: delta, where: leaving)
        d = nextDelta
        n = n.replacing(with: n + 1, where: .!leaving)
        m += 1
        return leaving .| exploded .| vanished .| (n .== steps)
    }

    func outcome(lane: Int) -> PixelOutcome {
        let value = delta[lane], iterations = Int(n[lane])
        if exploded[lane] { return PixelOutcome(regime: .exploded, iterations: iterations, finalValue: value) }
        if vanished[lane] { return PixelOutcome(regime: .vanished, iterations: iterations, finalValue: value) }
        let count = Int(steps)
        let ring = count > Int(half) ? ringSum[lane] / (steps - half) : .nan
        return PixelOutcome(regime: ring < reference.settings.ringTolerance ? .unitCircle : .bounded,
                            iterations: count, finalValue: value, ring: ring)
    }
}
