import Foundation

/// The smallest lon/lat box holding a set of tiles, on the XYZ grid's Web Mercator layout that MBTiles and PMTiles
/// readers expect. The union of tile edges, so it does not depend on the order tiles arrive in.
struct TileBounds: Equatable {
    private(set) var west = 180.0, south = 90.0, east = -180.0, north = -90.0
    private(set) var minZoom = Int.max, maxZoom = Int.min

    var isEmpty: Bool { minZoom > maxZoom }

    mutating func add(_ address: TileAddress) {
        let edge = Double(sign: .plus, exponent: address.z, significand: 1)
        west = min(west, Double(address.x) / edge * 360 - 180)
        east = max(east, Double(address.x + 1) / edge * 360 - 180)
        north = max(north, Self.latitude(row: Double(address.y), edge: edge))
        south = min(south, Self.latitude(row: Double(address.y + 1), edge: edge))
        minZoom = min(minZoom, address.z)
        maxZoom = max(maxZoom, address.z)
    }

    /// MBTiles' `left,bottom,right,top`, to 6 decimals (a tenth of a metre).
    var text: String {
        [west, south, east, north].map { String(format: "%.6f", $0) }.joined(separator: ",")
    }

    static func latitude(row: Double, edge: Double) -> Double {
        atan(sinh(Double.pi * (1 - 2 * row / edge))) * 180 / Double.pi
    }
}
