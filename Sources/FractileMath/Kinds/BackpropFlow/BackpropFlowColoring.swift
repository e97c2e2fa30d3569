#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension BackpropFlowSettings {
    /// Green near the unit circle (paler the closer), teal or olive for a bounded signal inside or outside it,
    /// orange for explosion and purple for vanishing, shaded by how soon.
    public func color(of outcome: PixelOutcome) -> RGB {
        switch outcome.regime {
        case .unitCircle:
            return MapColoring.Ramp.unitCircle.color(at: (outcome.ring ?? 0) / ringTolerance)
        case .bounded:
            // Paler the nearer it stays to the circle, on a log scale from the tolerance (palest) to 100 times it.
            let distance = log10((outcome.ring ?? .infinity) / ringTolerance) / 2
            return (outcome.magnitude < 1 ? MapColoring.Ramp.boundedInside : MapColoring.Ramp.boundedOutside)
                .color(at: distance)
        case .vanished:
            return MapColoring.Ramp.vanished.color(at: speed(of: outcome))
        default:
            return MapColoring.Ramp.exploded.color(at: speed(of: outcome))
        }
    }

    private func speed(of outcome: PixelOutcome) -> Double {
        MapColoring.speedFraction(iterations: outcome.iterations, maxIterations: maxIterations)
    }

    public func representativeOutcome(of regime: Regime) -> PixelOutcome {
        var outcome = PixelOutcome(regime: regime, iterations: midwayIterations, finalValue: .one)
        if regime == .unitCircle { outcome.ring = 0.01 }
        if regime == .bounded {
            outcome.ring = 0.3
            outcome.finalValue = Complex(1.3, 0)
        }
        return outcome
    }
}

extension MapColoring.Ramp {
    static let unitCircle = Self(stops: [(180, 255, 170), (70, 200, 90), (20, 120, 50)], levels: 16)
    static let boundedInside = Self(stops: [(140, 232, 215), (34, 150, 150), (8, 60, 66)], levels: 16)
    static let boundedOutside = Self(stops: [(232, 226, 140), (160, 165, 62), (66, 74, 24)], levels: 16)
    static let exploded = Self(stops: [(90, 10, 0), (200, 60, 10), (255, 170, 60)], levels: 16)
    static let vanished = Self(stops: [(10, 6, 60), (60, 30, 140), (170, 130, 230)], levels: 16)
}
