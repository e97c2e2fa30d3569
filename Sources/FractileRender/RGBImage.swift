/// An 8-bit RGB raster, row-major, 3 bytes per pixel: what the renderer paints and the encoder compresses.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage needs width*height*3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    /// The pixel at column `column`, row `row` as (r, g, b).
    public func pixel(column: Int, row: Int) -> (UInt8, UInt8, UInt8) {
        let offset = (row * width + column) * 3
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }

    /// The 2x2 mosaic of four equal-sized images; used to check the `@2x` rule of docs/maps.md.
    public static func mosaic(topLeft: RGBImage, topRight: RGBImage, bottomLeft: RGBImage, bottomRight: RGBImage) -> RGBImage {
        let width = topLeft.width, height = topLeft.height
        var result = RGBImage(width: width * 2, height: height * 2)
        let rowBytes = width * 3
        for (image, columnOffset, rowOffset) in [(topLeft, 0, 0), (topRight, width, 0), (bottomLeft, 0, height), (bottomRight, width, height)] {
            precondition(image.width == width && image.height == height, "mosaic parts must have equal size")
            for row in 0..<height {
                let source = row * rowBytes
                let target = ((row + rowOffset) * width * 2 + columnOffset) * 3
                result.pixels.replaceSubrange(target..<(target + rowBytes), with: image.pixels[source..<(source + rowBytes)])
            }
        }
        return result
    }
}
