import FractileConfig
import FractileRender
import XCTest

final class PNGEncoderTests: XCTestCase {
    private func image(width: Int, height: Int, colors: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for pixel in 0..<(width * height) {
            let value = (pixel * 7919) % colors
            image.pixels[pixel * 3] = UInt8(value & 0xFF)
            image.pixels[pixel * 3 + 1] = UInt8((value >> 8) & 0xFF)
            image.pixels[pixel * 3 + 2] = UInt8((value * 31) & 0xFF)
        }
        return image
    }

    /// Every palette depth (1, 2, 4, 8 bits) and truecolour decode, through libpng's reader, to the same pixels.
    func testRoundTripThroughLibpngAtEveryDepth() throws {
        for colors in [1, 2, 3, 4, 5, 16, 17, 200, 256, 257, 5000] {
            for (width, height) in [(256, 256), (13, 7), (1, 1)] {
                let original = image(width: width, height: height, colors: colors)
                let encoded = try PNGEncoder().encode(original)
                XCTAssertEqual(Array(encoded.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
                XCTAssertEqual(try PNGDecoder.decode(encoded), original, "\(colors) colours, \(width)x\(height)")
            }
        }
    }

    /// IHDR's colour type: indexed (3) when at most 256 colours, truecolour (2) above.
    func testChoosesPaletteWhereItFits() throws {
        let small = try PNGEncoder().encode(image(width: 64, height: 64, colors: 256))
        let large = try PNGEncoder().encode(image(width: 64, height: 64, colors: 257))
        XCTAssertEqual(small[25], 3)
        XCTAssertEqual(large[25], 2)
    }

    func testDecoderRejectsGarbage() {
        XCTAssertThrowsError(try PNGDecoder.decode([1, 2, 3]))
        XCTAssertThrowsError(try PNGDecoder.decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]))
    }

    func testRenderedTilesRoundTrip() throws {
        for map in try ShippedConfiguration.load().maps {
            let tile = TileCoordinate(z: 2, x: 1, y: 1)
            let renderer = TileRenderer()
            XCTAssertEqual(try PNGDecoder.decode(renderer.renderPNG(map, tile)), renderer.render(map, tile), map.name)
        }
    }
}
