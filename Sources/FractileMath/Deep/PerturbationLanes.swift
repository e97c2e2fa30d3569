/// A tile's reference orbit prepared for the perturbation lane kernels: what deep tiles compute with. Made once
/// per 256-pixel tile (the reference orbit in fixed point and its table), then shared by every render thread.
public struct PerturbationLanes: Sendable {
    public let reference: PerturbationReference
    /// The reference orbit as `ReferenceTable` rows (empty for kinds that still run pixel by pixel).
    let rows: [Double]

    public init(_ reference: PerturbationReference) {
        self.reference = reference
        rows = (reference.run as? GradientBasinReference).map(GradientBasinPerturbationLanes.rows(of:)) ?? []
    }

    /// outcomes[i] is the outcome of the pixel at the reference point plus offsets[i]. Bit for bit
    /// `reference.outcome(offset:)` for pixels that stay near the reference; see each kind's lane kernel for the
    /// pixels that leave it. No allocation per pixel.
    public func outcomes(_ offsets: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        precondition(outcomes.count >= offsets.count, "one outcome per offset")
        switch reference.run {
        case let r as GradientBasinReference where r.orbit.count > 1 && r.settings.maxIterations > 0:
            let columns = GradientBasinPerturbationLanes.columns(pairs: r.pairs)
            // Pixels that leave the reference go on in double from where they left, after the others.
            var handOver: [(item: Int, w: Complex, steps: Int)] = []
            rows.withUnsafeBufferPointer { rows in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: columns * PixelLanes.scalarCount) { scratch in
                    GradientBasinLanes.with(settings: r.settings) { plain in
                        let table = ReferenceTable(rows: rows.baseAddress!, columns: columns, scratch: scratch.baseAddress!)
                        var kernel = GradientBasinPerturbationLanes(reference: r, table: table, xs: plain.xs)
                        kernel.run(
                            count: offsets.count,
                            start: { kernel, lane, item in kernel.load(lane: lane, at: offsets[item]) },
                            finish: { kernel, lane, item in
                                if kernel.left[lane] {
                                    handOver.append((item, kernel.w[lane], Int(kernel.n[lane])))
                                } else {
                                    outcomes[item] = kernel.outcome(lane: lane)
                                }
                            })
                        var double = plain
                        double.run(
                            count: handOver.count,
                            start: { kernel, lane, index in
                                kernel.resume(lane: lane, at: handOver[index].w, after: handOver[index].steps)
                            },
                            finish: { kernel, lane, index in outcomes[handOver[index].item] = kernel.outcome(lane: lane) })
                    }
                }
            }
        default:
            for index in offsets.indices { outcomes[index] = reference.outcome(offset: offsets[index]) }
        }
    }
}
