/// What happened to one pixel's network, by the exact names of docs/maps.md. Each kind lists the regimes it reports
/// (`KindSettings.legendMeanings`); kinds that train share `converged` and `diverged`.
public enum Regime: String, Sendable, CaseIterable {
    // forward_pass
    case escaped, ordered, chaotic
    // gradient_basin (and trainability: converged, diverged)
    case diverged, converged, saturated, undecided
    // backprop_flow
    case exploded, vanished, unitCircle = "unit_circle", bounded
    // trainability
    case stalled
}
