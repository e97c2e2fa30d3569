import FractileMath

/// One XYZ tile of a map (docs/maps.md "Tile coordinates"): y grows downward, `scale` 2 is the `@2x` tile.
public struct TileCoordinate: Sendable, Hashable, CustomStringConvertible {
    /// Edge of a scale-1 tile in pixels (T in docs/maps.md).
    public static let baseSize = 256
    /// Deepest zoom any map may have: tile indices fit 128 bits, and the 192 fractional bits of deep arithmetic
    /// still keep more than 64 bits below a pixel of a span-8 map.
    public static let deepestZoom = 120

    public let z: Int
    /// Column and row: below 2^z, so up to 120 bits.
    public let x: UInt128
    public let y: UInt128
    public let scale: Int

    public init(z: Int, x: UInt128, y: UInt128, scale: Int = 1) {
        self.z = z
        self.x = x
        self.y = y
        self.scale = scale
    }

    /// From any non-negative integers.
    public init(z: Int, x: some BinaryInteger, y: some BinaryInteger, scale: Int = 1) {
        self.init(z: z, x: UInt128(x), y: UInt128(y), scale: scale)
    }

    /// Edge of this tile in pixels: 256, or 512 for `@2x`.
    public var size: Int { Self.baseSize * scale }

    public var description: String { "\(z)/\(x)/\(y)" + (scale == 2 ? "@2x" : "") }

    /// Why a coordinate is not a tile of a map; the server answers these with 404.
    public enum ValidationError: Error, Equatable, CustomStringConvertible {
        case zoomOutOfRange(z: Int, maxZoom: Int)
        case outsideGrid(z: Int, x: UInt128, y: UInt128)
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
        let edge = UInt128(1) << z
        guard x < edge, y < edge else { throw .outsideGrid(z: z, x: x, y: y) }
    }

    /// (x + (i + 0.5)/T) / 2^z - 0.5 for column i, as docs/maps.md writes it. Every step is exact in double while
    /// x*T + i stays below 2^53 (z <= 44), which covers every zoom where tiles are computed in double: a `@2x` tile
    /// and its four children compute bit-identical pixel centres.
    @inlinable public func columnOffset(_ column: Int) -> Double { Self.offset(tile: x, pixel: column, size: size, z: z) }

    /// (y + (j + 0.5)/T) / 2^z - 0.5 for row j.
    @inlinable public func rowOffset(_ row: Int) -> Double { Self.offset(tile: y, pixel: row, size: size, z: z) }

    @inlinable static func offset(tile: UInt128, pixel: Int, size: Int, z: Int) -> Double {
        (Double(tile) + (Double(pixel) + 0.5) / Double(size)) * Double(sign: .plus, exponent: -z, significand: 1) - 0.5
    }

    /// Width of one pixel in units of the map's span: 1 / (T * 2^z) for both scales (a `@2x` pixel is a pixel
    /// of zoom z + 1). What the choice of arithmetic depends on (docs/maps.md: pixel size, never z alone).
    public var pixelFraction: Double { Double(sign: .plus, exponent: -z - 8 - (scale == 2 ? 1 : 0), significand: 1) }

    /// The tile's centre, (x + 1/2) / 2^z - 1/2 and (y + 1/2) / 2^z - 1/2, exactly (z + 1 fractional bits).
    public var centerOffset: (column: Fixed256, row: Fixed256) {
        func exact(_ index: UInt128) -> Fixed256 {
            // (2 index + 1) * 2^-(z+1): an integer below 2^(z+1) placed at bit 192 - (z + 1), so exact.
            Fixed256(2 * index + 1, exponent: -(z + 1)) - Fixed256.one.scaled(byPowerOfTwo: -1)
        }
        return (exact(x), exact(y))
    }
}
