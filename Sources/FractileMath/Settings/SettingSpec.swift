/// One row of a kind's settings table: the setting's description plus where the kind's settings type keeps it.
/// Made by the typed factories below, so a row can only read and write a stored value of its own type.
public struct SettingSpec<Settings: KindSettings>: Sendable {
    public let descriptor: SettingDescriptor
    let get: @Sendable (Settings) -> SettingValue
    let set: @Sendable (inout Settings, SettingValue) -> Void

    public var key: String { descriptor.key }

    public func value(of settings: Settings) -> SettingValue { get(settings) }

    /// Stores `value`; a value of another type is a programming error (the readers check types first).
    public func store(_ value: SettingValue, in settings: inout Settings) { set(&settings, value) }
}

extension SettingSpec {
    public static func integer(
        _ key: String, _ label: String, _ path: WritableKeyPath<Settings, Int> & Sendable,
        valid: ClosedRange<Int>, live: ClosedRange<Int>
    ) -> SettingSpec {
        SettingSpec(
            descriptor: SettingDescriptor(
                key: key, label: label, type: .integer, valid: .integers(valid), live: .integers(live)),
            get: { .integer($0[keyPath: path]) },
            set: { settings, value in if case .integer(let n) = value { settings[keyPath: path] = n } })
    }

    public static func real(
        _ key: String, _ label: String, _ path: WritableKeyPath<Settings, Double> & Sendable,
        valid: SettingBounds = .finite, live: SettingBounds
    ) -> SettingSpec {
        SettingSpec(
            descriptor: SettingDescriptor(key: key, label: label, type: .real, valid: valid, live: live),
            get: { .real($0[keyPath: path]) },
            set: { settings, value in if case .real(let x) = value { settings[keyPath: path] = x } })
    }

    public static func complex(
        _ key: String, _ label: String, _ path: WritableKeyPath<Settings, Complex> & Sendable,
        live: SettingBounds
    ) -> SettingSpec {
        SettingSpec(
            descriptor: SettingDescriptor(key: key, label: label, type: .complex, valid: .finite, live: live),
            get: { .complex($0[keyPath: path]) },
            set: { settings, value in if case .complex(let c) = value { settings[keyPath: path] = c } })
    }

    public static func complexList(
        _ key: String, _ label: String, _ path: WritableKeyPath<Settings, [Complex]> & Sendable,
        live: SettingBounds, sameLengthAs: String? = nil, requiredInGroup: Bool = false
    ) -> SettingSpec {
        SettingSpec(
            descriptor: SettingDescriptor(
                key: key, label: label, type: .complexList,
                valid: SettingBounds(min: -.greatestFiniteMagnitude, max: .greatestFiniteMagnitude, count: 1...Int.max),
                live: live, sameLengthAs: sameLengthAs, requiredInGroup: requiredInGroup),
            get: { .complexList($0[keyPath: path]) },
            set: { settings, value in if case .complexList(let list) = value { settings[keyPath: path] = list } })
    }

    public static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ key: String, _ label: String, _ path: WritableKeyPath<Settings, Choice> & Sendable
    ) -> SettingSpec where Choice.RawValue == String {
        SettingSpec(
            descriptor: SettingDescriptor(
                key: key, label: label, type: .choice, choices: Choice.allCases.map(\.rawValue), valid: .finite,
                live: .finite),
            get: { .choice($0[keyPath: path].rawValue) },
            set: { settings, value in
                if case .choice(let name) = value, let choice = Choice(rawValue: name) { settings[keyPath: path] = choice }
            })
    }

    /// The two rows of an affine parameter (docs/maps.md "Affine parameters"): `key.scale` and `key.offset`.
    public static func affine(
        _ key: String, _ label: String, _ path: WritableKeyPath<Settings, AffineParameter> & Sendable,
        live: SettingBounds
    ) -> [SettingSpec] {
        func row(_ part: String, _ member: WritableKeyPath<AffineParameter, Complex> & Sendable) -> SettingSpec {
            SettingSpec(
                descriptor: SettingDescriptor(
                    key: "\(key).\(part)", label: "\(label) \(part)", type: .complex, valid: .finite, live: live),
                get: { .complex($0[keyPath: path][keyPath: member]) },
                set: { settings, value in if case .complex(let c) = value { settings[keyPath: path][keyPath: member] = c } })
        }
        return [row("scale", \.scale), row("offset", \.offset)]
    }
}
