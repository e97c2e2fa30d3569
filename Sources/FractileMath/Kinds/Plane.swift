/// Which complex number the pixel stands for (docs/maps.md: plane "parameter" or "input"), in forward_pass and
/// backprop_flow.
public enum Plane: String, Sendable, CaseIterable {
    case parameter
    case input

    /// How a deep pixel's offset from its tile's centre enters the orbit: in the parameter plane it moves w and the
    /// map's second parameter (forward_pass's b, backprop_flow's c) by their scales; in the input plane, the state.
    @inline(__always)
    func split(_ offset: Complex, weightScale: Complex,
               secondScale: Complex) -> (dw: Complex, dSecond: Complex, dState: Complex) {
        switch self {
        case .parameter: (weightScale * offset, secondScale * offset, .zero)
        case .input: (.zero, .zero, offset)
        }
    }
}
