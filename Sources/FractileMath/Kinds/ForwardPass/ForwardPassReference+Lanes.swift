/// Deep forward_pass tiles in lanes: the reference orbits laid out once per tile, then every pixel in
/// `ForwardPassPerturbationLanes` (bit for bit the scalar loop's outcome while the pixel stays near the reference;
/// once it parts, its double steps use `VectorTanh`: docs/deep-zoom.md).
extension ForwardPassReference {
    /// Lays out the reference's rows (the tile's lanes then share them); returns none of its own.
    public func laneTable() -> [Double] {
        _ = orbits.rows(reference: main)
        return []
    }

    public func outcomes(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], into outcomes: UnsafeMutableBufferPointer<PixelOutcome>
    ) {
        withUnsafeTemporaryAllocation(of: Complex.self, capacity: ForwardPassLanes.historyLength * PixelLanes.scalarCount) {
            history in
            guard main.orbit.count > 1 && settings.maxIterations > 0 else {
                for index in offsets.indices { outcomes[index] = outcome(offset: offsets[index]) }
                return
            }
            laneOutcomes(offsets, rows: orbits.rows(reference: main), columns: ForwardPassPerturbationLanes.columns,
                         into: outcomes) {
                ForwardPassPerturbationLanes(reference: self, table: $0, history: history.baseAddress!)
            }
        }
    }
}
