import FractileArchive
import FractileConfig
import FractileRender

extension TileArchiveMetadata {
    /// What an archive of `map`'s tiles at `scale` says about them.
    public init(_ map: MapDefinition, scale: Int) {
        self.init(map: map.name, title: map.title, description: map.description, kind: map.kind.rawValue,
                  center: (map.center.re, map.center.im), span: map.span, settingsHash: map.settingsHash,
                  tileSize: TileCoordinate.baseSize * scale)
    }
}
