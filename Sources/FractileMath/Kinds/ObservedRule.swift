/// A kind whose one loop serves both the hot path and the probe through an `IterationObserver`, so the two
/// cannot disagree on regime or iterations.
protocol ObservedRule: KindSettings {
    func run<Observer: IterationObserver>(at p: Complex, observer: inout Observer) -> PixelOutcome
    /// The probe result of a run with this outcome and orbit (kinds that train add the loss curve).
    func probeResult(outcome: PixelOutcome, orbit: [Complex]) -> ProbeResult
}

extension ObservedRule {
    func probeResult(outcome: PixelOutcome, orbit: [Complex]) -> ProbeResult {
        ProbeResult(kind: Self.kind, outcome: outcome, orbit: orbit)
    }

    /// The probe at p: the same loop as `outcome(at:)`, with its first iterates recorded.
    func recordedProbe(at p: Complex) -> ProbeResult {
        var recorder = OrbitRecorder()
        let outcome = run(at: p, observer: &recorder)
        return probeResult(outcome: outcome, orbit: recorder.orbit)
    }
}

/// A kind's deep reference orbit, whose one loop serves both deep tiles and the long-decimal probe.
protocol ObservedReference: PerturbationRun {
    associatedtype Settings: ObservedRule
    var settings: Settings { get }
    func run<Observer: IterationObserver>(offset: Complex, observer: inout Observer) -> PixelOutcome
}

extension ObservedReference {
    func recordedOutcome(offset: Complex) -> PixelOutcome {
        var observer = IgnoringObserver()
        return run(offset: offset, observer: &observer)
    }

    func recordedProbe() -> ProbeResult {
        var recorder = OrbitRecorder()
        let outcome = run(offset: .zero, observer: &recorder)
        return settings.probeResult(outcome: outcome, orbit: recorder.orbit)
    }
}
