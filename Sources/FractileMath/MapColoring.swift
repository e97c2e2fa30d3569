#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the kinds' palettes are made of (each kind's own colouring is in its folder): each regime its own family
/// of colours, shaded by that regime's continuous quantity.
///
/// A colour depends only on the pixel's own outcome (and the map's iteration budget), never on its neighbours or
/// on the order pixels were met, so separately rendered tiles meet seamlessly. Every family is quantised to a few
/// shades (at most 24; basins: 36 hues times 12 shades) so that most tiles fit a 256-colour PNG palette.
public enum MapColoring {
    /// log(iterations) / log(N) in [0, 1]: 0 for a run that stopped at once, 1 for one that used its budget.
    static func speedFraction(iterations: Int, maxIterations: Int) -> Double {
        guard maxIterations > 1 else { return 1 }
        return log(Double(Swift.max(iterations, 1))) / log(Double(maxIterations))
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
    }
}
