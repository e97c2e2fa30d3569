/// A map's reference orbit at one wide point: how deep tiles and the probe at long decimal coordinates compute.
/// The outcome at a pixel C + offset follows MAPS.md's rules exactly as the double loops do; only the arithmetic
/// differs (a 256-bit reference orbit plus double-precision deltas, instead of double throughout).
public enum PerturbationReference: Sendable {
    case forwardPass(ForwardPassReference)
    case gradientBasin(GradientBasinReference)
    case backpropFlow(BackpropFlowReference)

    /// Computes the reference orbit at `point` (a few milliseconds: N steps of fixed-point tanh).
    public init(settings: MapSettings, at point: WideComplex) {
        switch settings {
        case .forwardPass(let s): self = .forwardPass(ForwardPassReference(settings: s, at: point))
        case .gradientBasin(let s): self = .gradientBasin(GradientBasinReference(settings: s, at: point))
        case .backpropFlow(let s): self = .backpropFlow(BackpropFlowReference(settings: s, at: point))
        }
    }

    /// The fate of the pixel at the reference point plus `offset` (an offset small enough for a double).
    public func outcome(offset: Complex) -> PixelOutcome {
        var observer = IgnoringObserver()
        return switch self {
        case .forwardPass(let r): r.run(offset: offset, observer: &observer)
        case .gradientBasin(let r): r.run(offset: offset, observer: &observer)
        case .backpropFlow(let r): r.run(offset: offset, observer: &observer)
        }
    }

    /// Everything about the reference point itself (MAPS.md probe), in the same arithmetic as deep tiles.
    public func probe() -> ProbeResult {
        var recorder = OrbitRecorder()
        switch self {
        case .forwardPass(let r):
            let outcome = r.run(offset: .zero, observer: &recorder)
            return ProbeResult(kind: .forwardPass, outcome: outcome, orbit: recorder.orbit)
        case .gradientBasin(let r):
            let outcome = r.run(offset: .zero, observer: &recorder)
            return ProbeResult(
                kind: .gradientBasin, outcome: outcome, orbit: recorder.orbit,
                lossCurve: recorder.orbit.map { r.settings.loss(at: $0) })
        case .backpropFlow(let r):
            let outcome = r.run(offset: .zero, observer: &recorder)
            return ProbeResult(kind: .backpropFlow, outcome: outcome, orbit: recorder.orbit)
        }
    }
}
