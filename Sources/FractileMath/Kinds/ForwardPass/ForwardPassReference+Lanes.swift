/// Deep forward_pass tiles in lanes: the reference orbit laid out once per tile, then every pixel in
/// `ForwardPassPerturbationLanes`, and the few that leave the reference again in the scalar loop, so every pixel
/// has the scalar loop's outcome bit for bit (tile bytes as before the lanes).
extension ForwardPassReference {
    public func laneTable() -> [Double] { ForwardPassPerturbationLanes.rows(of: self) }

    public func outcomes(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], into outcomes: UnsafeMutableBufferPointer<PixelOutcome>
    ) {
        withUnsafeTemporaryAllocation(of: Complex.self, capacity: ForwardPassLanes.historyLength * PixelLanes.scalarCount) {
            history in
            laneOutcomes(offsets, table: table, columns: ForwardPassPerturbationLanes.columns,
                         lanes: orbit.count > 1 && settings.maxIterations > 0, into: outcomes) {
                ForwardPassPerturbationLanes(reference: self, table: $0, history: history.baseAddress!)
            }
        }
    }
}
