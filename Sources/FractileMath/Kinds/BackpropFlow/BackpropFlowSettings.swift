/// Settings of a backprop_flow map (docs/maps.md "backprop_flow"); defaults as docs/maps.md gives them.
public struct BackpropFlowSettings: KindSettings, ObservedRule {
    public var weight = AffineParameter(scale: .one, offset: .zero)
    public var input = AffineParameter(scale: .one, offset: .zero)
    public var delta0 = Complex.one
    public var plane = Plane.parameter
    public var maxIterations = 400
    public var explodeRadius = 1e4
    public var vanishRadius = 1e-8
    public var ringTolerance = 0.05

    public init() {}

    public static let kind = MapKind.backpropFlow

    public static let summary = "The error signal of backpropagation, which explodes, vanishes or orbits the unit circle."

    public static let table: [SettingSpec<BackpropFlowSettings>] =
        SettingSpec.affine("weight", "weight w", \.weight, live: .parts(10))
        + SettingSpec.affine("input", "input c", \.input, live: .parts(10))
        + [
            .complex("delta0", "first error delta0", \.delta0, live: .parts(10)),
            .choice("plane", "plane", \.plane),
            .integer("maxIterations", "layers (iterations)", \.maxIterations, valid: .iterations, live: .liveIterations),
            .real("explodeRadius", "explosion radius", \.explodeRadius, valid: .positive, live: .radius),
            .real("vanishRadius", "vanishing radius", \.vanishRadius, valid: .positive,
                  live: SettingBounds(min: 0, max: 1, minExclusive: true)),
            .real("ringTolerance", "unit-circle tolerance", \.ringTolerance, valid: .positive,
                  live: SettingBounds(min: 0, max: 10, minExclusive: true)),
        ]

    public static let legendMeanings: [(regime: Regime, meaning: String)] = [
        (.exploded, "explodes: the gradient blows up"),
        (.vanished, "dies: the error signal vanishes"),
        (.unitCircle, "trains: the error signal keeps its size, near the unit circle"),
        (.bounded, "bounded: the error signal neither dies nor explodes, but drifts off the unit circle"),
    ]

    public static let hasPerturbation = true

    public func validationFailure() -> (key: String, message: String)? {
        vanishRadius < explodeRadius ? nil : ("vanishRadius", "must be less than explodeRadius")
    }

    public func fastOutcomes(_ points: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        withUnsafeTemporaryAllocation(of: (re: PixelLanes, im: PixelLanes).self, capacity: BackpropFlowLanes.historyLength) { history in
            var kernel = BackpropFlowLanes(settings: self, history: history.baseAddress!)
            kernel.run(points, into: outcomes)
        }
    }

    public func probe(at p: Complex) -> ProbeResult { recordedProbe(at: p) }

    public func perturbationRun(at point: WideComplex, pixel: Double?) -> any PerturbationRun {
        BackpropFlowReference(settings: self, at: point)
    }

    public static func writeProbeFields(of result: ProbeResult, re: Double, im: Double, to json: inout JSONWriter) {
        json.key("ring", result.ring)
        json.key("magnitude", result.magnitude)
    }
}

extension MapKind {
    public static let backpropFlow = MapKind(rawValue: "backprop_flow")
}

extension MapSettings {
    public static func backpropFlow(_ settings: BackpropFlowSettings) -> MapSettings { MapSettings(settings) }
}
