/// The three kinds of map of MAPS.md, by the names that config.json and the probe JSON use.
public enum MapKind: String, Sendable, CaseIterable {
    case forwardPass = "forward_pass"
    case gradientBasin = "gradient_basin"
    case backpropFlow = "backprop_flow"
}

/// Which complex number the pixel stands for (MAPS.md: plane "parameter" or "input").
public enum Plane: String, Sendable, CaseIterable {
    case parameter
    case input
}

/// Gradient of the training loss: holomorphic, or the Wirtinger (conjugate) gradient the frameworks compute.
public enum GradientMode: String, Sendable, CaseIterable {
    case holomorphic
    case wirtinger
}
