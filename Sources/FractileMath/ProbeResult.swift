/// Everything known about one pixel (docs/maps.md "Probe JSON"): its outcome plus the orbit.
public struct ProbeResult: Sendable {
    public var kind: MapKind
    /// The same outcome the hot path computes for this pixel.
    public var outcome: PixelOutcome
    /// The first up to 256 iterates, starting with the start value (z_0, w_0 or delta_0).
    public var orbit: [Complex]
    /// The loss per step for the kinds that train (gradient_basin: the loss at orbit[k], so as long as `orbit`; nil
    /// where it is not finite to speak of). Empty for the other kinds.
    public var lossCurve: [Double?]

    public init(kind: MapKind, outcome: PixelOutcome, orbit: [Complex], lossCurve: [Double?] = []) {
        self.kind = kind
        self.outcome = outcome
        self.orbit = orbit
        self.lossCurve = lossCurve
    }

    public var regime: Regime { outcome.regime }
    public var iterations: Int { outcome.iterations }
    public var lyapunov: Double? { outcome.lyapunov }
    public var period: Int? { outcome.period }
    public var limit: Complex? { outcome.limit }
    public var loss: Double? { outcome.loss }
    /// backprop_flow: nil when the run stopped early.
    public var ring: Double? { outcome.ring }
    /// backprop_flow: |delta| of the last iterate.
    public var magnitude: Double { outcome.magnitude }

    /// The probe JSON of docs/maps.md on one line: map, kind, re, im, (for a point given with more digits than a double
    /// holds, "arithmetic": "perturbation"), regime, iterations, the kind's fields, orbit.
    /// Non-finite numbers are written as null.
    public func json(mapName: String, re: Double, im: Double, arithmetic: String? = nil) -> String {
        var json = JSONWriter()
        json.key("map", string: mapName)
        json.key("kind", string: kind.rawValue)
        json.key("re", re)
        json.key("im", im)
        if let arithmetic { json.key("arithmetic", string: arithmetic) }
        json.key("regime", string: regime.rawValue)
        json.key("iterations", integer: iterations)
        MapKindRegistry.type(of: kind)?.writeProbeFields(of: self, re: re, im: im, to: &json)
        json.key("orbit", array: orbit) { $0.complex($1) }
        return json.text + "}"
    }
}

/// Writes one JSON object: numbers as Swift's shortest round-trip description, non-finite as null.
public struct JSONWriter {
    public private(set) var text = "{"

    private mutating func begin(_ key: String) {
        if text != "{" { text += "," }
        text += Self.quoted(key) + ":"
    }

    public mutating func key(_ key: String, string: String) {
        begin(key)
        text += Self.quoted(string)
    }

    public mutating func key(_ key: String, integer: Int?) {
        begin(key)
        text += integer.map(String.init) ?? "null"
    }

    public mutating func key(_ key: String, _ value: Double?) {
        begin(key)
        number(value)
    }

    public mutating func key(_ key: String, _ value: Complex?) {
        begin(key)
        if let value { complex(value) } else { text += "null" }
    }

    /// A key whose value is an array of `elements`, each written by `write`.
    public mutating func key<Elements: Sequence>(
        _ key: String, array elements: Elements, _ write: (inout JSONWriter, Elements.Element) -> Void
    ) {
        begin(key)
        text += "["
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            write(&self, element)
        }
        text += "]"
    }

    public mutating func number(_ value: Double?) {
        guard let value, value.isFinite else {
            text += "null"
            return
        }
        // Swift prints e.g. 1e-05 and 1e+16, both valid JSON numbers (RFC 8259 §6).
        text += value.description
    }

    public mutating func complex(_ value: Complex) {
        text += "["
        number(value.re)
        text += ","
        number(value.im)
        text += "]"
    }

    /// A JSON string literal (RFC 8259 §7); the server's documents use it too.
    public static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
