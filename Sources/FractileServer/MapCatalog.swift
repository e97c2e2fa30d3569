import FractileConfig
import FractileMath
import FractileRender

/// The JSON documents that describe the configured maps: `/maps.json` and each map's TileJSON 3.0.0.
struct MapCatalog: Sendable {
    let maps: [MapDefinition]

    /// TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0). `baseURL` is the scheme and host
    /// the client used, so the template works through any name or proxy that reaches us.
    func tileJSON(_ map: MapDefinition, baseURL: String) -> String {
        JSONText.object([
            ("tilejson", JSONText.string("3.0.0")),
            ("name", JSONText.string(map.title)),
            ("description", JSONText.string(map.description)),
            ("version", JSONText.string("1.0.0")),
            ("attribution", JSONText.string("fractile")),
            ("legend", JSONText.string(map.settings.legendText)),
            ("scheme", JSONText.string("xyz")),
            ("tiles", JSONText.array([JSONText.string("\(baseURL)/tiles/\(map.name)/{z}/{x}/{y}.png")])),
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
                    ("minzoom", "0"),
                    ("maxzoom", "\(map.maxZoom)"),
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

    private func complex(_ value: Complex) -> String {
        JSONText.array([JSONText.number(value.re), JSONText.number(value.im)])
    }

    private func hex(_ color: RGB) -> String {
        "#" + [color.r, color.g, color.b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
