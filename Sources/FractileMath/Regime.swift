/// What happened to one pixel's network, by the exact names of MAPS.md.
public enum Regime: String, Sendable, CaseIterable {
    // forward_pass
    case escaped, ordered, chaotic
    // gradient_basin
    case diverged, converged, saturated, undecided
    // backprop_flow
    case exploded, vanished, unitCircle = "unit_circle", bounded

    /// The kind of map this regime belongs to; every regime name belongs to exactly one kind.
    public var kind: MapKind {
        switch self {
        case .escaped, .ordered, .chaotic: .forwardPass
        case .diverged, .converged, .saturated, .undecided: .gradientBasin
        case .exploded, .vanished, .unitCircle, .bounded: .backpropFlow
        }
    }
}

extension MapKind {
    /// The regimes a map of this kind can report, in legend order.
    public var regimes: [Regime] { Regime.allCases.filter { $0.kind == self } }
}
