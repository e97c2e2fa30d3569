/// What one map setting is, apart from where a kind stores it: its key, type, default and bounds. A kind's table of
/// these drives config reading, URL parameters, the settings hash, TileJSON and the viewer's controls.
public struct SettingDescriptor: Sendable, Hashable {
    /// The key in URLs and the settings hash: a config key (`learningRate`), or a config object's member joined by a
    /// dot (`weight.scale`, `data.x`), as docs/maps.md "Live parameters" names them.
    public let key: String
    /// A few words for the viewer's control.
    public let label: String
    public let type: SettingType
    /// For `.choice`: the names it may take.
    public let choices: [String]
    /// What config.json may hold.
    public let valid: SettingBounds
    /// What a URL may ask for unless the map's `"live"` narrows it: bounds that keep a render's cost and numerics sane.
    public let live: SettingBounds
    /// A list that must be as long as another (`data.x` and `data.y`).
    public let sameLengthAs: String?
    /// For a member of a config object: whether the object must give it (`data` needs both `x` and `y`).
    public let requiredInGroup: Bool

    public init(
        key: String, label: String, type: SettingType, choices: [String] = [], valid: SettingBounds,
        live: SettingBounds, sameLengthAs: String? = nil, requiredInGroup: Bool = false
    ) {
        self.key = key
        self.label = label
        self.type = type
        self.choices = choices
        self.valid = valid
        self.live = valid.narrowed(to: live)
        self.sameLengthAs = sameLengthAs
        self.requiredInGroup = requiredInGroup
    }

    /// The config key that holds this setting: `weight` for `weight.scale`, the key itself otherwise.
    public var configKey: String { key.split(separator: ".", maxSplits: 1).first.map(String.init) ?? key }

    /// The member name within the config object (`scale` for `weight.scale`), nil for a top-level key.
    public var groupMember: String? {
        let parts = key.split(separator: ".", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]) : nil
    }

    /// Why `value` is not a value of this setting within `bounds`, as a phrase after the key; nil when it is.
    public func violation(by value: SettingValue, within bounds: SettingBounds) -> String? {
        switch (type, value) {
        case (.choice, .choice(let name)):
            return choices.contains(name) ? nil : "must be one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
        case (.integer, .integer), (.real, .real), (.complex, .complex), (.complexList, .complexList):
            return bounds.violation(by: value)
        default:
            return "expected \(type.phrase)"
        }
    }
}

extension SettingType {
    /// What a value of this type looks like in config.json, for errors.
    public var phrase: String {
        switch self {
        case .integer: "an integer"
        case .real: "a number"
        case .complex: "a number or [re, im]"
        case .complexList: "an array of numbers or [re, im]"
        case .choice: "a string"
        }
    }
}
