/// The math of one map: its kind's settings, whatever the kind. Equal settings are equal values, and the settings
/// table of the kind reads and writes them by key.
public struct MapSettings: Sendable, Hashable {
    public private(set) var base: any KindSettings

    public init(_ base: some KindSettings) { self.base = base }

    /// A kind's defaults; nil for a name no kind has.
    public init?(defaultsFor kind: MapKind) {
        guard let type = MapKindRegistry.type(of: kind) else { return nil }
        self.base = type.init()
    }

    public var kind: MapKind { type(of: base).kind }

    public var maxIterations: Int {
        get { base.maxIterations }
        set { base.maxIterations = newValue }
    }

    /// The kind's settings as their own type, nil for another kind.
    public func settings<Settings: KindSettings>(as _: Settings.Type) -> Settings? { base as? Settings }

    public static func == (a: MapSettings, b: MapSettings) -> Bool { AnyHashable(a.base) == AnyHashable(b.base) }

    public func hash(into hasher: inout Hasher) { AnyHashable(base).hash(into: &hasher) }
}

/// The kind's settings table, by key.
extension MapSettings {
    public var descriptors: [SettingDescriptor] { Self.descriptors(of: base) }

    public func value(forKey key: String) -> SettingValue? { Self.value(forKey: key, in: base) }

    /// Stores `value` under `key`; false when the kind has no such key. The value's type must be the setting's.
    @discardableResult
    public mutating func setValue(_ value: SettingValue, forKey key: String) -> Bool {
        guard let updated = Self.setting(value, forKey: key, in: base) else { return false }
        base = updated
        return true
    }

    /// A rule between settings that is broken: the key to blame and why.
    public func validationFailure() -> (key: String, message: String)? { base.validationFailure() }

    private static func descriptors<Settings: KindSettings>(of _: Settings) -> [SettingDescriptor] {
        Settings.table.map(\.descriptor)
    }

    private static func value<Settings: KindSettings>(forKey key: String, in settings: Settings) -> SettingValue? {
        Settings.table.first { $0.key == key }?.value(of: settings)
    }

    private static func setting<Settings: KindSettings>(
        _ value: SettingValue, forKey key: String, in settings: Settings
    ) -> (any KindSettings)? {
        guard let spec = Settings.table.first(where: { $0.key == key }) else { return nil }
        var settings = settings
        spec.store(value, in: &settings)
        return settings
    }
}
