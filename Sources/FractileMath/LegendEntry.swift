/// One line of a map's legend: a regime, a colour typical of it, and what it means for the network.
public struct LegendEntry: Sendable, Hashable {
    public var regime: Regime
    /// A representative shade of the regime's colour family.
    public var color: RGB
    public var meaning: String

    public init(regime: Regime, color: RGB, meaning: String) {
        self.regime = regime
        self.color = color
        self.meaning = meaning
    }
}
