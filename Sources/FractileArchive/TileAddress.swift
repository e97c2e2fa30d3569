/// A tile's place in an archive: XYZ indices as the server's URLs have them (y grows downward). MBTiles rows are
/// flipped to TMS only where they are written and read.
public struct TileAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let z: Int
    public let x: Int
    public let y: Int

    public init(z: Int, x: Int, y: Int) {
        self.z = z
        self.x = x
        self.y = y
    }

    public var description: String { "\(z)/\(x)/\(y)" }

    public static func < (a: TileAddress, b: TileAddress) -> Bool {
        (a.z, a.y, a.x) < (b.z, b.y, b.x)
    }
}
