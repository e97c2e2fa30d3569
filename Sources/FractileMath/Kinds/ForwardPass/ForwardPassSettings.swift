/// Settings of a forward_pass map (docs/maps.md "forward_pass"); defaults as docs/maps.md gives them.
public struct ForwardPassSettings: KindSettings, ObservedRule {
    public var weight = AffineParameter(scale: .one, offset: .zero)
    public var bias = AffineParameter(scale: Complex(0, 0.3), offset: .zero)
    public var z0 = Complex.zero
    public var plane = Plane.parameter
    public var maxIterations = 400
    public var escapeRadius = 1e4

    public init() {}

    public static let kind = MapKind.forwardPass

    public static let summary =
        "A layer applied again and again, z -> tanh(w*z + b): each pixel a network that escapes, settles or turns chaotic."

    public static let table: [SettingSpec<ForwardPassSettings>] =
        SettingSpec.affine("weight", "weight w", \.weight, live: .parts(10))
        + SettingSpec.affine("bias", "bias b", \.bias, live: .parts(10))
        + [
            .complex("z0", "first activation z0", \.z0, live: .parts(10)),
            .choice("plane", "plane", \.plane),
            .integer("maxIterations", "layers (iterations)", \.maxIterations, valid: .iterations, live: .liveIterations),
            .real("escapeRadius", "escape radius", \.escapeRadius, valid: .positive, live: .radius),
        ]

    public static let legendMeanings: [(regime: Regime, meaning: String)] = [
        (.escaped, "blows up: the activations run off to infinity"),
        (.ordered, "ordered: nearby inputs converge to the same output (darker = more stable)"),
        (.chaotic, "chaotic: tiny input changes grow; the bright seam is the edge of chaos at λ=0"),
    ]

    public static let hasPerturbation = true

    public func fastOutcomes(_ points: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        withUnsafeTemporaryAllocation(of: Complex.self, capacity: ForwardPassLanes.historyLength * PixelLanes.scalarCount) { history in
            var kernel = ForwardPassLanes(settings: self, history: history.baseAddress!)
            kernel.run(points, into: outcomes)
        }
    }

    public func probe(at p: Complex) -> ProbeResult { recordedProbe(at: p) }

    public func perturbationRun(at point: WideComplex, pixel: Double?) -> any PerturbationRun {
        ForwardPassReference(settings: self, at: point)
    }

    public static func writeProbeFields(of result: ProbeResult, re: Double, im: Double, to json: inout JSONWriter) {
        json.key("lyapunov", result.lyapunov)
        json.key("period", integer: result.period)
    }
}

extension MapKind {
    public static let forwardPass = MapKind(rawValue: "forward_pass")
}

extension MapSettings {
    public static func forwardPass(_ settings: ForwardPassSettings) -> MapSettings { MapSettings(settings) }
}
