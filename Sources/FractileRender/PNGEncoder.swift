import CLibPNG
#if canImport(Glibc)
import Glibc
#endif

/// Encodes tiles as 8-bit PNG through libpng: a palette image (1, 2, 4 or 8 bits per index) when the tile has at most
/// 256 colours, which is most tiles because the colouring quantises its shades; otherwise truecolour RGB.
public struct PNGEncoder: Sendable {
    public enum EncodingError: Error, Equatable {
        case libpngFailed
    }

    /// zlib level: 6 is libpng's own default and within a few percent of 9 on tiles, at a fraction of its time.
    public var compressionLevel: Int32 = 6

    public init() {}

    public func encode(_ image: RGBImage) throws(EncodingError) -> [UInt8] {
        if let palette = Palette(image) {
            return try encodePalette(image, palette)
        }
        return try encodeTruecolor(image)
    }

    private func encodePalette(_ image: RGBImage, _ palette: Palette) throws(EncodingError) -> [UInt8] {
        let count = palette.colors.count
        let bitDepth = count <= 2 ? 1 : count <= 4 ? 2 : count <= 16 ? 4 : 8
        let rowBytes = (image.width * bitDepth + 7) / 8
        var packed = [UInt8](repeating: 0, count: rowBytes * image.height)
        let perByte = 8 / bitDepth
        for row in 0..<image.height {
            for column in 0..<image.width {
                let index = palette.indices[row * image.width + column]
                let shift = (perByte - 1 - column % perByte) * bitDepth
                packed[row * rowBytes + column / perByte] |= index << shift
            }
        }
        let colors = palette.colors.map { png_color(red: UInt8($0 >> 16), green: UInt8(($0 >> 8) & 0xFF), blue: UInt8($0 & 0xFF)) }
        // Filters do not help indexed images (libpng's own advice), so none are tried.
        return try write(width: image.width, height: image.height, bitDepth: bitDepth, colorType: PNG_COLOR_TYPE_PALETTE,
                         palette: colors, rows: packed, rowBytes: rowBytes, filters: PNG_FILTER_NONE)
    }

    /// The plain 8-bit RGB PNG of the image, whatever its colour count: what `make bench` weighs tiles against.
    public func encodeTruecolor(_ image: RGBImage) throws(EncodingError) -> [UInt8] {
        try write(width: image.width, height: image.height, bitDepth: 8, colorType: PNG_COLOR_TYPE_RGB, palette: [],
                  rows: image.pixels, rowBytes: image.width * 3, filters: PNG_FILTER_SUB | PNG_FILTER_UP | PNG_FILTER_PAETH)
    }

    private func write(width: Int, height: Int, bitDepth: Int, colorType: Int32, palette: [png_color],
                       rows: [UInt8], rowBytes: Int, filters: Int32) throws(EncodingError) -> [UInt8] {
        var buffer = fractile_png_buffer(data: nil, size: 0, capacity: 0)
        defer { free(buffer.data) }
        let status = rows.withUnsafeBufferPointer { samples -> Int32 in
            let base = samples.baseAddress!
            let rowPointers: [UnsafePointer<UInt8>?] = (0..<height).map { base + $0 * rowBytes }
            return rowPointers.withUnsafeBufferPointer { pointers in
                palette.withUnsafeBufferPointer { colors in
                    fractile_png_encode(&buffer, png_uint_32(width), png_uint_32(height), Int32(bitDepth), colorType,
                                        palette.isEmpty ? nil : colors.baseAddress, Int32(palette.count),
                                        pointers.baseAddress, compressionLevel, filters)
                }
            }
        }
        guard status == 0, let data = buffer.data else { throw .libpngFailed }
        return [UInt8](UnsafeBufferPointer(start: data, count: buffer.size))
    }
}

/// The distinct colours of an image in order of first appearance (so the encoding is deterministic), or nil when
/// there are more than 256.
struct Palette {
    var colors: [UInt32] = []
    var indices: [UInt8]

    init?(_ image: RGBImage) {
        // Open addressing over 1024 slots keeps at most 256 keys at a load factor of 1/4.
        let slotCount = 1024
        var slotKeys = [UInt32](repeating: .max, count: slotCount)
        var slotIndices = [UInt8](repeating: 0, count: slotCount)
        indices = [UInt8](repeating: 0, count: image.width * image.height)
        var lastKey = UInt32.max, lastIndex: UInt8 = 0
        let pixels = image.pixels
        for pixel in 0..<(image.width * image.height) {
            let key = UInt32(pixels[pixel * 3]) << 16 | UInt32(pixels[pixel * 3 + 1]) << 8 | UInt32(pixels[pixel * 3 + 2])
            if key != lastKey {  // runs of one colour are common: skip the table for them
                var slot = Int((key &* 2_654_435_761) >> 22)
                while slotKeys[slot] != key && slotKeys[slot] != .max { slot = (slot + 1) & (slotCount - 1) }
                if slotKeys[slot] == .max {
                    if colors.count == 256 { return nil }
                    slotKeys[slot] = key
                    slotIndices[slot] = UInt8(colors.count)
                    colors.append(key)
                }
                lastKey = key
                lastIndex = slotIndices[slot]
            }
            indices[pixel] = lastIndex
        }
    }
}
