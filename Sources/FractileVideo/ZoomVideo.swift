import FractileConfig
import FractileMath
import FractileRender
import Foundation

/// A zoom video of a map: `frameCount` frames of `width` x `height` pixels centred on one point, the zoom level
/// going linearly (so the scale exponentially: a smooth, constant-speed dive) from `zooms.lowerBound` to
/// `zooms.upperBound`. Each frame is composed from the map's tiles at the next whole zoom at or above the frame's
/// (bilinear, at most halving), so a seeded or cached region renders as fast as the caches serve it, and a frame
/// at a whole zoom on the tile grid is exactly the tiles' pixels. The centre is exact (fixed point, as deep tiles
/// place theirs) and which tiles and pixels a frame needs is computed in integers, so a video goes as deep as the map.
public struct ZoomVideo: Sendable {
    public struct ArgumentError: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public static let maximumSize = 3840

    public let map: MapDefinition
    public let center: WideComplex
    public let zooms: ClosedRange<Double>
    public let fps: Int
    public let frameCount: Int
    public let width: Int
    public let height: Int

    /// A centre given as a double (the nearest double of what the user wrote).
    public init(map: MapDefinition, center: Complex, zooms: ClosedRange<Double>, seconds: Double, fps: Int,
                width: Int, height: Int) throws(ArgumentError) {
        guard center.re.isFinite, center.im.isFinite else {
            throw ArgumentError("center \(center.re) \(center.im): expected finite numbers")
        }
        try self.init(map: map, center: WideComplex(center), zooms: zooms, seconds: seconds, fps: fps,
                      width: width, height: height)
    }

    public init(map: MapDefinition, center: WideComplex, zooms: ClosedRange<Double>, seconds: Double, fps: Int,
                width: Int, height: Int) throws(ArgumentError) {
        let deepest = Double(min(map.maxZoom, TileCoordinate.deepestZoom))
        guard zooms.lowerBound >= 0, zooms.upperBound <= deepest else {
            throw ArgumentError("zoom \(zooms.lowerBound)-\(zooms.upperBound): videos of \(map.name) cover zoom 0...\(Int(deepest))")
        }
        let (column, row) = Self.fractions(of: center, in: map)
        guard !center.isOverflow, [column, row].allSatisfy({ !$0.isOverflow && !($0 < .zero) && !(Fixed256.one < $0) }) else {
            let half = map.span / 2, p = center.complexValue
            let near = WideComplex(p) == center ? "" : "near "
            throw ArgumentError("center \(near)\(p.re) \(p.im): outside \(map.name), which covers re "
                + "\(map.center.re - half)...\(map.center.re + half), im \(map.center.im - half)...\(map.center.im + half)")
        }
        guard (1...120).contains(fps) else { throw ArgumentError("fps \(fps): expected 1...120") }
        let frames = seconds * Double(fps)
        guard seconds.isFinite, seconds > 0, frames.rounded() == frames, frames <= 100_000 else {
            throw ArgumentError("seconds \(seconds): expected a positive number of seconds that makes a whole number of frames (at most 100000) at \(fps) fps")
        }
        guard (16...Self.maximumSize).contains(width), (16...Self.maximumSize).contains(height),
              width % 2 == 0, height % 2 == 0 else {
            throw ArgumentError("size \(width)x\(height): expected even widths and heights in 16...\(Self.maximumSize) (H.264 halves the colour planes)")
        }
        self.map = map
        self.center = center
        self.zooms = zooms
        self.fps = fps
        self.frameCount = Int(frames)
        self.width = width
        self.height = height
    }

    /// The zoom of frame `index`: the first frame is at the first zoom, the last at the last.
    public func zoom(atFrame index: Int) -> Double {
        guard frameCount > 1 else { return zooms.lowerBound }
        return zooms.lowerBound + (zooms.upperBound - zooms.lowerBound) * Double(index) / Double(frameCount - 1)
    }

    /// The tile zoom a frame is composed from: the next whole zoom at or above it, within the map's.
    public func tileZoom(atFrame index: Int) -> Int {
        min(map.maxZoom, Int((zoom(atFrame: index) - 1e-9).rounded(.up)))
    }

