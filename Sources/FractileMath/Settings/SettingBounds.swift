/// The range a setting's numbers must fall in: every part (re and im of a complex value, each list element's parts)
/// within `min...max` (or above `min` when `minExclusive`), and a list's length within `count`.
public struct SettingBounds: Sendable, Hashable {
    public var min: Double
    public var max: Double
    public var minExclusive: Bool
    public var count: ClosedRange<Int>?

    public init(min: Double, max: Double, minExclusive: Bool = false, count: ClosedRange<Int>? = nil) {
        self.min = min
        self.max = max
        self.minExclusive = minExclusive
        self.count = count
    }

    /// Any finite number.
    public static let finite = SettingBounds(min: -.greatestFiniteMagnitude, max: .greatestFiniteMagnitude)
    /// A finite number above 0: radii, tolerances.
    public static let positive = SettingBounds(min: 0, max: .greatestFiniteMagnitude, minExclusive: true)

    public static func integers(_ range: ClosedRange<Int>) -> SettingBounds {
        SettingBounds(min: Double(range.lowerBound), max: Double(range.upperBound))
    }

    /// These bounds narrowed to `other` where it is tighter.
    public func narrowed(to other: SettingBounds) -> SettingBounds {
        var result = self
        if other.min > min || (other.min == min && other.minExclusive) {
            result.min = other.min
            result.minExclusive = other.minExclusive
        }
        result.max = Swift.min(max, other.max)
        if let narrower = other.count {
            result.count = count.map { $0.clamped(to: narrower) } ?? narrower
        }
        return result
    }

    /// Why `value` falls outside these bounds, in a phrase that follows the key ("must be ..."); nil when it fits.
    public func violation(by value: SettingValue) -> String? {
        if case .complexList(let list) = value, let count, !count.contains(list.count) {
            return count.lowerBound == count.upperBound
                ? "must have \(count.lowerBound) values" : "must have \(count.lowerBound) to \(count.upperBound) values"
        }
        for part in value.boundedParts {
            let aboveMin = minExclusive ? part > min : part >= min
            guard part.isFinite, aboveMin, part <= max else { return "must be \(rangeText)" }
        }
        return nil
    }

    /// "within [a, b]", "greater than 0", "finite", as the bounds are.
    public var rangeText: String {
        let unbelow = min <= -.greatestFiniteMagnitude, unabove = max >= .greatestFiniteMagnitude
        switch (unbelow, unabove) {
        case (true, true): return "finite"
        case (false, true): return minExclusive ? "finite and greater than \(Self.text(min))" : "at least \(Self.text(min))"
        case (true, false): return "at most \(Self.text(max))"
        case (false, false):
            return minExclusive ? "greater than \(Self.text(min)) and at most \(Self.text(max))"
                : "within [\(Self.text(min)), \(Self.text(max))]"
        }
    }

    /// Integers without ".0", others as Swift writes them (shortest round trip): how errors and URLs write numbers.
    public static func text(_ x: Double) -> String {
        x == x.rounded() && Swift.abs(x) < 1e16 ? String(Int(x)) : x.description
    }
}

extension SettingBounds {
    /// Each part within [-limit, limit].
    public static func parts(_ limit: Double) -> SettingBounds { SettingBounds(min: -limit, max: limit) }
    /// Escape, divergence and explosion radii a URL may ask for.
    public static let radius = SettingBounds(min: 0, max: 1e15, minExclusive: true)
}

extension ClosedRange where Bound == Int {
    /// What config.json may ask of an iteration budget.
    public static var iterations: ClosedRange<Int> { 1...100_000 }
    /// What a URL may ask of one by default: a render stays within seconds.
    public static var liveIterations: ClosedRange<Int> { 1...5_000 }
}
