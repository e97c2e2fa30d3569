import FractileMath

/// One map that the server offers: its name in URLs, how it is shown, its framing and its math.
public struct MapDefinition: Sendable, Hashable {
    /// The version of what a tile's pixels are made of beyond the settings: bump it when colouring or PNG
    /// encoding changes, so that caches and ETags, which are keyed by `settingsHash`, never serve old tiles.
    /// 2: gradient_basin kernels take tanh(2u) from tanh(u)'s parts (last-bit changes on sensitive pixels).
    /// 3: deep gradient_basin pixels that leave the reference orbit go on in the double lane kernel (issue #14).
    /// 4: deep gradient_basin pixels skip their linear phase (BLA; last-bit changes of final weights, issue #14).
    /// 5: deep forward_pass pixels that part from the reference take VectorTanh steps in their lanes, and go on
    ///    against the orbit from +-1 where tanh saturates (regimes of parted chaotic orbits, issue #14).
    /// 5: also, gradient_basin's double kernel sums a mirrored pair of data points' gradient terms as one (issue #14;
    ///    last-bit changes of final weights, so colours of some pixels).
    /// 6: a deep forward_pass pixel that parts stays parted (own double steps) until a step saturates, and runs in
    ///    lanes of its own (regimes of parted chaotic orbits, issue #14).
    /// 6: also, deep gradient_basin pixels skip to second order, third for the holomorphic gradient (more steps
    ///    skipped, last-bit changes of final weights, issue #14).
    /// 7: deep forward_pass pixels start past their linear phase (the delta as a cubic in the pixel's offset; last-bit
    ///    changes, regimes of some parted chaotic orbits, issue #14).
    /// 8: deep gradient_basin pixels of the holomorphic descent go on in double once their delta reaches 2^-16 of
    ///    the weight, and start from a composed skip (last-bit changes, regimes of pixels within margin, issue #14).
    /// 9: deep gradient_basin skips reach further (a wider polydisc for the bounds; 2^-40 of the delta for the
    ///    holomorphic descent; last-bit changes, issue #14).
    public static let tileFormatVersion = 9

    /// Deepest zoom a map may allow (TileCoordinate.deepestZoom: where tile indices and deep arithmetic end).
    public static let maxZoomLimit = 120
    /// Largest iteration budget a map may ask for.
    public static let maxIterationsLimit = 100_000

    /// The map's name in URLs: 1 to 64 of a-z, 0-9 and '-', unique in a configuration.
    public var name: String
    public var title: String
    public var description: String
    /// The centre of tile 0/0/0 (docs/maps.md "Tile coordinates").
    public var center: Complex { didSet { settingsHash = Self.settingsHash(of: self) } }
    /// The width and height of tile 0/0/0 in the complex plane.
    public var span: Double { didSet { settingsHash = Self.settingsHash(of: self) } }
    public var maxZoom: Int
    public var settings: MapSettings { didSet { settingsHash = Self.settingsHash(of: self) } }
    /// The settings a URL may change (by table key), each with the bounds a URL value must keep (config `"live"`;
    /// without it every setting within its built-in live bounds). Not part of the settings hash: it changes which
    /// variants may be asked for, not any tile's pixels.
    public var liveBounds: [String: SettingBounds]

    /// 16 lowercase hex digits naming everything that decides this map's tile pixels: the tile format version,
    /// kind, centre, span and every kind setting; not the title, description or maxZoom. Caches and ETags key on
    /// it, so changing the math of a map in config.json never serves its old tiles. Kept current as those
    /// settings change, so readers on the request path never pay for hashing.
    public private(set) var settingsHash = ""

    public var kind: MapKind { settings.kind }

    /// A map with the configuration's defaults for what is not given: title = name, a description of the kind,
    /// centre 0, span 4, maxZoom 18.
    public init(
        name: String,
        title: String? = nil,
        description: String? = nil,
        center: Complex = .zero,
        span: Double = 4,
        maxZoom: Int = 18,
        settings: MapSettings,
        liveBounds: [String: SettingBounds]? = nil
    ) {
        self.name = name
        self.title = title ?? name
        self.description = description ?? Self.defaultDescription(of: settings.kind)
        self.center = center
        self.span = span
        self.maxZoom = maxZoom
        self.settings = settings
        self.liveBounds = liveBounds ?? Self.builtInLiveBounds(of: settings)
        self.settingsHash = Self.settingsHash(of: self)
    }

    /// Every setting of the kind, each within the bounds its table gives URLs.
    public static func builtInLiveBounds(of settings: MapSettings) -> [String: SettingBounds] {
        Dictionary(uniqueKeysWithValues: settings.descriptors.map { ($0.key, $0.live) })
    }

    /// One sentence on what the kind of map shows.
    public static func defaultDescription(of kind: MapKind) -> String {
        MapKindRegistry.type(of: kind)?.summary ?? ""
    }
}
