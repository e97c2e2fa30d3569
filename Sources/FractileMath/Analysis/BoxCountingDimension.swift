#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The box-counting dimension of a boundary drawn on a pixel grid, the measure Sohl-Dickstein (2024) reports for
/// the trainability boundary: cover the grid with boxes of side s = 1, 2, 4, ... pixels, count the boxes N(s) that
/// hold boundary, and fit log N(s) = D log(1/s) + c by least squares. A smooth curve gives D = 1, a filled area 2;
/// `r2` (the fit's coefficient of determination) says how straight the log-log line is, i.e. how far the boundary
/// looks self-similar over the scales measured.
public struct BoxCountingDimension: Sendable, Equatable {
    public let boxSizes: [Int]
    public let counts: [Int]
    public let dimension: Double
    public let r2: Double

    /// Box sizes from 1 pixel up to a quarter of the grid's shorter side (at least four boxes across), powers of two.
    /// Nil when the mask holds no boundary or the grid is too small for two sizes.
    public init?(mask: [Bool], width: Int, height: Int) {
        precondition(mask.count == width * height, "one flag per pixel")
        var sizes: [Int] = []
        var size = 1
        while size * 4 <= Swift.min(width, height) {
            sizes.append(size)
            size *= 2
        }
        guard sizes.count >= 2 else { return nil }
        // Occupancy at size 1 is the mask; each larger size ORs 2x2 blocks of the one below.
        var occupied = mask, side = (width: width, height: height)
        var counts: [Int] = []
        for (index, _) in sizes.enumerated() {
            if index > 0 {
                let next = (width: (side.width + 1) / 2, height: (side.height + 1) / 2)
                var coarser = [Bool](repeating: false, count: next.width * next.height)
                for y in 0..<side.height {
                    for x in 0..<side.width where occupied[y * side.width + x] {
                        coarser[(y / 2) * next.width + x / 2] = true
                    }
                }
                occupied = coarser
                side = next
            }
            counts.append(occupied.reduce(0) { $0 + ($1 ? 1 : 0) })
        }
        guard counts[0] > 0 else { return nil }
        let points = zip(sizes, counts).filter { $0.1 > 0 }.map { (x: -log(Double($0.0)), y: log(Double($0.1))) }
        let meanX = points.map(\.x).reduce(0, +) / Double(points.count)
        let meanY = points.map(\.y).reduce(0, +) / Double(points.count)
        let sxx = points.reduce(0) { $0 + ($1.x - meanX) * ($1.x - meanX) }
        let sxy = points.reduce(0) { $0 + ($1.x - meanX) * ($1.y - meanY) }
        let syy = points.reduce(0) { $0 + ($1.y - meanY) * ($1.y - meanY) }
        boxSizes = sizes
        self.counts = counts
        dimension = sxy / sxx
        // All counts equal (syy = 0) fits a flat line exactly.
        r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 1
    }

    /// The boundary between two sides of a labelled grid: a pixel is on it when its right or lower neighbour lies on
    /// the other side. Labels: 1 and 2 are the two sides (trains / blows up); 0 belongs to neither (stalled), so
    /// it makes no boundary.
    public static func boundary(of labels: [UInt8], width: Int, height: Int) -> [Bool] {
        precondition(labels.count == width * height, "one label per pixel")
        var mask = [Bool](repeating: false, count: labels.count)
        func opposite(_ a: UInt8, _ b: UInt8) -> Bool { a != 0 && b != 0 && a != b }
        for y in 0..<height {
            for x in 0..<width {
                let here = labels[y * width + x]
                if x + 1 < width && opposite(here, labels[y * width + x + 1]) { mask[y * width + x] = true }
                if y + 1 < height && opposite(here, labels[(y + 1) * width + x]) { mask[y * width + x] = true }
            }
        }
        return mask
    }
}
