import FractileConfig
import FractileMath
import FractileRender

/// The JSON documents that describe the configured maps: `/maps.json` and each map's TileJSON 3.0.0.
struct MapCatalog: Sendable {
    let maps: [MapDefinition]

    /// TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0). `baseURL` is the scheme and host
    /// the client used, so the template works through any name or proxy that reaches us.
    func tileJSON(_ map: MapDefinition, of configured: MapDefinition, baseURL: String) -> String {
        let query = map.canonicalQuery(from: configured)
        return JSONText.object([
            ("tilejson", JSONText.string("3.0.0")),
            ("name", JSONText.string(map.title)),
            ("description", JSONText.string(map.description)),
            ("version", JSONText.string("1.0.0")),
            ("attribution", JSONText.string("fractile")),
            ("legend", JSONText.string(map.settings.legendText)),
            ("scheme", JSONText.string("xyz")),
            ("tiles", JSONText.array([
                JSONText.string("\(baseURL)/tiles/\(map.name)/{z}/{x}/{y}.png" + (query.isEmpty ? "" : "?" + query)),
            ])),
            ("minzoom", "0"),
            // TileJSON 3.0.0 caps maxzoom at 30 (a conforming reader drops a larger one); the true depth is in
            // `fractile.maxZoom`, which the viewer reads.
            ("maxzoom", "\(min(map.maxZoom, Self.tileJSONMaxZoom))"),
            // Without it MapLibre assumes 512 and draws these 256-pixel tiles a zoom too coarse.
            ("tileSize", "\(TileCoordinate.baseSize)"),
            ("fractile", details(map)),
        ])
    }

    /// The largest `maxzoom` TileJSON 3.0.0 allows.
    static let tileJSONMaxZoom = 30

    func mapList() -> String {
        JSONText.object([
            ("maps", JSONText.array(maps.map { map in
                JSONText.object([
                    ("name", JSONText.string(map.name)),
                    ("title", JSONText.string(map.title)),
                    ("description", JSONText.string(map.description)),
                    ("kind", JSONText.string(map.settings.kind.rawValue)),
                    ("tilejson", JSONText.string("tiles/\(map.name).json")),
                    // One meaning per name, as in TileJSON: `maxzoom` is TileJSON's (at most 30), `maxZoom` the
                    // map's true depth (the config key), which the viewer reads.
                    ("minzoom", "0"),
                    ("maxzoom", "\(min(map.maxZoom, Self.tileJSONMaxZoom))"),
                    ("maxZoom", "\(map.maxZoom)"),
                    ("center", complex(map.center)),
                    ("span", JSONText.number(map.span)),
                    ("settings", settingsTable(map)),
                    ("fractile", details(map)),
                ])
            })),
        ])
    }

    /// What a viewer needs beyond TileJSON: the plane's frame and the colours' meaning.
    private func details(_ map: MapDefinition) -> String {
        JSONText.object([
            ("name", JSONText.string(map.name)),
            ("kind", JSONText.string(map.settings.kind.rawValue)),
            ("center", complex(map.center)),
            ("span", JSONText.number(map.span)),
            ("tileSize", "\(TileCoordinate.baseSize)"),
            ("maxZoom", "\(map.maxZoom)"),
            ("maxIterations", "\(map.settings.maxIterations)"),
            ("settingsHash", JSONText.string(map.settingsHash)),
            ("legend", JSONText.array(map.settings.legend.map { entry in
                JSONText.object([
                    ("regime", JSONText.string(entry.regime.rawValue)),
                    ("color", JSONText.string(hex(entry.color))),
                    ("meaning", JSONText.string(entry.meaning)),
                ])
            })),
        ])
    }

    /// The kind's settings table for the viewer's controls: each setting's type, built-in default, this map's
    /// value, whether a URL may change it and within which bounds.
    private func settingsTable(_ map: MapDefinition) -> String {
        let defaults = MapSettings(defaultsFor: map.kind)
        return JSONText.array(map.settings.descriptors.map { row in
            let bounds = map.liveBounds[row.key] ?? row.live
            var fields: [(String, String)] = [
                ("key", JSONText.string(row.key)),
                ("type", JSONText.string(row.type.rawValue)),
                ("label", JSONText.string(row.label)),
                ("default", defaults?.value(forKey: row.key).map(settingValue) ?? "null"),
                ("value", map.settings.value(forKey: row.key).map(settingValue) ?? "null"),
                ("live", map.liveBounds[row.key] == nil ? "false" : "true"),
            ]
            if row.type == .choice {
                fields.append(("choices", JSONText.array(row.choices.map(JSONText.string))))
            } else {
                fields.append(("min", bound(bounds.min)))
                fields.append(("max", bound(bounds.max)))
                if bounds.minExclusive { fields.append(("minExclusive", "true")) }
            }
            if row.type == .complexList, let count = bounds.count {
                fields.append(("minCount", "\(count.lowerBound)"))
                fields.append(("maxCount", "\(count.upperBound)"))
            }
            if let other = row.sameLengthAs { fields.append(("sameLengthAs", JSONText.string(other))) }
            return JSONText.object(fields)
        })
    }

    private func settingValue(_ value: SettingValue) -> String {
        switch value {
        case .integer(let n): "\(n)"
        case .real(let x): JSONText.number(x)
        case .complex(let c): complex(c)
        case .complexList(let list): JSONText.array(list.map(complex))
        case .choice(let name): JSONText.string(name)
        }
    }

    /// A bound as JSON: an unbounded side (beyond any double a user would type) as null.
    private func bound(_ x: Double) -> String { Swift.abs(x) >= .greatestFiniteMagnitude ? "null" : JSONText.number(x) }

    private func complex(_ value: Complex) -> String {
        JSONText.array([JSONText.number(value.re), JSONText.number(value.im)])
    }

    private func hex(_ color: RGB) -> String {
        "#" + [color.r, color.g, color.b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
