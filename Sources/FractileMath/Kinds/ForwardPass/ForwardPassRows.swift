/// The lane table of `ForwardPassOrbits` read by `ForwardPassPerturbationLanes`: rows of 8 doubles (one 64-byte
/// vector), Z_{m+1}, 1 - Z_{m+1}^2, Z_{m+1} - Z_m, the log term at m + 1 and a spare, and each lane's row at its own
/// step m. Lanes refilled from the passes' queues mostly sit at different rows: sixteen row loads and a transpose
/// in registers (evens and odds three times over) replace the 144 scalar loads and stores of
/// `ReferenceTable.gather(lane:row:)`, whose vector loads then waited on those stores.
struct ForwardPassRows {
    static let columns = 8
    let rows: UnsafePointer<Double>

    /// Each lane's row m[lane].
    @inline(__always)
    func gather(_ m: PixelLanes) -> (next: LaneComplex, gain: LaneComplex, step: LaneComplex, log: PixelLanes) {
        let first = m[0]
        if !(m .!= first).anySet {
            let row = rows + Int(first) * Self.columns
            return (LaneComplex(re: PixelLanes(repeating: row[0]), im: PixelLanes(repeating: row[1])),
                    LaneComplex(re: PixelLanes(repeating: row[2]), im: PixelLanes(repeating: row[3])),
                    LaneComplex(re: PixelLanes(repeating: row[4]), im: PixelLanes(repeating: row[5])),
                    PixelLanes(repeating: row[6]))
        }
        let starts = m * Double(Self.columns)
        @inline(__always) func row(_ lane: Int) -> SIMD8<Double> {
            UnsafeRawPointer(rows + Int(starts[lane])).loadUnaligned(as: SIMD8<Double>.self)
        }
        @inline(__always) func split(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> (even: SIMD8<Double>, odd: SIMD8<Double>) {
            let both = SIMD16(lowHalf: a, highHalf: b)
            return (both.evenHalf, both.oddHalf)
        }
        // Columns of eight rows (lanes base ..< base + 8): after three splits, c[j] holds column j.
        typealias Eight = SIMD8<Double>
        @inline(__always) func columns(_ base: Int) -> (Eight, Eight, Eight, Eight, Eight, Eight, Eight) {
            let (e0, o0) = split(row(base), row(base + 1)), (e1, o1) = split(row(base + 2), row(base + 3))
            let (e2, o2) = split(row(base + 4), row(base + 5)), (e3, o3) = split(row(base + 6), row(base + 7))
            // Columns {0, 4} and {2, 6} from the evens, {1, 5} and {3, 7} from the odds, four rows at a time.
            let (a04, a26) = split(e0, e1), (b04, b26) = split(e2, e3)
            let (a15, a37) = split(o0, o1), (b15, b37) = split(o2, o3)
            let (c0, c4) = split(a04, b04), (c2, c6) = split(a26, b26)
            let (c1, c5) = split(a15, b15), c3 = split(a37, b37).even
            return (c0, c1, c2, c3, c4, c5, c6)
        }
        let low = columns(0), high = columns(8)
        return (LaneComplex(re: PixelLanes(lowHalf: low.0, highHalf: high.0), im: PixelLanes(lowHalf: low.1, highHalf: high.1)),
                LaneComplex(re: PixelLanes(lowHalf: low.2, highHalf: high.2), im: PixelLanes(lowHalf: low.3, highHalf: high.3)),
                LaneComplex(re: PixelLanes(lowHalf: low.4, highHalf: high.4), im: PixelLanes(lowHalf: low.5, highHalf: high.5)),
                PixelLanes(lowHalf: low.6, highHalf: high.6))
    }
}
