#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of a trainability map (docs/maps.md "trainability"); defaults and bounds as docs/maps.md gives them.
public struct TrainabilitySettings: KindSettings {
    /// h: hidden units, and features per input (1...32).
    public var width = 4
    /// n as given; nil means h*h + h, as many training points as the network has parameters.
    public var points: Int?
    /// The SplitMix64 state the data and initial weights are drawn from (0...2^53).
    public var seed = 1
    /// T: training steps (20...100000).
    public var maxIterations = 100
    /// A run diverges once L_s / L_0 exceeds this.
    public var divergeLoss = 1e6

    public init() {}

    /// n: training points (1...1024), h*h + h unless given: the table's `points`.
    public var pointCount: Int {
        get { points ?? width * width + width }
        set { points = newValue }
    }

    /// The regime test averages r_s over the last this many steps.
    static let tailLength = 20

    public static let kind = MapKind.trainability

    public static let summary =
        "A small tanh network trained once per pixel, with the two layers' learning rates 10^re and 10^im: which train, which blow up."

    public static let table: [SettingSpec<TrainabilitySettings>] = [
        .integer("width", "hidden units h", \.width, valid: 1...32, live: 1...16),
        .integer("points", "training points n", \.pointCount, valid: 1...1024, live: 1...256),
        .integer("seed", "data seed", \.seed, valid: 0...(1 << 53), live: 0...(1 << 53)),
        .integer("maxIterations", "training steps T", \.maxIterations, valid: 20...100_000, live: 20...2_000),
        .real("divergeLoss", "divergence loss ratio", \.divergeLoss,
              valid: SettingBounds(min: 1, max: .greatestFiniteMagnitude, minExclusive: true),
              live: SettingBounds(min: 1, max: 1e15, minExclusive: true)),
    ]

    public static let legendMeanings: [(regime: Regime, meaning: String)] = [
        (.converged, "trains: the loss falls (brighter = faster)"),
        (.diverged, "blows up: the loss explodes (darker = sooner; the bright rim is the edge of trainability)"),
        (.stalled, "stalls: after T steps the loss is no lower than where it started"),
    ]

    public func validationFailure() -> (key: String, message: String)? {
        guard points == nil, pointCount > 1024 else { return nil }
        return ("points", "must be within [1, 1024]; width \(width) makes it h*h + h = \(pointCount), so give points")
    }

    /// The pixel's learning rates: eta_1 = 10^p.re (input layer), eta_2 = 10^p.im (output layer).
    public static func learningRates(at p: Complex) -> (input: Double, output: Double) {
        (pow(10, p.re), pow(10, p.im))
    }

    public static func writeProbeFields(of result: ProbeResult, re: Double, im: Double, to json: inout JSONWriter) {
        let (eta1, eta2) = learningRates(at: Complex(re, im))
        json.key("learningRates", array: [eta1, eta2]) { $0.number($1) }
        json.key("lossCurve", array: result.lossCurve) { $0.number($1) }
        json.key("loss", result.loss)
    }
}

extension MapKind {
    public static let trainability = MapKind(rawValue: "trainability")
}

extension MapSettings {
    public static func trainability(_ settings: TrainabilitySettings) -> MapSettings { MapSettings(settings) }
}
