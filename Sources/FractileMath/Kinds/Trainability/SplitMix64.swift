#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 and the Box-Muller normals that docs/maps.md "trainability" draws the data and initial weights from, bit
/// for bit: outside checks regenerate the same numbers.
public struct SplitMix64: Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// One draw.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One standard normal from two draws: u1 in (0, 1] so the log is finite, u2 in [0, 1).
    public mutating func normal() -> Double {
        let d1 = next(), d2 = next()
        let u1 = Double((d1 >> 11) + 1) * 0x1p-53
        let u2 = Double(d2 >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
