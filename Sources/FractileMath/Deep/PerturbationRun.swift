/// A kind's reference orbit at one wide point: how its deep tiles and long-decimal probes compute.
public protocol PerturbationRun: Sendable {
    /// The fate of the pixel at the reference point plus `offset` (an offset small enough for a double).
    func outcome(offset: Complex) -> PixelOutcome
    /// Everything about the reference point itself (MAPS.md probe), in the same arithmetic as deep tiles.
    func probe() -> ProbeResult
}
