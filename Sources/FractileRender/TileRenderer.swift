import Dispatch
import Foundation
import FractileConfig
import FractileMath
import Synchronization

/// Paints tiles: each pixel's colour is a pure function of its centre, so the rows can be shared among any number
/// of threads and the bytes never depend on how many there were.
public struct TileRenderer: Sendable {
    /// Worker threads for one tile (at least 1).
    public let threads: Int
    public let encoder = PNGEncoder()

    /// `threads` 0 means one per active core.
    public init(threads: Int = 0) {
        self.threads = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The complex number at the centre of pixel (column, row) of `tile` (MAPS.md "Tile coordinates").
    public static func pixelCenter(of map: MapDefinition, tile: TileCoordinate, column: Int, row: Int) -> Complex {
        Complex(map.center.re + map.span * tile.columnOffset(column), map.center.im - map.span * tile.rowOffset(row))
    }

    public func render(_ map: MapDefinition, _ tile: TileCoordinate) -> RGBImage {
        let size = tile.size
        let columnReals = (0..<size).map { map.center.re + map.span * tile.columnOffset($0) }
        var image = RGBImage(width: size, height: size)
        let settings = map.settings
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            let output = SharedPixels(base: pixels.baseAddress!)
            let paintRow: @Sendable (Int) -> Void = { row in
                let imaginary = map.center.im - map.span * tile.rowOffset(row)
                var offset = row * size * 3
                for real in columnReals {
                    let color = settings.color(at: Complex(real, imaginary))
                    output.base[offset] = color.r
                    output.base[offset + 1] = color.g
                    output.base[offset + 2] = color.b
                    offset += 3
                }
            }
            if threads == 1 {
                for row in 0..<size { paintRow(row) }
                return
            }
            // Rows are handed out in small blocks on demand: fractal cost varies wildly across a tile.
            let blockRows = 4
            let nextBlock = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    let first = nextBlock.add(1, ordering: .relaxed).oldValue * blockRows
                    if first >= size { return }
                    for row in first..<min(first + blockRows, size) { paintRow(row) }
                }
            }
        }
        return image
    }

    public func renderPNG(_ map: MapDefinition, _ tile: TileCoordinate) throws(PNGEncoder.EncodingError) -> [UInt8] {
        try encoder.encode(render(map, tile))
    }
}

/// The tile's pixel buffer shared by the row workers; each row is written by exactly one of them.
private struct SharedPixels: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
}
