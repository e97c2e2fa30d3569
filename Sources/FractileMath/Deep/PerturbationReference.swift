/// A map's reference orbit at one wide point: how deep tiles and the probe at long decimal coordinates compute.
/// The outcome at a pixel C + offset follows docs/maps.md's rules exactly as the double loops do; only the arithmetic
/// differs (a 256-bit reference orbit plus double-precision deltas, instead of double throughout).
public struct PerturbationReference: Sendable {
    public let run: any PerturbationRun

    /// Computes the reference orbit at `point` (a few milliseconds: N steps of fixed-point tanh). Only for
    /// settings whose kind `hasPerturbation`. For a tile centred at `point` with pixels `pixel` wide, the orbit may
    /// end where all of them have left it (`KindSettings.perturbationRun`); nil keeps every step (the probe).
    public init(settings: MapSettings, at point: WideComplex, pixel: Double? = nil) {
        precondition(settings.hasPerturbation, "\(settings.kind) has no perturbation arithmetic")
        run = settings.base.perturbationRun(at: point, pixel: pixel)
    }

    /// The fate of the pixel at the reference point plus `offset` (an offset small enough for a double).
    public func outcome(offset: Complex) -> PixelOutcome { run.outcome(offset: offset) }

    /// Everything about the reference point itself (docs/maps.md probe), in the same arithmetic as deep tiles.
    public func probe() -> ProbeResult { run.probe() }
}
