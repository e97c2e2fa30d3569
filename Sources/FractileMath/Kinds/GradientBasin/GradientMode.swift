/// Gradient of the training loss: holomorphic, or the Wirtinger (conjugate) gradient the frameworks compute.
public enum GradientMode: String, Sendable, CaseIterable {
    case holomorphic
    case wirtinger
}
