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

extension Regime {
    /// What the regime means for the network, in plain words.
    public var meaning: String {
        switch self {
        case .escaped: "blows up: the activations run off to infinity"
        case .ordered: "ordered: nearby inputs converge to the same output (darker = more stable)"
        case .chaotic: "chaotic: tiny input changes grow; the bright seam is the edge of chaos at λ=0"
        case .converged: "trains: converges to a minimum (hue = which minimum, brighter = faster)"
        case .saturated: "stuck: every tanh saturated and the gradient died"
        case .diverged: "diverges: the weight runs off to infinity"
        case .undecided: "undecided: still wandering when the budget ran out (tint = where it is heading)"
        case .unitCircle: "trains: the error signal keeps its size, near the unit circle"
        case .bounded: "bounded: the error signal neither dies nor explodes, but drifts off the unit circle"
        case .exploded: "explodes: the gradient blows up"
        case .vanished: "dies: the error signal vanishes"
        }
    }
}
