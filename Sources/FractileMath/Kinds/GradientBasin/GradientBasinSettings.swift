/// Settings of a gradient_basin map (docs/maps.md "gradient_basin"); defaults as docs/maps.md gives them.
public struct GradientBasinSettings: KindSettings, ObservedRule {
    public var dataX: [Complex] = [-1, -0.5, 0.5, 1].map { Complex($0) }
    public var dataY: [Complex] = [-0.6, -0.3, 0.35, 0.7].map { Complex($0) }
    public var learningRate = Complex(0.5)
    public var gradient = GradientMode.holomorphic
    public var maxIterations = 256
    public var divergeRadius = 1e6

    public init() {}

    public static let kind = MapKind.gradientBasin

    public static let summary =
        "Gradient descent on a tiny dataset from every starting weight, coloured by the minimum it trains into."

    /// Datasets a URL may ask for: up to 64 points of moderate size.
    static let liveData = SettingBounds(min: -100, max: 100, count: 1...64)

    public static let table: [SettingSpec<GradientBasinSettings>] = [
        .complexList("data.x", "inputs x", \.dataX, live: liveData, sameLengthAs: "data.y", requiredInGroup: true),
        .complexList("data.y", "targets y", \.dataY, live: liveData, sameLengthAs: "data.x", requiredInGroup: true),
        .complex("learningRate", "learning rate", \.learningRate, live: .parts(100)),
        .choice("gradient", "gradient", \.gradient),
        .integer("maxIterations", "training steps", \.maxIterations, valid: .iterations, live: .liveIterations),
        .real("divergeRadius", "divergence radius", \.divergeRadius, valid: .positive, live: .radius),
    ]

    public static let legendMeanings: [(regime: Regime, meaning: String)] = [
        (.diverged, "diverges: the weight runs off to infinity"),
        (.converged, "trains: converges to a minimum (hue = which minimum, brighter = faster)"),
        (.saturated, "stuck: every tanh saturated and the gradient died"),
        (.undecided, "undecided: still wandering when the budget ran out (tint = where it is heading)"),
    ]

    public static let hasPerturbation = true

    public func fastOutcomes(_ points: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        GradientBasinLanes.with(settings: self) { kernel in
            var kernel = kernel
            kernel.run(points, into: outcomes)
        }
    }

    public func probe(at p: Complex) -> ProbeResult { recordedProbe(at: p) }

    func probeResult(outcome: PixelOutcome, orbit: [Complex]) -> ProbeResult {
        ProbeResult(kind: Self.kind, outcome: outcome, orbit: orbit, lossCurve: orbit.map { loss(at: $0) })
    }

    public func perturbationRun(at point: WideComplex, pixel: Double?) -> any PerturbationRun {
        GradientBasinReference(settings: self, at: point, pixel: pixel)
    }

    public static func writeProbeFields(of result: ProbeResult, re: Double, im: Double, to json: inout JSONWriter) {
        json.key("limit", result.limit)
        json.key("loss", result.loss)
        json.key("lossCurve", array: result.lossCurve) { $0.number($1) }
    }
}

extension MapKind {
    public static let gradientBasin = MapKind(rawValue: "gradient_basin")
}

extension MapSettings {
    public static func gradientBasin(_ settings: GradientBasinSettings) -> MapSettings { MapSettings(settings) }
}
