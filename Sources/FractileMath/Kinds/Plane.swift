/// Which complex number the pixel stands for (docs/maps.md: plane "parameter" or "input"), in forward_pass and
/// backprop_flow.
public enum Plane: String, Sendable, CaseIterable {
    case parameter
    case input
}
