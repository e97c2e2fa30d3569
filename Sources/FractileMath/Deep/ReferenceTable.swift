/// A reference orbit laid out for perturbation lanes: one row of `columns` doubles per reference step, and a
/// scratch of one vector per column that `gather` fills with each lane's row (lanes sit at different steps, since
/// a lane is refilled as soon as its pixel stops).
struct ReferenceTable {
    let rows: UnsafePointer<Double>
    let columns: Int
    /// columns * 16 doubles, column-major: column c of lane l at c * 16 + l.
    let scratch: UnsafeMutablePointer<Double>

    /// Fills the scratch with row m[lane] for each lane.
    @inline(__always)
    func gather(_ m: LaneIndices) {
        let first = m[0]
        if m == LaneIndices(repeating: first) { return broadcast(row: first) }
        let starts = m &* columns
        // Column by column: sixteen loads and one vector store each. (Lane by lane, LLVM made the stores scatters,
        // which are slow on AMD's cores: a quarter of a deep gradient-basin tile's perturbation steps.)
        for column in 0..<columns {
            let base = rows + column
            var value = PixelLanes()
            for lane in 0..<PixelLanes.scalarCount { value[lane] = base[starts[lane]] }
            UnsafeMutableRawPointer(scratch + column * PixelLanes.scalarCount).storeBytes(of: value, as: PixelLanes.self)
        }
    }

    /// `gather` with the steps as exact small integers in doubles: compares that compile to one vector instruction
    /// (those on `LaneIndices` became a loop over the lanes, half of a deep forward_pass tile's time).
    @inline(__always)
    func gather(steps m: PixelLanes) {
        let first = m[0]
        if !(m .!= first).anySet { return broadcast(row: Int(first)) }
        for lane in 0..<PixelLanes.scalarCount { gather(lane: lane, row: Int(m[lane])) }
    }

    /// Every lane at the same step (a fresh batch): broadcasts of row m.
    @inline(__always)
    private func broadcast(row m: Int) {
        let row = rows + m * columns
        for column in 0..<columns {
            UnsafeMutableRawPointer(scratch + column * PixelLanes.scalarCount)
                .storeBytes(of: PixelLanes(repeating: row[column]), as: PixelLanes.self)
        }
    }

    /// Fills lane `lane` of the scratch with row m, for a lane that moved alone.
    @inline(__always)
    func gather(lane: Int, row m: Int) {
        let row = rows + m * columns
        for column in 0..<columns { scratch[column * PixelLanes.scalarCount + lane] = row[column] }
    }

    /// Columns c and c + 1 of the gathered rows, as a complex per lane.
    @inline(__always)
    func complex(_ column: Int) -> LaneComplex {
        LaneComplex(re: real(column), im: real(column + 1))
    }

    /// Column c of the gathered rows, per lane.
    @inline(__always)
    func real(_ column: Int) -> PixelLanes {
        UnsafeRawPointer(scratch + column * PixelLanes.scalarCount).loadUnaligned(as: PixelLanes.self)
    }
}
