import FractileCache
import FractileConfig
import FractileRender

/// Tiles for video frames through the caches: decoded tiles of recent frames in memory (consecutive frames share
/// most of theirs), then the disk cache the server and `seed` share, then a render (written back to the disk cache
/// so the next video or server of the same map finds it).
public final class VideoTileSource {
    public private(set) var rendered = 0
    public private(set) var fromDisk = 0
    private let map: MapDefinition
    private let disk: DiskTileCache?
    private let renderer: TileRenderer
    private let capacity: Int
    private var recent: [TileCoordinate: (image: RGBImage, lastUse: Int)] = [:]
    private var clock = 0

    /// `capacity` decoded tiles are kept (192 KiB each).
    public init(map: MapDefinition, disk: DiskTileCache?, renderer: TileRenderer, capacity: Int = 512) {
        self.map = map
        self.disk = disk
        self.renderer = renderer
        self.capacity = capacity
    }

    public func tile(_ tile: TileCoordinate) throws -> RGBImage {
        clock += 1
        if let hit = recent[tile] {
            recent[tile] = (hit.image, clock)
            return hit.image
        }
        let key = TileCacheKey(map: map.name, settingsHash: map.settingsHash, z: tile.z, x: tile.x, y: tile.y, scale: tile.scale)
        let image: RGBImage
        if let bytes = disk?.get(key), let decoded = try? PNGDecoder.decode(bytes) {
            image = decoded
            fromDisk += 1
        } else {
            image = renderer.render(map, tile)
            rendered += 1
            if let disk { disk.put(key, try renderer.encoder.encode(image)) }
        }
        if recent.count >= capacity, let oldest = recent.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            recent.removeValue(forKey: oldest.key)
        }
        recent[tile] = (image, clock)
        return image
    }
}
