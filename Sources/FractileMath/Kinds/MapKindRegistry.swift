/// The kinds of map fractile knows: one line per kind. Everything else about a kind lives in its folder under
/// Kinds/ (settings table, scalar rule, lane kernel, deep reference, colouring, legend, probe fields).
public enum MapKindRegistry {
    public static let kinds: [any KindSettings.Type] = [
        ForwardPassSettings.self,
        GradientBasinSettings.self,
        BackpropFlowSettings.self,
        TrainabilitySettings.self,
    ]

    /// The settings type of a kind, nil for a name no kind has.
    public static func type(of kind: MapKind) -> (any KindSettings.Type)? {
        kinds.first { $0.kind == kind }
    }
}
