import FractileMath
import XCTest

/// The box-counting estimator on synthetic boundaries whose dimension is known.
final class BoxCountingDimensionTests: XCTestCase {
    /// Labels 1 inside the region, 2 outside, on a side x side grid.
    func labels(side: Int, inside: (Double, Double) -> Bool) -> [UInt8] {
        var labels = [UInt8](repeating: 2, count: side * side)
        for y in 0..<side {
            for x in 0..<side where inside(Double(x) + 0.5, Double(y) + 0.5) { labels[y * side + x] = 1 }
        }
        return labels
    }

    func dimension(side: Int, inside: (Double, Double) -> Bool) throws -> BoxCountingDimension {
        let grid = labels(side: side, inside: inside)
        return try XCTUnwrap(BoxCountingDimension(mask: BoxCountingDimension.boundary(of: grid, width: side, height: side),
                                                  width: side, height: side))
    }

    func testAStraightEdgeHasDimensionOne() throws {
        let vertical = try dimension(side: 512) { x, _ in x < 200 }
        XCTAssertEqual(vertical.dimension, 1, accuracy: 0.02)
        XCTAssertGreaterThan(vertical.r2, 0.999)
        XCTAssertEqual(vertical.boxSizes, [1, 2, 4, 8, 16, 32, 64, 128])
        let slanted = try dimension(side: 512) { x, y in y < 0.37 * x + 100 }
        XCTAssertEqual(slanted.dimension, 1, accuracy: 0.05)
    }

    func testAKochCurveEdgeHasDimensionNearLog4OverLog3() throws {
        // A Koch snowflake fills the middle of the grid; its edge has dimension log 4 / log 3 = 1.2619. Depth 6:
        // the smallest segments are about one pixel long.
        let side = 1024
        let polygon = Self.kochSnowflake(center: (512, 560), radius: 440, depth: 6)
        let grid = Self.fill(polygon, side: side)
        let koch = try XCTUnwrap(BoxCountingDimension(mask: BoxCountingDimension.boundary(of: grid, width: side, height: side),
                                                      width: side, height: side))
        print("Koch snowflake: D = \(koch.dimension), r2 = \(koch.r2), counts \(koch.counts)")
        XCTAssertEqual(koch.dimension, log(4) / log(3), accuracy: 0.06)
        XCTAssertGreaterThan(koch.r2, 0.99)
    }

    func testAFilledAreaHasDimensionTwoAndNoBoundaryNone() {
        // Stripes one pixel wide: every pixel is boundary, like a filled area.
        let stripes: [UInt8] = (0..<(256 * 256)).map { (index: Int) -> UInt8 in index % 2 == 0 ? 1 : 2 }
        let filled = BoxCountingDimension(mask: BoxCountingDimension.boundary(of: stripes, width: 256, height: 256),
                                          width: 256, height: 256)
        XCTAssertEqual(filled?.dimension ?? 0, 2, accuracy: 0.01)
        XCTAssertNil(BoxCountingDimension(mask: [Bool](repeating: false, count: 64 * 64), width: 64, height: 64))
        // Label 0 (stalled) makes no boundary.
        XCTAssertEqual(BoxCountingDimension.boundary(of: [1, 0, 0, 2], width: 2, height: 2), [false, false, false, false])
    }

    static func kochSnowflake(center: (Double, Double), radius: Double, depth: Int) -> [(Double, Double)] {
        var points = (0..<3).map { k -> (Double, Double) in
            let angle = Double.pi / 2 + 2 * Double.pi * Double(k) / 3
            return (center.0 + radius * cos(angle), center.1 - radius * sin(angle))
        }
        for _ in 0..<depth {
            var next: [(Double, Double)] = []
            for index in points.indices {
                let a = points[index], b = points[(index + 1) % points.count]
                let d = ((b.0 - a.0) / 3, (b.1 - a.1) / 3)
                let p1 = (a.0 + d.0, a.1 + d.1), p3 = (a.0 + 2 * d.0, a.1 + 2 * d.1)
                // The outward bump: d turned by 60 degrees (points run counter-clockwise on screen).
                let c = 0.5, s: Double = -(3.0).squareRoot() / 2
                let turnedX: Double = d.0 * c - d.1 * s
                let turnedY: Double = d.0 * s + d.1 * c
                let p2 = (p1.0 + turnedX, p1.1 + turnedY)
                next += [a, p1, p2, p3]
            }
            points = next
        }
        return points
    }

    /// Labels 1 inside the polygon (even-odd rule at pixel centres), 2 outside: one scanline per row.
    static func fill(_ polygon: [(Double, Double)], side: Int) -> [UInt8] {
        var labels = [UInt8](repeating: 2, count: side * side)
        for row in 0..<side {
            let y = Double(row) + 0.5
            var crossings: [Double] = []
            var j = polygon.count - 1
            for i in polygon.indices {
                let (xi, yi) = polygon[i], (xj, yj) = polygon[j]
                if (yi > y) != (yj > y) { crossings.append(xi + (xj - xi) * (y - yi) / (yj - yi)) }
                j = i
            }
            crossings.sort()
            for pair in stride(from: 0, to: crossings.count - 1, by: 2) {
                let first = Swift.max(0, Int((crossings[pair] - 0.5).rounded(.up)))
                let last = Swift.min(side - 1, Int((crossings[pair + 1] - 0.5).rounded(.down)))
                if first <= last { for column in first...last { labels[row * side + column] = 1 } }
            }
        }
        return labels
    }
}
