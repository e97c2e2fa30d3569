#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GradientBasinSettings {
    /// One hue per minimum (a function of the limit alone, never of the order a tile met its attractors), brighter
    /// the faster; grey for saturation, dark red for divergence, a muted tint of where an undecided run heads.
    public func color(of outcome: PixelOutcome) -> RGB {
        let speed = MapColoring.speedFraction(iterations: outcome.iterations, maxIterations: maxIterations)
        switch outcome.regime {
        case .converged:
            return Self.basinColor(of: outcome.finalValue, speed: speed, loss: outcome.loss)
        case .saturated:
            return MapColoring.Ramp.saturated.color(at: speed)
        case .undecided:
            // Where the weight is heading, but muted: it has not arrived.
            return MapColoring.hsv(hue: Self.basinHue(of: outcome.finalValue), saturation: 0.35, value: 0.32)
        default:
            return MapColoring.Ramp.diverged.color(at: speed)
        }
    }

    public func representativeOutcome(of regime: Regime) -> PixelOutcome {
        var outcome = PixelOutcome(regime: regime, iterations: midwayIterations, finalValue: .one)
        if regime == .converged || regime == .undecided {
            outcome.finalValue = Complex(0.74, 0)
            outcome.loss = 0.01
        }
        return outcome
    }

    /// A converged weight's colour: hue names the minimum (a function of the limit alone), brightness says how
    /// fast it got there, and a poor minimum (high loss) is a little darker.
    static func basinColor(of limit: Complex, speed: Double, loss: Double?) -> RGB {
        let fast = 1 - MapColoring.quantised(speed, levels: 6)  // 1 = at once, 0 = used the whole budget
        let poor = MapColoring.quantised(1 - exp(-(loss ?? .infinity)), levels: 2)
        let value = 0.42 + 0.55 * fast - 0.14 * poor
        return MapColoring.hsv(hue: basinHue(of: limit), saturation: 0.72, value: value)
    }

    /// Hue in [0, 1) from arg and |.| of a limit, on 36 steps: the same minimum always gets the same hue, and
    /// minima of the default data that differ by a period of tanh land on clearly different hues.
    static func basinHue(of w: Complex) -> Double {
        guard w.isFinite else { return 0 }
        let turn = atan2(w.im, w.re) / (2 * Double.pi)  // -0.5 ... 0.5
        let ring = log2(1 + w.magnitude) * 0.29
        let hue = (turn + ring + 1.5).truncatingRemainder(dividingBy: 1)
        return (hue * 36).rounded(.down) / 36
    }
}

extension MapColoring.Ramp {
    static let saturated = Self(stops: [(215, 215, 215), (90, 90, 90)], levels: 12)
    static let diverged = Self(stops: [(8, 0, 0), (70, 4, 10), (130, 14, 26)], levels: 16)
}
