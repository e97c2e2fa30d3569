/// One XYZ tile of a map (MAPS.md "Tile coordinates"): y grows downward, `scale` 2 is the `@2x` tile.
public struct TileCoordinate: Sendable, Hashable, CustomStringConvertible {
    /// Edge of a scale-1 tile in pixels (T in MAPS.md).
    public static let baseSize = 256
    /// Deepest zoom that double-precision pixel centres resolve exactly (x*T + i stays well inside 2^53).
    public static let deepestZoom = 40

    public let z: Int
    public let x: Int
    public let y: Int
    public let scale: Int

    public init(z: Int, x: Int, y: Int, scale: Int = 1) {
        self.z = z
        self.x = x
        self.y = y
        self.scale = scale
    }

    /// Edge of this tile in pixels: 256, or 512 for `@2x`.
    public var size: Int { Self.baseSize * scale }

    public var description: String { "\(z)/\(x)/\(y)" + (scale == 2 ? "@2x" : "") }

    /// Why a coordinate is not a tile of a map; the server answers these with 404.
    public enum ValidationError: Error, Equatable, CustomStringConvertible {
        case zoomOutOfRange(z: Int, maxZoom: Int)
        case outsideGrid(z: Int, x: Int, y: Int)
        case unsupportedScale(Int)

        public var description: String {
            switch self {
            case .zoomOutOfRange(let z, let maxZoom): "zoom \(z) is outside 0...\(maxZoom) for this map"
            case .outsideGrid(let z, let x, let y): "tile \(x),\(y) is outside the 2^\(z) x 2^\(z) grid of zoom \(z)"
            case .unsupportedScale(let scale): "scale \(scale) is not supported (1 or 2)"
            }
        }
    }

    public func validate(maxZoom: Int) throws(ValidationError) {
        guard scale == 1 || scale == 2 else { throw .unsupportedScale(scale) }
        guard z >= 0, z <= min(maxZoom, Self.deepestZoom) else { throw .zoomOutOfRange(z: z, maxZoom: maxZoom) }
        let edge = 1 << z
        guard x >= 0, x < edge, y >= 0, y < edge else { throw .outsideGrid(z: z, x: x, y: y) }
    }

    /// (x + (i + 0.5)/T) / 2^z - 0.5 for column i, as MAPS.md writes it. Every step is exact in double for
    /// z <= deepestZoom, so a `@2x` tile and its four children compute bit-identical pixel centres.
    @inlinable public func columnOffset(_ column: Int) -> Double { Self.offset(tile: x, pixel: column, size: size, z: z) }

    /// (y + (j + 0.5)/T) / 2^z - 0.5 for row j.
    @inlinable public func rowOffset(_ row: Int) -> Double { Self.offset(tile: y, pixel: row, size: size, z: z) }

    @inlinable static func offset(tile: Int, pixel: Int, size: Int, z: Int) -> Double {
        (Double(tile) + (Double(pixel) + 0.5) / Double(size)) / Double(1 << z) - 0.5
    }
}
