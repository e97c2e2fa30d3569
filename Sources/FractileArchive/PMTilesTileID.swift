/// PMTiles v3 tile IDs: the tiles of all lower zooms counted first, then the position on zoom z's Hilbert curve
/// (PMTiles v3 spec, "Tile IDs"). Consecutive IDs are neighbouring tiles, so runs of equal tiles compress to one entry.
enum PMTilesTileID {
    /// Tiles in zooms 0 ..< z: (4^z - 1) / 3.
    static func firstID(ofZoom z: Int) -> UInt64 {
        ((UInt64(1) << (2 * z)) - 1) / 3
    }

    /// z <= 31 and x, y < 2^z (the callers check).
    static func id(_ address: TileAddress) -> UInt64 {
        let n = UInt64(1) << address.z
        var x = UInt64(address.x), y = UInt64(address.y)
        var position: UInt64 = 0
        var s = n >> 1
        while s > 0 {
            let rx: UInt64 = x & s != 0 ? 1 : 0
            let ry: UInt64 = y & s != 0 ? 1 : 0
            position += s * s * ((3 * rx) ^ ry)
            rotate(n, &x, &y, rx, ry)
            s >>= 1
        }
        return firstID(ofZoom: address.z) + position
    }

    static func address(_ id: UInt64) -> TileAddress {
        var z = 0
        while z < 31, firstID(ofZoom: z + 1) <= id { z += 1 }
        var t = id - firstID(ofZoom: z)
        var x: UInt64 = 0, y: UInt64 = 0
        var s: UInt64 = 1
        while s < UInt64(1) << z {
            let rx = 1 & (t / 2)
            let ry = 1 & (t ^ rx)
            rotate(s, &x, &y, rx, ry)
            x += s * rx
            y += s * ry
            t /= 4
            s <<= 1
        }
        return TileAddress(z: z, x: Int(x), y: Int(y))
    }

    /// The quadrant's turn of the Hilbert curve, within an n x n square.
    private static func rotate(_ n: UInt64, _ x: inout UInt64, _ y: inout UInt64, _ rx: UInt64, _ ry: UInt64) {
        guard ry == 0 else { return }
        if rx == 1 {
            x = n - 1 - x
            y = n - 1 - y
        }
        swap(&x, &y)
    }
}
