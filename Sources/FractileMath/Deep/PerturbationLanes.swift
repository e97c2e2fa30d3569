/// A tile's reference orbit prepared for the perturbation lane kernels: what deep tiles compute with. Made once
/// per 256-pixel tile (the reference orbit in fixed point and its table), then shared by every render thread.
public struct PerturbationLanes: Sendable {
    public let reference: PerturbationReference
    /// The reference orbit as `ReferenceTable` rows (empty for kinds that still run pixel by pixel).
    let rows: [Double]

    public init(_ reference: PerturbationReference) {
        self.reference = reference
        rows = reference.run.laneTable()
    }

    /// outcomes[i] is the outcome of the pixel at the reference point plus offsets[i]. Bit for bit
    /// `reference.outcome(offset:)` for pixels that stay near the reference; see each kind's lane kernel for the
    /// pixels that leave it. No allocation per pixel.
    public func outcomes(_ offsets: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        precondition(outcomes.count >= offsets.count, "one outcome per offset")
        reference.run.outcomes(offsets, table: rows, into: outcomes)
    }
}
