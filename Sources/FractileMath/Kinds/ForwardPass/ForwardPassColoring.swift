#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ForwardPassSettings {
    /// Blue for order (darker = more stable), warm for chaos, pale where λ nears 0 on either side, so the edge of
    /// chaos shows as a bright seam; dark red for escape, shaded by speed.
    public func color(of outcome: PixelOutcome) -> RGB {
        switch outcome.regime {
        case .ordered:
            // Contraction factor e^(λ/2): deep negative λ (strongly stable) -> navy, λ near 0 -> pale cyan.
            MapColoring.Ramp.ordered.color(at: exp((outcome.lyapunov ?? -.infinity) / 2))
        case .chaotic:
            MapColoring.Ramp.chaotic.color(at: 1 - exp(-(outcome.lyapunov ?? 0) / 0.5))
        default:
            MapColoring.Ramp.escaped.color(
                at: MapColoring.speedFraction(iterations: outcome.iterations, maxIterations: maxIterations))
        }
    }

    public func representativeOutcome(of regime: Regime) -> PixelOutcome {
        var outcome = PixelOutcome(regime: regime, iterations: midwayIterations, finalValue: .one)
        if regime == .ordered { outcome.lyapunov = -1 }
        if regime == .chaotic { outcome.lyapunov = 0.4 }
        return outcome
    }
}

extension MapColoring.Ramp {
    static let ordered = Self(stops: [(6, 12, 52), (24, 70, 170), (80, 170, 230), (205, 248, 255)], levels: 20)
    static let chaotic = Self(stops: [(255, 250, 205), (252, 196, 64), (232, 84, 112), (176, 24, 150), (92, 8, 96)], levels: 20)
    static let escaped = Self(stops: [(22, 6, 6), (78, 24, 16), (140, 62, 34)], levels: 16)
}