    /// Frame `index` as packed RGB rows (what ffmpeg's rawvideo rgb24 reads). `tile` gives a tile's pixels; beyond
    /// the map's frame (tile 0/0/0's square) the frame is black and no tile is asked for.
    public func frame(_ index: Int, tile: (TileCoordinate) throws -> RGBImage) rethrows -> [UInt8] {
        let size = TileCoordinate.baseSize
        let z = tileZoom(atFrame: index)
        let factor = exp2(Double(z) - zoom(atFrame: index))
        let (columnFraction, rowFraction) = Self.fractions(of: center, in: map)
        // The centre as a tile of zoom z and a position in it; pixels are counted from that tile's first one, so
        // only small offsets are doubles. Pixel i has its centre at i + 0.5 (docs/maps.md "Tile coordinates").
        let (baseColumn, centerColumn) = Self.split(columnFraction, z: z)
        let (baseRow, centerRow) = Self.split(rowFraction, z: z)
        func samples(_ count: Int, _ base: UInt128, _ centre: Double) -> [(Int, Int, Double, Bool)] {
            // The grid's first and last pixel relative to the base tile, capped far beyond any frame.
            let lowest = Int(max(-Int128(base) * Int128(size), -(1 << 40)))
            let highest = Int(min(((Int128(1) << z) - Int128(base)) * Int128(size) - 1, 1 << 40))
            return (0..<count).map { i in
                let position = centre + (Double(i) + 0.5 - Double(count) / 2) * factor - 0.5
                let low = position.rounded(.down)
                let first = min(max(Int(low), lowest), highest)
                let second = min(max(Int(low) + 1, lowest), highest)
                return (first, second, position - low, position >= Double(lowest) - 0.5 && position <= Double(highest) + 0.5)
            }
        }
        let columns = samples(width, baseColumn, centerColumn)
        let rows = samples(height, baseRow, centerRow)
        // Tiles relative to the base tile (256 pixels: >> 8 floors, so pixels left of it are in tile -1).
        let firstTileColumn = columns.first!.0 >> 8, lastTileColumn = columns.last!.1 >> 8
        let firstTileRow = rows.first!.0 >> 8, lastTileRow = rows.last!.1 >> 8
        var tiles: [[RGBImage]] = []
        for tileRow in firstTileRow...lastTileRow {
            tiles.append(try (firstTileColumn...lastTileColumn).map { tileColumn in
                try tile(TileCoordinate(z: z, x: UInt128(Int128(baseColumn) + Int128(tileColumn)),
                                        y: UInt128(Int128(baseRow) + Int128(tileRow))))
            })
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for (top, bottom, fy, rowInside) in rows {
                let topTiles = tiles[(top >> 8) - firstTileRow], bottomTiles = tiles[(bottom >> 8) - firstTileRow]
                for (left, right, fx, columnInside) in columns {
                    guard rowInside && columnInside else {
                        offset += 3
                        continue
                    }
                    for channel in 0..<3 {
                        func value(_ images: [RGBImage], _ x: Int, _ y: Int) -> Double {
                            Double(images[(x >> 8) - firstTileColumn].pixels[((y & 255) * size + (x & 255)) * 3 + channel])
                        }
                        let upper = value(topTiles, left, top) * (1 - fx) + value(topTiles, right, top) * fx
                        let lower = value(bottomTiles, left, bottom) * (1 - fx) + value(bottomTiles, right, bottom) * fx
                        out[offset] = UInt8(min(255, max(0, (upper * (1 - fy) + lower * fy).rounded())))
                        offset += 1
                    }
                }
            }
        }
        return pixels
    }

    /// Where `center` lies in the map's frame, from its left and top edges, as fractions of the span (0...1 inside).
    static func fractions(of center: WideComplex, in map: MapDefinition) -> (column: Fixed256, row: Fixed256) {
        let half = Fixed256(map.span).scaled(byPowerOfTwo: -1), perSpan = Fixed256(map.span).reciprocal
        return ((center.re - (Fixed256(map.center.re) - half)) * perSpan,
                ((Fixed256(map.center.im) + half) - center.im) * perSpan)
    }

    /// A fraction 0...1 of the frame as the tile of zoom z it falls in and the position in that tile in pixels:
    /// the tile index takes z bits off the top, 56 at a time, exactly.
    static func split(_ fraction: Fixed256, z: Int) -> (tile: UInt128, pixel: Double) {
        var rest = fraction, tile: UInt128 = 0, bits = z
        while bits > 0 {
            let step = min(bits, 56)
            rest = rest.scaled(byPowerOfTwo: step)
            let whole = rest.floorInteger
            rest -= Fixed256(integer: whole)
            tile = tile << step | UInt128(whole)
            bits -= step
        }
        return (tile, rest.doubleValue * Double(TileCoordinate.baseSize))
    }

    /// `A-B` (decimals allowed), A <= B.
    public static func parseZooms(_ text: String) throws(ArgumentError) -> ClosedRange<Double> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]), low.isFinite, high.isFinite,
              low <= high else {
            throw ArgumentError("zoom \(text): expected A-B with A <= B, e.g. 0-12")
        }
        return low...high
    }

    /// `WxH`, e.g. 1280x720.
    public static func parseSize(_ text: String) throws(ArgumentError) -> (Int, Int) {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else {
            throw ArgumentError("size \(text): expected WIDTHxHEIGHT, e.g. 1280x720")
        }
        return (width, height)
    }
}
