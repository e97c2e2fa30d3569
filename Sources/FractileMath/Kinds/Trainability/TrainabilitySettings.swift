#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of a trainability map; defaults and bounds as MAPS.md "trainability" gives them.
public struct TrainabilitySettings: Sendable, Hashable {
    /// h: hidden units, and features per input (1...32).
    public var width = 4
    /// n: training points (1...1024); nil means h*h + h, as many as the network has parameters.
    public var points: Int?
    /// The SplitMix64 state the data and initial weights are drawn from (0...2^53).
    public var seed: UInt64 = 1
    /// T: training steps (20...100000).
    public var maxIterations = 100
    /// A run diverges once L_s / L_0 exceeds this.
    public var divergeLoss = 1e6

    public init() {}

    /// n as the run uses it.
    public var pointCount: Int { points ?? width * width + width }

    public static let widthRange = 1...32
    public static let pointsRange = 1...1024
    public static let seedRange: ClosedRange<UInt64> = 0...(1 << 53)
    public static let maxIterationsRange = 20...100_000
    /// The regime test averages r_s over the last this many steps.
    public static let tailLength = 20

    /// The pixel's learning rates: eta_1 = 10^p.re (input layer), eta_2 = 10^p.im (output layer).
    public static func learningRates(at p: Complex) -> (input: Double, output: Double) {
        (pow(10, p.re), pow(10, p.im))
    }
}
