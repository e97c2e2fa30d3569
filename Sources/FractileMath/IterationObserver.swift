/// Sees every iterate of a run, so that one loop per kind serves both the hot path (`outcome`) and the probe:
/// the two cannot disagree on regime or iterations.
protocol IterationObserver {
    /// Called with the start value, then with each iterate in order (including the one that stopped the run).
    mutating func observe(_ value: Complex)
}

/// The hot path's observer: does nothing, and the optimiser removes it.
struct IgnoringObserver: IterationObserver {
    @inline(__always) mutating func observe(_ value: Complex) {}
}

/// The probe's observer: keeps the first `capacity` iterates.
struct OrbitRecorder: IterationObserver {
    /// docs/maps.md: the probe's orbit holds the first up to 256 iterates.
    static let probeCapacity = 256

    private(set) var orbit: [Complex] = []
    let capacity: Int

    init(capacity: Int = OrbitRecorder.probeCapacity) {
        self.capacity = capacity
        orbit.reserveCapacity(capacity)
    }

    mutating func observe(_ value: Complex) {
        if orbit.count < capacity { orbit.append(value) }
    }
}
