import FractileConfig
import FractileMath

/// The box-counting dimension of a map's trains/blows-up boundary (regimes `converged` against `diverged`) over a
/// block of tiles z/x..x+N-1/y..y+N-1, rendered as tiles are (same pixels, same kernel): what
/// `fractile dimension` prints and `GET /dimension/{map}` serves.
public struct BoundaryDimension: Sendable {
    public let mapName: String
    public let z: Int
    public let x: UInt128
    public let y: UInt128
    public let tiles: Int
    /// Nil when the block holds no such boundary.
    public let estimate: BoxCountingDimension?

    /// Blocks are at most this many tiles on a side: 8 x 8 tiles are already 4 million training runs.
    public static let maxTiles = 8

    public enum Failure: Error, CustomStringConvertible {
        case tiles(Int)
        case tile(TileCoordinate, TileCoordinate.ValidationError)

        public var description: String {
            switch self {
            case .tiles(let n): "tiles must be within [1, \(BoundaryDimension.maxTiles)], got \(n)"
            case .tile(let tile, let error): "the block reaches tile \(tile), which the map does not have: \(error)"
            }
        }
    }

    /// Renders the block's regimes with `renderer` and measures the boundary.
    public init(map: MapDefinition, z: Int, x: UInt128, y: UInt128, tiles: Int, renderer: TileRenderer) throws(Failure) {
        guard (1...Self.maxTiles).contains(tiles) else { throw .tiles(tiles) }
        let corner = TileCoordinate(z: z, x: x, y: y)
        do { try corner.validate(maxZoom: map.maxZoom) } catch { throw .tile(corner, error) }
        let last = TileCoordinate(z: z, x: x + UInt128(tiles - 1), y: y + UInt128(tiles - 1))
        do { try last.validate(maxZoom: map.maxZoom) } catch { throw .tile(last, error) }
        let edge = TileCoordinate.baseSize, side = edge * tiles
        var labels = [UInt8](repeating: 0, count: side * side)
        for row in 0..<tiles {
            for column in 0..<tiles {
                let tile = TileCoordinate(z: z, x: x + UInt128(column), y: y + UInt128(row))
                for (index, regime) in renderer.regimes(map, tile).enumerated() {
                    let label: UInt8 = regime == .converged ? 1 : regime == .diverged ? 2 : 0
                    labels[(row * edge + index / edge) * side + column * edge + index % edge] = label
                }
            }
        }
        mapName = map.name
        self.z = z
        self.x = x
        self.y = y
        self.tiles = tiles
        estimate = BoxCountingDimension(mask: BoxCountingDimension.boundary(of: labels, width: side, height: side),
                                        width: side, height: side)
    }

    /// {"map", "z", "x", "y", "tiles", "dimension", "r2", "boxSizes", "counts"}; dimension and r2 null when the
    /// block holds no boundary.
    public var json: String {
        func number(_ x: Double?) -> String { x.flatMap { $0.isFinite ? $0.description : nil } ?? "null" }
        func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }
        // x and y may pass 2^64 at deep zooms: written as integers, never through Double.
        return "{\"map\":\(JSONWriter.quoted(mapName)),\"z\":\(z),\"x\":\(x),\"y\":\(y),\"tiles\":\(tiles),"
            + "\"dimension\":\(number(estimate?.dimension)),\"r2\":\(number(estimate?.r2)),"
            + "\"boxSizes\":\(list(estimate?.boxSizes ?? [])),\"counts\":\(list(estimate?.counts ?? []))}"
    }
}
