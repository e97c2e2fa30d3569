/// Deep backprop_flow tiles in lanes: the reference orbit laid out once per tile, then every pixel in
/// `BackpropFlowPerturbationLanes`, and the few that leave the reference again in the scalar loop, so every pixel
/// has the scalar loop's outcome bit for bit (tile bytes as before the lanes).
extension BackpropFlowReference {
    public func laneTable() -> [Double] { BackpropFlowPerturbationLanes.rows(of: self) }

    public func outcomes(
        _ offsets: UnsafeBufferPointer<Complex>, table: [Double], into outcomes: UnsafeMutableBufferPointer<PixelOutcome>
    ) {
        laneOutcomes(offsets, table: table, columns: BackpropFlowPerturbationLanes.columns,
                     lanes: orbit.count > 1 && settings.maxIterations > 0, into: outcomes) {
            BackpropFlowPerturbationLanes(reference: self, table: $0)
        }
    }
}
