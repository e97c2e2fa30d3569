/// One map's iteration over `PixelLanes`: each lane holds one pixel's run; lanes advance together, and a lane whose
/// run stopped is refilled with the next pixel, so no lane idles while pixels are left.
///
/// A lane's arithmetic never depends on the other lanes, so a pixel's outcome does not depend on which lane, batch,
/// thread or tile computed it: tiles stay byte-identical across runs and thread counts, and `@2x` equals the mosaic.
protocol LaneKernel {
    /// Starts `lane` on pixel p.
    mutating func load(lane: Int, at p: Complex)
    /// One step of every lane; true in the lanes whose run stopped at this step.
    mutating func step() -> LaneMask
    /// The outcome of the run that stopped in `lane`.
    func outcome(lane: Int) -> PixelOutcome
}

extension LaneKernel {
    /// Runs every point to its outcome: outcomes[i] is the outcome of points[i].
    @inline(__always)
    mutating func run(_ points: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        precondition(outcomes.count >= points.count, "one outcome per point")
        run(count: points.count,
            start: { kernel, lane, item in kernel.load(lane: lane, at: points[item]) },
            finish: { kernel, lane, item in outcomes[item] = kernel.outcome(lane: lane) })
    }

    /// Runs items 0..<count: `start` puts an item in a lane, `finish` takes the lane's result when its run stops.
    @inline(__always)
    mutating func run(count: Int, start: (inout Self, _ lane: Int, _ item: Int) -> Void,
                      finish: (inout Self, _ lane: Int, _ item: Int) -> Void) {
        var itemOfLane = LaneIndices(repeating: -1)
        var active = LaneMask(repeating: false)
        var next = 0
        for lane in 0..<PixelLanes.scalarCount {
            if next < count {
                start(&self, lane, next)
                itemOfLane[lane] = next
                active[lane] = true
                next += 1
            } else {
                load(lane: lane, at: .zero)  // idle lanes iterate a harmless point (0) and are masked out
            }
        }
        while active.anySet {
            let stopped = step() .& active
            guard stopped.anySet else { continue }
            for lane in 0..<PixelLanes.scalarCount where stopped[lane] {
                finish(&self, lane, itemOfLane[lane])
                if next < count {
                    start(&self, lane, next)
                    itemOfLane[lane] = next
                    next += 1
                } else {
                    load(lane: lane, at: .zero)  // restart the idle lane, so its counters stay in range
                    active[lane] = false
                }
            }
        }
    }
}
