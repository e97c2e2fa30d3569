/// What an archive says about its tiles beyond their bytes: which map and settings drew them (so a server never
/// serves them for different math), and the names GIS tools show. Zoom range and bounds are not here: writers
/// compute them from the tiles they were given, so two shards merged describe themselves exactly as one seed.
public struct TileArchiveMetadata: Sendable, Equatable {
    /// The map's name in URLs.
    public var map: String
    public var title: String
    public var description: String
    /// The map kind (MAPS.md), e.g. `forward_pass`.
    public var kind: String
    /// The centre and span of tile 0/0/0 in the complex plane, as exact round-trip decimals.
    public var center: (re: Double, im: Double)
    public var span: Double
    /// The map's settings hash: the same tiles the server keys its caches and ETags by.
    public var settingsHash: String
    /// 256, or 512 for `@2x` tiles.
    public var tileSize: Int

    public init(map: String, title: String, description: String, kind: String, center: (re: Double, im: Double),
                span: Double, settingsHash: String, tileSize: Int) {
        self.map = map
        self.title = title
        self.description = description
        self.kind = kind
        self.center = center
        self.span = span
        self.settingsHash = settingsHash
        self.tileSize = tileSize
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.fields.map { [$0.0, $0.1] } == b.fields.map { [$0.0, $0.1] }
    }

    /// The key-value pairs both formats store (MBTiles `metadata` rows; PMTiles JSON metadata), in a fixed order.
    /// `name`, `description`, `attribution`, `type`, `version` and `format` are MBTiles 1.3's; the `fractile_`
    /// ones say what the tiles are: the complex plane is laid onto the XYZ grid (the lon/lat bounds are only that
    /// grid's, not a place on Earth).
    public var fields: [(String, String)] {
        [
            ("name", map),
            ("description", "\(title): \(description)"),
            ("attribution", "fractile"),
            ("type", "baselayer"),
            ("version", "1.0.0"),
            ("format", "png"),
            ("fractile_title", title),
            ("fractile_kind", kind),
            ("fractile_center", "\(center.re),\(center.im)"),
            ("fractile_span", "\(span)"),
            ("fractile_settings_hash", settingsHash),
            ("fractile_tile_size", "\(tileSize)"),
        ]
    }

    /// Reads back what `fields` wrote; `source` names the file in the error.
    public init(fields: [String: String], source: String) throws(TileArchiveError) {
        func value(_ key: String) throws(TileArchiveError) -> String {
            guard let value = fields[key] else {
                throw TileArchiveError("\(source): no \(key) in its metadata (not written by fractile seed?)")
            }
            return value
        }
        let center = try value("fractile_center").split(separator: ",").compactMap { Double($0) }
        guard center.count == 2, let span = Double(try value("fractile_span")),
              let tileSize = Int(try value("fractile_tile_size")), tileSize == 256 || tileSize == 512
        else {
            throw TileArchiveError("\(source): its fractile_center, fractile_span or fractile_tile_size metadata is malformed")
        }
        let title = try value("fractile_title")
        let description = try value("description")
        let prefix = "\(title): "
        self.init(map: try value("name"), title: title,
                  description: description.hasPrefix(prefix) ? String(description.dropFirst(prefix.count)) : description,
                  kind: try value("fractile_kind"), center: (center[0], center[1]), span: span,
                  settingsHash: try value("fractile_settings_hash"), tileSize: tileSize)
    }
}
