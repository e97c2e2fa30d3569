/// Settings of a forward_pass map; defaults as MAPS.md gives them.
public struct ForwardPassSettings: Sendable, Hashable {
    public var weight = AffineParameter(scale: .one, offset: .zero)
    public var bias = AffineParameter(scale: Complex(0, 0.3), offset: .zero)
    public var z0 = Complex.zero
    public var plane = Plane.parameter
    public var maxIterations = 400
    public var escapeRadius = 1e4

    public init() {}
}

/// Settings of a gradient_basin map; defaults as MAPS.md gives them.
public struct GradientBasinSettings: Sendable, Hashable {
    public var dataX: [Complex] = [-1, -0.5, 0.5, 1].map { Complex($0) }
    public var dataY: [Complex] = [-0.6, -0.3, 0.35, 0.7].map { Complex($0) }
    public var learningRate = Complex(0.5)
    public var gradient = GradientMode.holomorphic
    public var maxIterations = 256
    public var divergeRadius = 1e6

    public init() {}
}

/// Settings of a backprop_flow map; defaults as MAPS.md gives them.
public struct BackpropFlowSettings: Sendable, Hashable {
    public var weight = AffineParameter(scale: .one, offset: .zero)
    public var input = AffineParameter(scale: .one, offset: .zero)
    public var delta0 = Complex.one
    public var plane = Plane.parameter
    public var maxIterations = 400
    public var explodeRadius = 1e4
    public var vanishRadius = 1e-8
    public var ringTolerance = 0.05

    public init() {}
}

/// The math of one map: its kind and every setting that decides a pixel's fate.
public enum MapSettings: Sendable, Hashable {
    case forwardPass(ForwardPassSettings)
    case gradientBasin(GradientBasinSettings)
    case backpropFlow(BackpropFlowSettings)

    public var kind: MapKind {
        switch self {
        case .forwardPass: .forwardPass
        case .gradientBasin: .gradientBasin
        case .backpropFlow: .backpropFlow
        }
    }

    public var maxIterations: Int {
        switch self {
        case .forwardPass(let s): s.maxIterations
        case .gradientBasin(let s): s.maxIterations
        case .backpropFlow(let s): s.maxIterations
        }
    }
}
