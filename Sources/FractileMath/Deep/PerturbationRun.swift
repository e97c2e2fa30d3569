/// A kind's reference orbit at one wide point: how its deep tiles and long-decimal probes compute.
public protocol PerturbationRun: Sendable {
    /// The fate of the pixel at the reference point plus `offset` (an offset small enough for a double).
    func outcome(offset: Complex) -> PixelOutcome
    /// Everything about the reference point itself (docs/maps.md probe), in the same arithmetic as deep tiles.
    func probe() -> ProbeResult
    /// What the kind's lane kernel needs of the reference, made once per tile and shared by the render threads;
    /// empty for kinds whose deep pixels run one by one.
    func laneTable() -> [Double]
    /// outcomes[i] is the outcome at offsets[i], with `table` from `laneTable()`: one by one unless the kind has
    /// perturbation lanes. No allocation per pixel.
    func outcomes(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], into outcomes: UnsafeMutableBufferPointer<PixelOutcome>)
}

extension PerturbationRun {
    public func laneTable() -> [Double] { [] }

    public func outcomes(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], into outcomes: UnsafeMutableBufferPointer<PixelOutcome>
    ) {
        for index in offsets.indices { outcomes[index] = outcome(offset: offsets[index]) }
    }
}
