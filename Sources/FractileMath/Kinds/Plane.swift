/// Which complex number the pixel stands for (MAPS.md: plane "parameter" or "input"), in forward_pass and
/// backprop_flow.
public enum Plane: String, Sendable, CaseIterable {
    case parameter
    case input
}
