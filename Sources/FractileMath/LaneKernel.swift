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
        var pixelOfLane = LaneIndices(repeating: -1)
        var active = LaneMask(repeating: false)
        var next = 0
        for lane in 0..<PixelLanes.scalarCount {
            // Idle lanes iterate a harmless point (0) and are masked out.
            load(lane: lane, at: next < points.count ? points[next] : .zero)
            if next < points.count {
                pixelOfLane[lane] = next
                active[lane] = true
                next += 1
            }
        }
        while any(active) {
            let stopped = step() .& active
            guard any(stopped) else { continue }
            for lane in 0..<PixelLanes.scalarCount where stopped[lane] {
                outcomes[pixelOfLane[lane]] = outcome(lane: lane)
                if next < points.count {
                    load(lane: lane, at: points[next])
                    pixelOfLane[lane] = next
                    next += 1
                } else {
                    load(lane: lane, at: .zero)  // restart the idle lane, so its counters stay in range
                    active[lane] = false
                }
            }
        }
    }
}
