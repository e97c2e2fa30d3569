#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TrainabilitySettings {
    /// Blues for networks that train (brighter = the loss fell faster), dark red to yellow for networks that blow
    /// up (brighter = later, so the rim of the boundary glows), olive for runs that stall. A function of the
    /// outcome and T alone, so tiles meet seamlessly; a few shades per family keep tiles within a PNG palette.
    public func color(of outcome: PixelOutcome) -> RGB {
        switch outcome.regime {
        case .converged:
            // mean r_s 1 (barely moved) -> deep blue; 0.03 (fell 30-fold on average) -> pale cyan.
            return MapColoring.Ramp.trains.color(at: -log10(outcome.meanLossRatio ?? 1) / 1.5)
        case .stalled:
            return MapColoring.Ramp.stalls.color(at: log10(outcome.meanLossRatio ?? 1) / 2)
        default:
            return MapColoring.Ramp.blowsUp.color(
                at: MapColoring.speedFraction(iterations: outcome.iterations, maxIterations: maxIterations))
        }
    }

    public func representativeOutcome(of regime: Regime) -> PixelOutcome {
        PixelOutcome(regime: regime, iterations: regime == .diverged ? midwayIterations : maxIterations,
                     finalValue: .zero, loss: 1, meanLossRatio: regime == .converged ? 0.2 : 3)
    }
}

extension MapColoring.Ramp {
    static let trains = Self(stops: [(8, 22, 70), (30, 90, 180), (90, 180, 235), (210, 245, 255)], levels: 20)
    static let blowsUp = Self(stops: [(40, 4, 8), (150, 20, 24), (235, 110, 30), (255, 220, 120)], levels: 20)
    static let stalls = Self(stops: [(150, 160, 70), (80, 90, 30)], levels: 6)
}
