import FractileConfig
import FractileMath
import FractileRender
import Foundation

/// A zoom video of a map: `frameCount` frames of `width` x `height` pixels centred on one point, the zoom level
/// going linearly (so the scale exponentially: a smooth, constant-speed dive) from `zooms.lowerBound` to
/// `zooms.upperBound`. Each frame is composed from the map's tiles at the next whole zoom at or above the frame's
/// (bilinear, at most halving), so a seeded or cached region renders as fast as the caches serve it, and a frame
/// at a whole zoom on the tile grid is exactly the tiles' pixels.
public struct ZoomVideo: Sendable {
    public struct ArgumentError: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Frame positions are computed in double: past this zoom a pixel is too small for a double centre to place.
    public static let deepestZoom = 40
    public static let maximumSize = 3840

    public let map: MapDefinition
    public let center: Complex
    public let zooms: ClosedRange<Double>
    public let fps: Int
    public let frameCount: Int
    public let width: Int
    public let height: Int

    public init(map: MapDefinition, center: Complex, zooms: ClosedRange<Double>, seconds: Double, fps: Int,
                width: Int, height: Int) throws(ArgumentError) {
        let deepest = Double(min(map.maxZoom, Self.deepestZoom))
        guard zooms.lowerBound >= 0, zooms.upperBound <= deepest else {
            throw ArgumentError("zoom \(zooms.lowerBound)-\(zooms.upperBound): videos of \(map.name) cover zoom 0...\(Int(deepest))")
        }
        guard center.re.isFinite, center.im.isFinite,
              abs(center.re - map.center.re) <= map.span / 2, abs(center.im - map.center.im) <= map.span / 2 else {
            let half = map.span / 2
            throw ArgumentError("center \(center.re) \(center.im): outside \(map.name), which covers re "
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

    /// Frame `index` as packed RGB rows (what ffmpeg's rawvideo rgb24 reads). `tile` gives a tile's pixels; tiles
    /// beyond the map's frame are not asked for (the edge pixels are repeated there).
    public func frame(_ index: Int, tile: (TileCoordinate) throws -> RGBImage) rethrows -> [UInt8] {
        let size = TileCoordinate.baseSize
        let z = tileZoom(atFrame: index)
        let edge = size << z
        let factor = exp2(Double(z) - zoom(atFrame: index))
        // The centre in tile pixels of zoom z, whose pixel i has its centre at i + 0.5 (MAPS.md "Tile coordinates").
        let centerColumn = (center.re - (map.center.re - map.span / 2)) / map.span * Double(edge)
        let centerRow = ((map.center.im + map.span / 2) - center.im) / map.span * Double(edge)
        func samples(_ count: Int, _ centre: Double) -> [(Int, Int, Double)] {
            (0..<count).map { i in
                let position = centre + (Double(i) + 0.5 - Double(count) / 2) * factor - 0.5
                let low = position.rounded(.down)
                let first = Int(min(max(low, 0), Double(edge - 1)))
                let second = Int(min(max(low + 1, 0), Double(edge - 1)))
                return (first, second, position - low)
            }
        }
        let columns = samples(width, centerColumn)
        let rows = samples(height, centerRow)
        let firstTileColumn = columns.first!.0 / size, lastTileColumn = columns.last!.1 / size
        let firstTileRow = rows.first!.0 / size, lastTileRow = rows.last!.1 / size
        var tiles: [[RGBImage]] = []
        for tileRow in firstTileRow...lastTileRow {
            tiles.append(try (firstTileColumn...lastTileColumn).map { tileColumn in
                try tile(TileCoordinate(z: z, x: tileColumn, y: tileRow))
            })
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for (top, bottom, fy) in rows {
                let topTiles = tiles[top / size - firstTileRow], bottomTiles = tiles[bottom / size - firstTileRow]
                for (left, right, fx) in columns {
                    for channel in 0..<3 {
                        func value(_ images: [RGBImage], _ x: Int, _ y: Int) -> Double {
                            Double(images[x / size - firstTileColumn].pixels[((y % size) * size + x % size) * 3 + channel])
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
