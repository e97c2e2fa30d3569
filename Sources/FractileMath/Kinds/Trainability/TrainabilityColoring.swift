#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The trainability palette: blues for networks that train (brighter = the loss fell faster), reds to yellow for
/// networks that blow up (brighter = later, so the rim of the boundary glows), olive for runs that stall.
/// A colour depends only on the pixel's own outcome and T, so tiles meet seamlessly; a few shades per family keep
/// most tiles within a 256-colour PNG palette.
public enum TrainabilityColoring {
    public static func color(of outcome: TrainabilityOutcome, maxIterations: Int) -> RGB {
        switch outcome.regime {
        case .converged:
            // mean r_s 1 (barely moved) -> deep blue; 0.03 (fell 30-fold on average) -> pale cyan.
            return trains.color(at: -log10(outcome.meanRatio) / 1.5)
        case .diverged:
            return blowsUp.color(at: MapColoring.speedFraction(iterations: outcome.iterations, maxIterations: maxIterations))
        case .stalled:
            return stalls.color(at: log10(outcome.meanRatio) / 2)
        }
    }

    static let trains = MapColoring.Ramp(stops: [(8, 22, 70), (30, 90, 180), (90, 180, 235), (210, 245, 255)], levels: 20)
    static let blowsUp = MapColoring.Ramp(stops: [(40, 4, 8), (150, 20, 24), (235, 110, 30), (255, 220, 120)], levels: 20)
    static let stalls = MapColoring.Ramp(stops: [(150, 160, 70), (80, 90, 30)], levels: 6)

    /// What each regime means for the network, for legends.
    public static func meaning(of regime: TrainabilityOutcome.Regime) -> String {
        switch regime {
        case .converged: "trains: the loss falls (brighter = faster)"
        case .diverged: "blows up: the loss explodes (darker = sooner; the bright rim is the edge of trainability)"
        case .stalled: "stalls: after T steps the loss is no lower than at the start"
        }
    }

    /// A typical shade of each regime, in legend order.
    public static func representative(of regime: TrainabilityOutcome.Regime, maxIterations: Int) -> RGB {
        let midway = Int(Double(Swift.max(maxIterations, 1)).squareRoot().rounded())
        let outcome = TrainabilityOutcome(regime: regime, iterations: regime == .diverged ? midway : maxIterations,
                                          loss: 1, meanRatio: regime == .converged ? 0.2 : 3)
        return color(of: outcome, maxIterations: maxIterations)
    }
}
