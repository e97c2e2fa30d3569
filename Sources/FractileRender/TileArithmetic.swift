import FractileConfig

/// How a tile's pixels are computed: plain double while a pixel spans thousands of ulps of the map's coordinates,
/// perturbation (a 256-bit fixed-point reference orbit at the tile's centre plus double deltas) below that.
///
/// The choice depends on the pixel size alone (span / (256 * 2^z), the same for a `@2x` tile and its children),
/// as docs/maps.md requires of anything that depends on depth.
public enum TileArithmetic: String, Sendable {
    case double
    case perturbation

    /// Double while the pixel is at least 2^-42 of the largest coordinate magnitude on the map (at least 2^11 ulps
    /// per pixel): about zoom 31 for the shipped maps.
    /// Kinds without deep arithmetic stay in double at every depth.
    public init(map: MapDefinition, tile: TileCoordinate) {
        guard map.settings.hasPerturbation else {
            self = .double
            return
        }
        let pixel = map.span * tile.pixelFraction
        let largest = Swift.max(1, Swift.abs(map.center.re) + map.span / 2, Swift.abs(map.center.im) + map.span / 2)
        self = pixel >= largest * 0x1p-42 ? .double : .perturbation
    }
}
