extension SIMDMask where Storage == SIMD16<Int64> {
    /// Whether any lane is set, inline: the standard library's `any` calls an out-of-line `min()` over the stored
    /// mask, whose reload stalls on the store (a third of a deep forward-pass tile's time, perf).
    @inline(__always) var anySet: Bool {
        let lanes = unsafeBitCast(self, to: SIMD16<Int64>.self)
        let eight = lanes.lowHalf | lanes.highHalf
        let four = eight.lowHalf | eight.highHalf
        let two = four.lowHalf | four.highHalf
        return two[0] | two[1] != 0
    }

    /// Whether every lane is set, inline (see `anySet`).
    @inline(__always) var allSet: Bool { !(.!self).anySet }
}
