import FractileConfig
import FractileMath
import FractileRender

/// The tiles one `fractile seed` run covers: a range of zoom levels, each cut to the tiles that meet a box of the
/// complex plane, in one stable order (z, then y, then x), of which shard I/N takes every Nth starting at I.
/// So N machines given shards 0/N ... N-1/N and the same map, zooms and box seed disjoint sets that together are
/// the whole, and a rerun visits the same tiles in the same order. Nothing is materialised: a shard's k-th tile is
/// computed from k, so `--zoom 0-30` costs no memory.
struct SeedPlan {
    /// One zoom level's rectangle of tiles and where it starts in the enumeration.
    struct Level {
        let z: Int
        let columns: ClosedRange<Int>
        let rows: ClosedRange<Int>
        let firstIndex: Int
        var count: Int { columns.count * rows.count }
    }

    /// A box of the complex plane, corners in either order.
    struct Box {
        let realRange: ClosedRange<Double>
        let imaginaryRange: ClosedRange<Double>
    }

    struct Shard {
        let index: Int
        let count: Int
    }

    let map: MapDefinition
    let zooms: ClosedRange<Int>
    let box: Box?
    let shard: Shard
    let scale: Int
    let levels: [Level]
    /// Tiles in all shards together.
    let total: Int

    init(map: MapDefinition, zooms: ClosedRange<Int>, box: Box?, shard: Shard, scale: Int) throws(CommandFailure) {
        self.map = map
        self.zooms = zooms
        self.box = box
        self.shard = shard
        self.scale = scale
        var levels: [Level] = []
        var total = 0
        for z in zooms {
            guard let (columns, rows) = Self.tileRanges(map: map, z: z, box: box) else { continue }
            let level = Level(z: z, columns: columns, rows: rows, firstIndex: total)
            let (count, countOverflow) = columns.count.multipliedReportingOverflow(by: rows.count)
            let (sum, sumOverflow) = total.addingReportingOverflow(count)
            guard !countOverflow, !sumOverflow else {
                throw CommandFailure("--zoom \(zooms.lowerBound)-\(zooms.upperBound) covers more than \(Int.max) tiles")
            }
            levels.append(level)
            total = sum
        }
        self.levels = levels
        self.total = total
    }

    /// Tiles in this shard: the indices I, I+N, I+2N, ... below `total`.
    var shardTotal: Int {
        total > shard.index ? (total - shard.index - 1) / shard.count + 1 : 0
    }

    /// The shard's `position`-th tile (0-based, below `shardTotal`).
    func tile(atShardPosition position: Int) -> TileCoordinate {
        let index = shard.index + position * shard.count
        let level = levels.last { $0.firstIndex <= index }!
        let local = index - level.firstIndex
        let width = level.columns.count
        return TileCoordinate(z: level.z, x: level.columns.lowerBound + local % width,
                              y: level.rows.lowerBound + local / width, scale: scale)
    }

    /// The columns and rows of zoom `z` whose tiles meet `box` (all of them without a box); nil if none do.
    /// Tile x covers re in [left + x*w, left + (x+1)*w] and row y covers im in [top - (y+1)*h, top - y*h]
    /// (docs/maps.md "Tile coordinates": y grows downward). A box edge exactly on a tile edge does not take in the
    /// neighbour; a box of zero width still takes the tile that holds it.
    static func tileRanges(map: MapDefinition, z: Int, box: Box?) -> (ClosedRange<Int>, ClosedRange<Int>)? {
        let edge = 1 << z
        guard let box else { return (0...(edge - 1), 0...(edge - 1)) }
        let tileSpan = map.span / Double(edge)
        let left = map.center.re - map.span / 2
        let top = map.center.im + map.span / 2
        guard let columns = indexRange(from: (box.realRange.lowerBound - left) / tileSpan,
                                       to: (box.realRange.upperBound - left) / tileSpan, edge: edge),
              let rows = indexRange(from: (top - box.imaginaryRange.upperBound) / tileSpan,
                                    to: (top - box.imaginaryRange.lowerBound) / tileSpan, edge: edge)
        else { return nil }
        return (columns, rows)
    }

    /// Tile indices in 0..<edge that meet [low, high], given in tile units.
    private static func indexRange(from low: Double, to high: Double, edge: Int) -> ClosedRange<Int>? {
        guard high > 0, low < Double(edge) else { return nil }
        // Clamped while still Double: a far-away box edge must not overflow Int.
        let first = Int(max(0, low.rounded(.down)))
        let last = max(first, Int(min(Double(edge), high.rounded(.up))) - 1)
        return first...last
    }
}

extension SeedPlan {
    /// Seeding walks whole zoom levels (or a box given in doubles), which only makes sense where a double box
    /// still tells tiles apart; deeper tiles render on demand.
    static let deepestZoom = 40

    /// `A-B` or `A`, within the map's zoom levels.
    static func parseZooms(_ text: String, map: MapDefinition) throws(CommandFailure) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let low = Int(parts[0]), let high = Int(parts[parts.count - 1]) else {
            throw CommandFailure("--zoom \(text): expected A-B or A, e.g. --zoom 0-5")
        }
        guard low <= high else { throw CommandFailure("--zoom \(text): the first zoom is above the last") }
        let deepest = min(map.maxZoom, Self.deepestZoom)
        guard low >= 0, high <= deepest else {
            let why = deepest < map.maxZoom ? " (deeper tiles render on demand)" : ""
            throw CommandFailure("--zoom \(text): seeding covers zoom levels 0...\(deepest) of \(map.name)\(why)")
        }
        return low...high
    }

    /// `re0,im0,re1,im1`: two opposite corners, finite, and meeting the map's frame.
    static func parseBox(_ text: String, map: MapDefinition) throws(CommandFailure) -> Box {
        let numbers = text.split(separator: ",", omittingEmptySubsequences: false).map {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        guard numbers.count == 4, let re0 = numbers[0], let im0 = numbers[1], let re1 = numbers[2],
              let im1 = numbers[3], [re0, im0, re1, im1].allSatisfy(\.isFinite)
        else {
            throw CommandFailure("--bbox \(text): expected four finite numbers re0,im0,re1,im1")
        }
        let box = Box(realRange: min(re0, re1)...max(re0, re1), imaginaryRange: min(im0, im1)...max(im0, im1))
        guard tileRanges(map: map, z: 0, box: box) != nil else {
            let half = map.span / 2
            throw CommandFailure("--bbox \(text): outside \(map.name), which covers re \(map.center.re - half)..."
                + "\(map.center.re + half), im \(map.center.im - half)...\(map.center.im + half)")
        }
        return box
    }

    /// `I/N` with 0 <= I < N.
    static func parseShard(_ text: String) throws(CommandFailure) -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw CommandFailure("--shard \(text): expected I/N, e.g. --shard 0/4")
        }
        guard count >= 1, index >= 0, index < count else {
            throw CommandFailure("--shard \(text): needs N >= 1 and 0 <= I < N")
        }
        return Shard(index: index, count: count)
    }
}
