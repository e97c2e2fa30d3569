/// Deep forward_pass tiles in lanes: the reference orbits laid out once per tile, then every pixel in
/// `ForwardPassPerturbationLanes` while it follows an orbit and in `ForwardPassPartedLanes` once it parts, handed
/// between them in passes (the scalar loop's operations while the pixel follows an orbit, past the steps
/// `ForwardPassSeriesSkip` skips; parted steps use `VectorTanh`: docs/deep-zoom.md).
extension ForwardPassReference {
    /// Lays out the reference's rows (the tile's lanes then share them); returns none of its own.
    public func laneTable() -> [Double] {
        _ = orbits.rows(reference: main)
        return []
    }

    public func outcomes(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], into outcomes: UnsafeMutableBufferPointer<PixelOutcome>
    ) {
        guard main.orbit.count > 1 && settings.maxIterations > 0 else {
            for index in offsets.indices { outcomes[index] = outcome(offset: offsets[index]) }
            return
        }
        let count = offsets.count
        // Per call, not per pixel: each pixel's state between passes, its last 32 z_n, and the two queues.
        let states = UnsafeMutableBufferPointer<ForwardPassLaneState>.allocate(capacity: count)
        let history = UnsafeMutablePointer<Complex>.allocate(capacity: count * ForwardPassLanes.historyLength)
        let queues = UnsafeMutablePointer<Int>.allocate(capacity: 2 * count)
        let rings = UnsafeMutablePointer<Double>.allocate(capacity: 2 * 2 * ForwardPassLanes.historyLength * PixelLanes.scalarCount)
        defer {
            states.deallocate()
            history.deallocate()
            queues.deallocate()
            rings.deallocate()
        }
        let rows = orbits.rows(reference: main)
        do {
            var along = ForwardPassPerturbationLanes(reference: self, table: ForwardPassRows(rows: rows), history: history,
                                                     ring: rings, offsets: offsets)
            var own = ForwardPassPartedLanes(
                reference: self, history: history, ring: rings + 2 * ForwardPassLanes.historyLength * PixelLanes.scalarCount)
            let steps = settings.maxIterations, lyapunovStart = along.lanes.lyapunovStart
            for item in 0..<count {
                states[item] = along.start(at: offsets[item])
                queues[item] = item
            }
            /// One pass of `kernel` over the pixels queue[0..<count]: those that stop with `handOver` go to `next`,
            /// the others are done.
            func pass<Kernel: ForwardPassLaneState.Kernel>(
                _ kernel: inout Kernel, _ queue: UnsafeMutablePointer<Int>, count: Int, handOver: ForwardPassLaneState.Stop,
                to next: UnsafeMutablePointer<Int>, nextCount: inout Int
            ) {
                kernel.run(
                    count: count,
                    start: { kernel, lane, index in
                        let item = queue[index]
                        kernel.resume(lane: lane, at: offsets[item], from: states[item], item: item)
                    },
                    finish: { kernel, lane, index in
                        let item = queue[index], state = kernel.state(lane: lane)
                        if state.stop == handOver {
                            states[item] = state
                            next[nextCount] = item
                            nextCount += 1
                        } else {
                            outcomes[item] = state.outcome(steps: steps, lyapunovStart: lyapunovStart, history: history,
                                                           item: item)
                        }
                    })
            }
            // Pixels that follow an orbit, then those that parted, until none is left: a pixel whose parted step
            // saturates follows the orbit from +-1 in the next pass.
            let following = queues, parted = queues + count
            var followingCount = count, partedCount = 0
            while followingCount > 0 || partedCount > 0 {
                pass(&along, following, count: followingCount, handOver: .parted, to: parted, nextCount: &partedCount)
                followingCount = 0
                pass(&own, parted, count: partedCount, handOver: .saturated, to: following, nextCount: &followingCount)
                partedCount = 0
            }
        }
    }
}
