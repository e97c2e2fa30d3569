/// Deep gradient_basin tiles in lanes: the reference orbit laid out once per tile, then every pixel in
/// `GradientBasinPerturbationLanes`, and the pixels that leave the reference on in double from where they left.
extension GradientBasinReference {
    public func laneTable() -> [Double] { GradientBasinPerturbationLanes.rows(of: self) }

    public func outcomes(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], into outcomes: UnsafeMutableBufferPointer<PixelOutcome>
    ) {
        guard orbit.count > 1 && settings.maxIterations > 0 else {
            for index in offsets.indices { outcomes[index] = outcome(offset: offsets[index]) }
            return
        }
        let columns = GradientBasinPerturbationLanes.Layout(mirrors: mirrors).columns
        // Pixels that leave the reference go on in double from where they left, after the others.
        var handOver: [(item: Int, w: Complex, steps: Int)] = []
        table.withUnsafeBufferPointer { laidOut in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: columns * PixelLanes.scalarCount) { scratch in
                withUnsafeTemporaryAllocation(of: (dt: LaneComplex, ds: LaneComplex).self, capacity: pairs) { deltas in
                    GradientBasinLanes.with(settings: settings) { plain in
                        let reference = ReferenceTable(
                            rows: laidOut.baseAddress!, columns: columns, scratch: scratch.baseAddress!)
                        var kernel = GradientBasinPerturbationLanes(
                            reference: self, table: reference, xs: plain.xs, deltas: deltas.baseAddress!)
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
                            finish: { kernel, lane, index in
                                outcomes[handOver[index].item] = kernel.outcome(lane: lane)
                            })
                    }
                }
            }
        }
    }
}
