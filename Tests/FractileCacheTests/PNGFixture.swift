@testable import FractileCache

/// Real, minimal PNGs for the cache tests: one row of `width` 8-bit grey pixels, its image data a zlib stream of one
/// stored (uncompressed) deflate block (RFC 1950 §2.2, RFC 1951 §3.2.4), every chunk with its CRC-32 (PNG spec §5.3).
enum PNGFixture {
    static func png(width: Int = 4, grey: UInt8 = 0x80) -> [UInt8] {
        precondition((1...65_534).contains(width))
        var ihdr: [UInt8] = []
        ihdr += bigEndian(UInt32(width))
        ihdr += bigEndian(1)  // height
        ihdr += [8, 0, 0, 0, 0]  // bit depth 8, greyscale, deflate, adaptive filtering, no interlace
        let scanline = [0] + [UInt8](repeating: grey, count: width)  // filter type 0 (None), then the pixels
        return PNGStructure.signature + chunk("IHDR", ihdr) + chunk("IDAT", zlibStored(scanline)) + chunk("IEND", [])
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(CRC32.checksum(typeAndData))
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        let length = UInt16(data.count)
        var stream: [UInt8] = [0x78, 0x01]  // CM 8, 32K window, FCHECK so that 0x7801 % 31 == 0
        stream += [0x01]  // BFINAL = 1, BTYPE = 00 (stored)
        stream += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        stream += data
        return stream + bigEndian(adler32(data))
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
