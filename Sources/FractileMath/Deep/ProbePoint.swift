/// Where the probe looks, read from two decimal strings, and so in which arithmetic it computes.
///
/// With at most 17 significant digits per part (all a double can tell apart) the point is the nearest double and
/// the run is the double loop, exactly as docs/maps.md's checks compute it. With more digits the point is read to 192
/// fractional bits and the run is the fixed-point reference orbit at that point: the arithmetic of deep tiles.
public enum ProbePoint: Sendable {
    case double(Complex)
    case wide(WideComplex)

    /// Digits a double holds: more than this asks for the deep arithmetic.
    public static let doubleDigits = 17

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notADecimal(String)
        case outOfRange(String)

        public var description: String {
            switch self {
            case .notADecimal(let text): "\(text) is not a finite decimal number"
            case .outOfRange(let text): "\(text) has more digits than a double holds, and is too large for deep arithmetic"
            }
        }
    }

    public init(re: String, im: String) throws(ParseError) {
        let parts = [re, im]
        for text in parts {
            guard Self.isDecimal(text), let value = Double(text), value.isFinite else { throw .notADecimal(text) }
        }
        if parts.allSatisfy({ Self.significantDigits($0) <= Self.doubleDigits }) {
            self = .double(Complex(Double(re)!, Double(im)!))
            return
        }
        guard let wideRe = Fixed256.parseDecimal(re) else { throw .outOfRange(re) }
        guard let wideIm = Fixed256.parseDecimal(im) else { throw .outOfRange(im) }
        self = .wide(WideComplex(wideRe, wideIm))
    }

    /// The point rounded to doubles (what the probe JSON's re and im say).
    public var complexValue: Complex {
        switch self {
        case .double(let p): p
        case .wide(let p): p.complexValue
        }
    }

    /// What the probe JSON says about the arithmetic: nothing for double (docs/maps.md's keys exactly), "perturbation"
    /// (as deep tiles name theirs) for the fixed-point orbit.
    public var arithmetic: String? {
        switch self {
        case .double: nil
        case .wide: "perturbation"
        }
    }

    /// `[+-]digits[.digits][(e|E)[+-]digits]`: no hex, inf, nan or spaces, which `Double(String)` would take.
    public static func isDecimal(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let mantissa = bytes.prefix { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
        guard mantissa.contains(where: { $0 != UInt8(ascii: ".") }), mantissa.filter({ $0 == UInt8(ascii: ".") }).count <= 1
        else { return false }
        bytes = bytes.dropFirst(mantissa.count)
        guard let e = bytes.first else { return true }
        guard e == UInt8(ascii: "e") || e == UInt8(ascii: "E") else { return false }
        bytes = bytes.dropFirst()
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Mantissa digits from the first non-zero one on (trailing zeros count: they were written).
    static func significantDigits(_ text: String) -> Int {
        let mantissa = text.utf8.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
        let digits = mantissa.filter { $0 >= 0x30 && $0 <= 0x39 }
        guard let first = digits.firstIndex(where: { $0 != 0x30 }) else { return 0 }
        return digits.count - first
    }
}

extension MapSettings {
    /// The probe at a point read from decimal strings, in the arithmetic its digits ask for.
    public func probe(at point: ProbePoint) -> ProbeResult {
        switch point {
        case .double(let p): probe(at: p)
        case .wide(let p):
            // Kinds without deep arithmetic read the point as the nearest double.
            hasPerturbation ? PerturbationReference(settings: self, at: p).probe() : probe(at: p.complexValue)
        }
    }
}
