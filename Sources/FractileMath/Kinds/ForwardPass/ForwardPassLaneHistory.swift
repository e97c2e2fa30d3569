/// The period test's z_n of lanes whose pixels come and go at different steps: each step stores every lane's z in
/// a ring of the last 32 steps (two vector stores), and a lane that stops copies its z_n for n >= `historyStart` to
/// its pixel's place in `history` (item-major, as `ForwardPassLanes.history`). Storing lane by lane whenever any lane
/// was past `historyStart` took a sixth of a parted step, since refilled lanes are nearly always at different steps.
struct ForwardPassLaneHistory {
    let history: UnsafeMutablePointer<Complex>
    let historyStart: Int
    /// 32 slots of 16 real parts then 16 imaginary parts; slot t % 32 holds the lanes' z at the kernel's step t.
    let ring: UnsafeMutablePointer<Double>
    var t = 0
    /// The kernel's step and the lane's pixel's step when the pixel came into the lane.
    var resumedAt = PixelLanes(), resumedN = PixelLanes()

    init(history: UnsafeMutablePointer<Complex>, historyStart: Int, ring: UnsafeMutablePointer<Double>) {
        (self.history, self.historyStart, self.ring) = (history, historyStart, ring)
    }

    mutating func resume(lane: Int, n: Double) {
        resumedAt[lane] = Double(t)
        resumedN[lane] = n
    }

    @inline(__always)
    mutating func store(_ z: LaneComplex) {
        let slot = UnsafeMutableRawPointer(ring + (t & 31) * 2 * PixelLanes.scalarCount)
        slot.storeBytes(of: z.re, as: PixelLanes.self)
        slot.storeBytes(of: z.im, toByteOffset: MemoryLayout<PixelLanes>.stride, as: PixelLanes.self)
        t += 1
    }

    /// Copies lane `lane`'s z_k, for the k < n it stepped from in this run, to pixel `item`'s history.
    func copy(lane: Int, n: Double, item: Int) {
        let end = Int(n), resumed = Int(resumedN[lane])
        let first = Swift.max(end - ForwardPassLanes.historyLength, resumed, historyStart)
        guard first < end else { return }
        for k in first..<end {
            let slot = ring + ((Int(resumedAt[lane]) + k - resumed) & 31) * 2 * PixelLanes.scalarCount
            history[item * ForwardPassLanes.historyLength + k - historyStart] =
                Complex(slot[lane], slot[PixelLanes.scalarCount + lane])
        }
    }
}
