/// Deep forward_pass tiles in lanes: the reference orbits laid out once per tile, then every pixel in
/// `ForwardPassPerturbationLanes` (bit for bit the scalar loop's outcome while the pixel stays near the reference;
/// once it parts, its double steps use `VectorTanh`: docs/deep-zoom.md).
extension ForwardPassReference {
    public func laneTable() -> [Double] { ForwardPassPerturbationLanes.rows(of: self) }

    public func outcomes(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], into outcomes: UnsafeMutableBufferPointer<PixelOutcome>
    ) {
        withUnsafeTemporaryAllocation(of: Complex.self, capacity: ForwardPassLanes.historyLength * PixelLanes.scalarCount) {
            history in
            laneOutcomes(offsets, table: table, columns: ForwardPassPerturbationLanes.columns,
                         lanes: ends.reference > 1 && settings.maxIterations > 0, into: outcomes) {
                ForwardPassPerturbationLanes(reference: self, table: $0, history: history.baseAddress!)
            }
        }
    }
}
