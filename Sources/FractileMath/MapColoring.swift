#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The palettes: each regime its own family of colours, shaded by that regime's continuous quantity.
///
/// A colour depends only on the pixel's own outcome (and the map's iteration budget), never on its neighbours or
/// on the order pixels were met, so separately rendered tiles meet seamlessly. Every family is quantised to a few
/// shades (at most 24; basins: 36 hues times 12 shades) so that most tiles fit a 256-colour PNG palette.
public enum MapColoring {
    /// The colour of one pixel of a map with these settings (its N shades speed on a log scale; its ring
    /// tolerance shades unit_circle).
    public static func color(of outcome: PixelOutcome, for settings: MapSettings) -> RGB {
        let speed = speedFraction(iterations: outcome.iterations, maxIterations: settings.maxIterations)
        var tolerance = 0.05
        if case .backpropFlow(let flow) = settings { tolerance = flow.ringTolerance }
        switch outcome.regime {
        case .ordered:
            // Contraction factor e^(λ/2): deep negative λ (strongly stable) -> navy, λ near 0 -> pale cyan.
            return Ramp.ordered.color(at: exp((outcome.lyapunov ?? -.infinity) / 2))
        case .chaotic:
            // λ near 0 is pale too, so the edge of chaos shows as a bright seam between the two families.
            return Ramp.chaotic.color(at: 1 - exp(-(outcome.lyapunov ?? 0) / 0.5))
        case .escaped:
            return Ramp.escaped.color(at: speed)
        case .converged:
            return basinColor(of: outcome.finalValue, speed: speed, loss: outcome.loss)
        case .saturated:
            return Ramp.saturated.color(at: speed)
        case .diverged:
            return Ramp.diverged.color(at: speed)
        case .undecided:
            // Where the weight is heading, but muted: it has not arrived.
            let hue = basinHue(of: outcome.finalValue)
            return hsv(hue: hue, saturation: 0.35, value: 0.32)
        case .unitCircle:
            return Ramp.unitCircle.color(at: (outcome.ring ?? 0) / tolerance)
        case .bounded:
            // Teal when the signal settles inside the unit circle, olive outside; paler the nearer it stays to it,
            // on a log scale from the tolerance (palest) to 100 times it (darkest).
            let distance = log10((outcome.ring ?? .infinity) / tolerance) / 2
            return (outcome.magnitude < 1 ? Ramp.boundedInside : Ramp.boundedOutside).color(at: distance)
        case .exploded:
            return Ramp.exploded.color(at: speed)
        case .vanished:
            return Ramp.vanished.color(at: speed)
        }
    }

    /// log(iterations) / log(N) in [0, 1]: 0 for a run that stopped at once, 1 for one that used its budget.
    static func speedFraction(iterations: Int, maxIterations: Int) -> Double {
        guard maxIterations > 1 else { return 1 }
        return log(Double(Swift.max(iterations, 1))) / log(Double(maxIterations))
    }

    /// A converged weight's colour: hue names the minimum (a function of the limit alone), brightness says how
    /// fast it got there, and a poor minimum (high loss) is a little darker.
    static func basinColor(of limit: Complex, speed: Double, loss: Double?) -> RGB {
        let fast = 1 - quantised(speed, levels: 6)  // 1 = at once, 0 = used the whole budget
        let poor = quantised(1 - exp(-(loss ?? .infinity)), levels: 2)
        let value = 0.42 + 0.55 * fast - 0.14 * poor
        return hsv(hue: basinHue(of: limit), saturation: 0.72, value: value)
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

    /// x in [0, 1] rounded down to one of `levels` values k / (levels - 1); NaN counts as 0.
    static func quantised(_ x: Double, levels: Int) -> Double {
        guard x.isFinite || x == .infinity else { return 0 }
        let clamped = Swift.min(Swift.max(x, 0), 1)
        let level = Swift.min(Int(clamped * Double(levels)), levels - 1)
        return Double(level) / Double(levels - 1)
    }

    static func hsv(hue: Double, saturation s: Double, value v: Double) -> RGB {
        let h = hue * 6
        let sector = Int(h.rounded(.down)) % 6
        let f = h - h.rounded(.down)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let (r, g, b): (Double, Double, Double) =
            switch sector {
            case 0: (v, t, p)
            case 1: (q, v, p)
            case 2: (p, v, t)
            case 3: (p, q, v)
            case 4: (t, p, v)
            default: (v, p, q)
            }
        return RGB(byte(r), byte(g), byte(b))
    }

    static func byte(_ x: Double) -> UInt8 { UInt8(Swift.min(Swift.max(x * 255, 0), 255).rounded()) }

    /// A colour family: a piecewise-linear path through a few colours, sampled at a fixed number of shades.
    struct Ramp {
        let stops: [(Double, Double, Double)]
        let levels: Int

        /// The colour at position x in [0, 1] (clamped; NaN gives the first shade).
        func color(at x: Double) -> RGB {
            let position = quantised(x, levels: levels) * Double(stops.count - 1)
            let index = Swift.min(Int(position), stops.count - 2)
            let f = position - Double(index)
            let (a, b) = (stops[index], stops[index + 1])
            return RGB(
                UInt8((a.0 + (b.0 - a.0) * f).rounded()),
                UInt8((a.1 + (b.1 - a.1) * f).rounded()),
                UInt8((a.2 + (b.2 - a.2) * f).rounded()))
        }

        static let ordered = Ramp(stops: [(6, 12, 52), (24, 70, 170), (80, 170, 230), (205, 248, 255)], levels: 20)
        static let chaotic = Ramp(stops: [(255, 250, 205), (252, 196, 64), (232, 84, 112), (176, 24, 150), (92, 8, 96)], levels: 20)
        static let escaped = Ramp(stops: [(22, 6, 6), (78, 24, 16), (140, 62, 34)], levels: 16)
        static let saturated = Ramp(stops: [(215, 215, 215), (90, 90, 90)], levels: 12)
        static let diverged = Ramp(stops: [(8, 0, 0), (70, 4, 10), (130, 14, 26)], levels: 16)
        static let unitCircle = Ramp(stops: [(180, 255, 170), (70, 200, 90), (20, 120, 50)], levels: 16)
        static let boundedInside = Ramp(stops: [(140, 232, 215), (34, 150, 150), (8, 60, 66)], levels: 16)
        static let boundedOutside = Ramp(stops: [(232, 226, 140), (160, 165, 62), (66, 74, 24)], levels: 16)
        static let exploded = Ramp(stops: [(90, 10, 0), (200, 60, 10), (255, 170, 60)], levels: 16)
        static let vanished = Ramp(stops: [(10, 6, 60), (60, 30, 140), (170, 130, 230)], levels: 16)
    }
}

extension MapColoring {
    /// A typical shade of the regime's family, for legends.
    public static func representative(of regime: Regime, for settings: MapSettings) -> RGB {
        let n = Swift.max(settings.maxIterations, 1)
        let midway = Int(Double(n).squareRoot().rounded())  // halfway on the log-speed scale
        var outcome = PixelOutcome(regime: regime, iterations: midway, finalValue: .one)
        switch regime {
        case .ordered: outcome.lyapunov = -1
        case .chaotic: outcome.lyapunov = 0.4
        case .converged, .undecided: outcome.finalValue = Complex(0.74, 0); outcome.loss = 0.01
        case .unitCircle: outcome.ring = 0.01
        case .bounded: outcome.ring = 0.3; outcome.finalValue = Complex(1.3, 0)
        default: break
        }
        return color(of: outcome, for: settings)
    }
}
