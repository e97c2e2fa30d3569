/// A kind of map (docs/maps.md: `forward_pass`, `gradient_basin`, `backprop_flow`, `trainability`), by the name that
/// config.json and the probe JSON use. Each kind defines its constant in its own folder under Kinds/, and
/// `MapKindRegistry` lists the kinds the server knows.
public struct MapKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// Every registered kind, in registry order.
    public static var allCases: [MapKind] { MapKindRegistry.kinds.map { $0.kind } }

    /// The regimes a map of this kind can report, in legend order.
    public var regimes: [Regime] { MapKindRegistry.type(of: self)?.legendMeanings.map(\.regime) ?? [] }
}
