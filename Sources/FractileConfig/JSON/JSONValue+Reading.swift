import FractileMath

/// Typed reads of configuration values; each failure names `path` and says what was expected.
extension JSONValue {
    /// The members of an object; `what` describes the object in the error, e.g. "an object".
    func members(at path: String, expected what: String = "an object") throws(ConfigurationError) -> [JSONMember] {
        guard case .object(let members) = self else {
            throw ConfigurationError(path: path, message: "expected \(what)")
        }
        return members
    }

    /// Calls `body` for each member in document order with the member's own key path.
    func forEachMember(
        at path: String,
        expected what: String = "an object",
        _ body: (_ key: String, _ value: JSONValue, _ path: String) throws(ConfigurationError) -> Void
    ) throws(ConfigurationError) {
        for member in try members(at: path, expected: what) {
            try body(member.key, member.value, ConfigurationPath.member(member.key, of: path))
        }
    }

    func elements(at path: String, expected what: String) throws(ConfigurationError) -> [JSONValue] {
        guard case .array(let elements) = self else {
            throw ConfigurationError(path: path, message: "expected \(what)")
        }
        return elements
    }

    func string(at path: String) throws(ConfigurationError) -> String {
        guard case .string(let string) = self else {
            throw ConfigurationError(path: path, message: "expected a string")
        }
        return string
    }

    func nonEmptyString(at path: String) throws(ConfigurationError) -> String {
        let string = try string(at: path)
        if string.isEmpty { throw ConfigurationError(path: path, message: "must not be empty") }
        return string
    }

    func bool(at path: String) throws(ConfigurationError) -> Bool {
        guard case .bool(let bool) = self else {
            throw ConfigurationError(path: path, message: "expected true or false")
        }
        return bool
    }

    /// A real number; `true` and `false` are not numbers.
    func number(at path: String) throws(ConfigurationError) -> Double {
        guard case .number(let number) = self else {
            throw ConfigurationError(path: path, message: "expected a number")
        }
        return number.value
    }

    /// A finite number greater than 0: spans, radii, tolerances, timeouts.
    func positiveNumber(at path: String) throws(ConfigurationError) -> Double {
        let value = try number(at: path)
        guard value.isFinite, value > 0 else {
            throw ConfigurationError(path: path, message: "must be finite and greater than 0")
        }
        return value
    }

    /// An integer in `range`. A number with a fraction (8080.5) is not an integer; 1e3 and 8080.0 are.
    func integer(at path: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard case .number(let number) = self else {
            throw ConfigurationError(path: path, message: "expected an integer")
        }
        let value: Int
        if let exact = Int(number.literal) {
            value = exact
        } else if number.value.rounded(.towardZero) == number.value {
            // Integral but written with an exponent or fraction, or beyond Int: saturate for the range check.
            value = Int(exactly: number.value) ?? (number.value < 0 ? Int.min : Int.max)
        } else {
            throw ConfigurationError(path: path, message: "expected an integer")
        }
        guard range.contains(value) else { throw ConfigurationError(path: path, message: Self.describe(range)) }
        return value
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (0, Int.max): "must not be negative"
        case (let lower, Int.max): "must be at least \(lower)"
        case (let lower, let upper): "must be between \(lower) and \(upper)"
        }
    }

    /// A complex number: `[re, im]`, or a plain number r meaning [r, 0] (docs/maps.md "Complex numbers in JSON").
    func complex(at path: String) throws(ConfigurationError) -> Complex {
        let value: Complex
        switch self {
        case .number(let number):
            value = Complex(number.value)
        case .array(let parts) where parts.count == 2:
            guard case .number(let re) = parts[0], case .number(let im) = parts[1] else { fallthrough }
            value = Complex(re.value, im.value)
        default:
            throw ConfigurationError(path: path, message: "expected a number or [re, im]")
        }
        guard value.isFinite else { throw ConfigurationError(path: path, message: "must be finite") }
        return value
    }

    /// One of an enumeration's raw values, e.g. `expected "parameter" or "input"`.
    func oneOf<Choice: RawRepresentable & CaseIterable>(_: Choice.Type, at path: String) throws(ConfigurationError)
        -> Choice
    where Choice.RawValue == String {
        if case .string(let string) = self, let choice = Choice(rawValue: string) { return choice }
        let names = Choice.allCases.map { "\"\($0.rawValue)\"" }
        let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
        throw ConfigurationError(path: path, message: "expected \(list)")
    }
}
