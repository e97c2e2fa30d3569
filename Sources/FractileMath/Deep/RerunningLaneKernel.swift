/// A kind's perturbation lanes whose pixels that leave the reference (`left`) run again in the kind's scalar
/// perturbation loop, so every pixel has that loop's outcome bit for bit: backprop_flow (forward_pass hands such
/// pixels to lanes of their own, `ForwardPassPartedLanes`).
protocol RerunningLaneKernel: LaneKernel {
    var left: LaneMask { get }
}

extension ObservedReference {
    /// outcomes[i] for offsets[i]: every pixel in the lanes `kernel` makes over the laid-out `table` (`columns`
    /// doubles per reference step), those that leave the reference again in `outcome(offset:)`. `lanes` false (no
    /// orbit to perturb around, or no steps) runs them all in the scalar loop.
    func laneOutcomes<Kernel: RerunningLaneKernel>(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], columns: Int, lanes: Bool,
        into outcomes: UnsafeMutableBufferPointer<PixelOutcome>, kernel make: (ReferenceTable) -> Kernel
    ) {
        guard lanes else {
            for index in offsets.indices { outcomes[index] = outcome(offset: offsets[index]) }
            return
        }
        table.withUnsafeBufferPointer { laidOut in
            laneOutcomes(offsets, rows: laidOut.baseAddress!, columns: columns, into: outcomes, kernel: make)
        }
    }

    /// `laneOutcomes` over a table laid out elsewhere (`rows`, `columns` doubles per reference step).
    func laneOutcomes<Kernel: RerunningLaneKernel>(
        _ offsets: UnsafeBufferPointer<Complex>, rows: UnsafePointer<Double>, columns: Int,
        into outcomes: UnsafeMutableBufferPointer<PixelOutcome>, kernel make: (ReferenceTable) -> Kernel
    ) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: columns * PixelLanes.scalarCount) { scratch in
            var kernel = make(ReferenceTable(rows: rows, columns: columns, scratch: scratch.baseAddress!))
            kernel.run(
                count: offsets.count,
                start: { kernel, lane, item in kernel.load(lane: lane, at: offsets[item]) },
                finish: { kernel, lane, item in
                    outcomes[item] = kernel.left[lane] ? outcome(offset: offsets[item]) : kernel.outcome(lane: lane)
                })
        }
    }
}
