import XCTest

@testable import FractileCache

final class PNGStructureTests: XCTestCase {
    func testCRC32KnownValues() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)  // the standard check value
        XCTAssertEqual(CRC32.checksum(Array("IEND".utf8)), 0xAE42_6082)  // every PNG ends with these bytes
        let whole = CRC32.checksum(Array("IHDRdata".utf8))
        XCTAssertEqual(CRC32.checksum(Array("data".utf8), continuing: CRC32.checksum(Array("IHDR".utf8))), whole)
    }

    func testFixtureIsValid() {
        for width in [1, 4, 300] {
            XCTAssertNil(PNGStructure.problem(in: PNGFixture.png(width: width)))
        }
    }

    func testFixtureMatchesAnIndependentEncoder() {
        // Built with Python's zlib.crc32 and zlib.adler32; ImageMagick `identify` reads it as "PNG 4x1 8-bit Gray".
        let reference = "89504e470d0a1a0a0000000d4948445200000004000000010800000000dc57501100000010494441547801010500faff"
            + "00808080800505020115ebccea0000000049454e44ae426082"
        let hex = PNGFixture.png(width: 4, grey: 0x80).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(hex, reference)
    }

    func testEveryTruncationIsDetected() {
        let png = PNGFixture.png()
        for length in 0..<png.count {
            XCTAssertNotNil(PNGStructure.problem(in: Array(png[0..<length])), "truncated to \(length) bytes")
        }
    }

    func testEveryFlippedBitIsDetected() {
        let png = PNGFixture.png()
        for index in png.indices {
            for bit in 0..<8 {
                var damaged = png
                damaged[index] ^= 1 << bit
                XCTAssertNotNil(PNGStructure.problem(in: damaged), "bit \(bit) of byte \(index)")
            }
        }
    }

    func testStructuralProblemsAreNamed() {
        let signature = PNGStructure.signature
        let ihdr = PNGFixture.chunk("IHDR", PNGFixture.bigEndian(1) + PNGFixture.bigEndian(1) + [8, 0, 0, 0, 0])
        let idat = PNGFixture.chunk("IDAT", PNGFixture.zlibStored([0, 0]))
        let iend = PNGFixture.chunk("IEND", [])
        XCTAssertNil(PNGStructure.problem(in: signature + ihdr + idat + iend))
        XCTAssertEqual(PNGStructure.problem(in: Array("<html>not a png</html>".utf8)), .badSignature)
        XCTAssertEqual(PNGStructure.problem(in: signature), .firstChunkNotIHDR)
        XCTAssertEqual(PNGStructure.problem(in: signature + idat + ihdr + iend), .firstChunkNotIHDR)
        XCTAssertEqual(PNGStructure.problem(in: signature + ihdr + iend), .missingIDAT)
        XCTAssertEqual(PNGStructure.problem(in: signature + ihdr + idat), .missingIEND)
        XCTAssertEqual(PNGStructure.problem(in: signature + ihdr + idat + iend + [0]), .bytesAfterIEND(count: 1))
        XCTAssertEqual(PNGStructure.problem(in: signature + ihdr + idat + iend + iend), .bytesAfterIEND(count: 12))
        let zeroWidth = PNGFixture.chunk("IHDR", PNGFixture.bigEndian(0) + PNGFixture.bigEndian(1) + [8, 0, 0, 0, 0])
        XCTAssertEqual(PNGStructure.problem(in: signature + zeroWidth + idat + iend), .badIHDR)
        let huge = PNGFixture.bigEndian(0x8000_0000) + Array("IDAT".utf8) + [0, 0, 0, 0]
        XCTAssertEqual(PNGStructure.problem(in: signature + ihdr + huge), .chunkTooLong(offset: 33))
        XCTAssertEqual(PNGStructure.problem(in: signature + ihdr + PNGFixture.chunk("ID4T", []) + idat + iend),
                       .badChunkType(offset: 33))
    }
}
