import FractileConfig
import FractileMath
import FractileRender
import XCTest

final class TileRendererTests: XCTestCase {
    /// docs/maps.md: the `@2x` tile at z/x/y is, pixel for pixel, the 2x2 mosaic of its four children at z+1.
    func testDoubleScaleTileIsTheMosaicOfItsChildrenForEveryShippedMap() throws {
        let renderer = TileRenderer()
        for map in try ShippedConfiguration.load().maps {
            for (z, x, y) in [(0, 0, 0), (2, 1, 2)] {
                let double = renderer.render(map, TileCoordinate(z: z, x: x, y: y, scale: 2))
                let children = [(0, 0), (1, 0), (0, 1), (1, 1)].map { dx, dy in
                    renderer.render(map, TileCoordinate(z: z + 1, x: 2 * x + dx, y: 2 * y + dy))
                }
                let mosaic = RGBImage.mosaic(topLeft: children[0], topRight: children[1],
                                             bottomLeft: children[2], bottomRight: children[3])
                XCTAssertEqual(double.width, 512)
                XCTAssertTrue(double == mosaic, "\(map.name) \(z)/\(x)/\(y)@2x differs from its children's mosaic")
            }
        }
    }

    func testPixelCentersFollowMapsFormula() throws {
        let map = try XCTUnwrap(ShippedConfiguration.load().maps.first)
        let tile = TileCoordinate(z: 3, x: 5, y: 2)
        let p = TileRenderer.pixelCenter(of: map, tile: tile, column: 17, row: 200)
        let expectedRe = map.center.re + map.span * ((5 + (17 + 0.5) / 256) / 8 - 0.5)
        let expectedIm = map.center.im - map.span * ((2 + (200 + 0.5) / 256) / 8 - 0.5)
        XCTAssertEqual(p.re, expectedRe)
        XCTAssertEqual(p.im, expectedIm)
    }

    /// Tiles are pure functions of their inputs: same bytes twice, and with one thread or many.
    func testRenderingIsDeterministicAcrossRunsAndThreadCounts() throws {
        for map in try ShippedConfiguration.load().maps {
            let tile = TileCoordinate(z: 1, x: 1, y: 0)
            let single = try TileRenderer(threads: 1).renderPNG(map, tile)
            let all = try TileRenderer(threads: 0).renderPNG(map, tile)
            let many = try TileRenderer(threads: 7).renderPNG(map, tile)
            let again = try TileRenderer(threads: 0).renderPNG(map, tile)
            XCTAssertEqual(single, all, map.name)
            XCTAssertEqual(all, many, map.name)
            XCTAssertEqual(all, again, map.name)
        }
    }

    /// The first tile of every shipped map must show structure, not one flat colour.
    func testShippedMapsFrameTheirStructure() throws {
        for map in try ShippedConfiguration.load().maps {
            let image = TileRenderer().render(map, TileCoordinate(z: 0, x: 0, y: 0))
            var colors = Set<UInt32>()
            for pixel in stride(from: 0, to: image.pixels.count, by: 3) {
                colors.insert(UInt32(image.pixels[pixel]) << 16 | UInt32(image.pixels[pixel + 1]) << 8 | UInt32(image.pixels[pixel + 2]))
            }
            XCTAssertGreaterThan(colors.count, 8, "\(map.name) z=0 is nearly flat")
        }
    }

    func testTileValidation() {
        XCTAssertNoThrow(try TileCoordinate(z: 3, x: 7, y: 0).validate(maxZoom: 3))
        XCTAssertThrowsError(try TileCoordinate(z: 4, x: 0, y: 0).validate(maxZoom: 3))
        XCTAssertThrowsError(try TileCoordinate(z: 3, x: 8, y: 0).validate(maxZoom: 3))
        XCTAssertThrowsError(try TileCoordinate(z: 3, x: 0, y: 8).validate(maxZoom: 3))
        XCTAssertThrowsError(try TileCoordinate(z: 0, x: 0, y: 0, scale: 3).validate(maxZoom: 3))
    }
}
