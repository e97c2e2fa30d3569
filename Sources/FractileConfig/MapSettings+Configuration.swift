import FractileMath

/// Reading each kind's own settings with MAPS.md's keys and defaults.
extension MapSettings {
    /// A kind's MAPS.md defaults.
    init(defaultsFor kind: MapKind) {
        switch kind {
        case .forwardPass: self = .forwardPass(ForwardPassSettings())
        case .gradientBasin: self = .gradientBasin(GradientBasinSettings())
        case .backpropFlow: self = .backpropFlow(BackpropFlowSettings())
        }
    }

    /// The kind's own keys in MAPS.md order.
    var configurationKeys: [String] {
        switch self {
        case .forwardPass: ["weight", "bias", "z0", "plane", "maxIterations", "escapeRadius"]
        case .gradientBasin: ["data", "learningRate", "gradient", "maxIterations", "divergeRadius"]
        case .backpropFlow:
            ["weight", "input", "delta0", "plane", "maxIterations", "explodeRadius", "vanishRadius", "ringTolerance"]
        }
    }

    mutating func setMaxIterations(_ maxIterations: Int) {
        switch self {
        case .forwardPass(var settings):
            settings.maxIterations = maxIterations
            self = .forwardPass(settings)
        case .gradientBasin(var settings):
            settings.maxIterations = maxIterations
            self = .gradientBasin(settings)
        case .backpropFlow(var settings):
            settings.maxIterations = maxIterations
            self = .backpropFlow(settings)
        }
    }

    /// Reads one of the kind's own keys (maxIterations aside); false when the kind has no such key.
    mutating func read(_ key: String, _ value: JSONValue, at path: String) throws(ConfigurationError) -> Bool {
        switch self {
        case .forwardPass(var settings):
            switch key {
            case "weight": settings.weight = try AffineParameter(json: value, path: path, defaults: settings.weight)
            case "bias": settings.bias = try AffineParameter(json: value, path: path, defaults: settings.bias)
            case "z0": settings.z0 = try value.complex(at: path)
            case "plane": settings.plane = try value.oneOf(Plane.self, at: path)
            case "escapeRadius": settings.escapeRadius = try value.positiveNumber(at: path)
            default: return false
            }
            self = .forwardPass(settings)
        case .gradientBasin(var settings):
            switch key {
            case "data": (settings.dataX, settings.dataY) = try Self.readData(value, at: path)
            case "learningRate": settings.learningRate = try value.complex(at: path)
            case "gradient": settings.gradient = try value.oneOf(GradientMode.self, at: path)
            case "divergeRadius": settings.divergeRadius = try value.positiveNumber(at: path)
            default: return false
            }
            self = .gradientBasin(settings)
        case .backpropFlow(var settings):
            switch key {
            case "weight": settings.weight = try AffineParameter(json: value, path: path, defaults: settings.weight)
            case "input": settings.input = try AffineParameter(json: value, path: path, defaults: settings.input)
            case "delta0": settings.delta0 = try value.complex(at: path)
            case "plane": settings.plane = try value.oneOf(Plane.self, at: path)
            case "explodeRadius": settings.explodeRadius = try value.positiveNumber(at: path)
            case "vanishRadius": settings.vanishRadius = try value.positiveNumber(at: path)
            case "ringTolerance": settings.ringTolerance = try value.positiveNumber(at: path)
            default: return false
            }
            self = .backpropFlow(settings)
        }
        return true
    }

    /// Checks that settings read separately fit together; `path` is the map's.
    func validate(at path: String) throws(ConfigurationError) {
        if case .backpropFlow(let settings) = self, settings.vanishRadius >= settings.explodeRadius {
            throw ConfigurationError(
                path: ConfigurationPath.member("vanishRadius", of: path),
                message: "must be less than explodeRadius"
            )
        }
    }

    /// `{"x": [c...], "y": [c...]}`: both required, neither empty, equally long (MAPS.md gradient_basin).
    private static func readData(_ value: JSONValue, at path: String) throws(ConfigurationError) -> (
        [Complex], [Complex]
    ) {
        var x: [Complex]?
        var y: [Complex]?
        try value.forEachMember(at: path, expected: #"an object {"x": [...], "y": [...]}"#) {
            key, value, path throws(ConfigurationError) in
            switch key {
            case "x": x = try readSamples(value, at: path)
            case "y": y = try readSamples(value, at: path)
            default: throw .unknownKey(path, takers: "data takes", allowed: ["x", "y"])
            }
        }
        guard let x else { throw .missingKey("x", in: path) }
        guard let y else { throw .missingKey("y", in: path) }
        guard x.count == y.count else {
            throw ConfigurationError(
                path: path, message: "x has \(x.count) value\(x.count == 1 ? "" : "s") but y has \(y.count)")
        }
        return (x, y)
    }

    private static func readSamples(_ value: JSONValue, at path: String) throws(ConfigurationError) -> [Complex] {
        let elements = try value.elements(at: path, expected: "an array of numbers or [re, im]")
        if elements.isEmpty { throw ConfigurationError(path: path, message: "must not be empty") }
        var samples: [Complex] = []
        for (index, element) in elements.enumerated() {
            samples.append(try element.complex(at: ConfigurationPath.element(index, of: path)))
        }
        return samples
    }
}

extension AffineParameter {
    /// `{"scale": c, "offset": c}`, either one optional, falling back to `defaults` (MAPS.md "Affine parameters").
    init(json: JSONValue, path: String, defaults: AffineParameter) throws(ConfigurationError) {
        self = defaults
        let name = path.split(separator: ".").last.map(String.init) ?? path
        try json.forEachMember(at: path, expected: #"an object {"scale": ..., "offset": ...}"#) {
            key, value, path throws(ConfigurationError) in
            switch key {
            case "scale": scale = try value.complex(at: path)
            case "offset": offset = try value.complex(at: path)
            default: throw .unknownKey(path, takers: "\(name) takes", allowed: ["scale", "offset"])
            }
        }
    }
}
