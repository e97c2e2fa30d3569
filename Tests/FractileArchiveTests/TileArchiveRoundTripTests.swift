@testable import FractileArchive
import Foundation
import XCTest

final class TileArchiveRoundTripTests: XCTestCase {
    private var directory: String!

    override func setUp() {
        directory = NSTemporaryDirectory() + "fractile-archive-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private let metadata = TileArchiveMetadata(map: "m", title: "M & \"quotes\"", description: "d\nline", kind: "forward_pass",
                                               center: (-0.8, 1e-300), span: 6, settingsHash: "0123456789abcdef",
                                               tileSize: 256)

    /// Enough distinct tiles that the directory outgrows the first 16 KiB: leaf directories are written and read.
    func testPMTilesWithLeafDirectoriesRoundTrips() throws {
        let path = directory + "/many.pmtiles"
        let writer = try TileArchive.writer(path: path)
        var expected: [TileAddress: [UInt8]] = [:]
        // Shuffled, with runs of equal tiles (every 7th tile shares content) and distinct ones.
        let addresses = (0..<(1 << 16)).map { TileAddress(z: 8, x: $0 % 256, y: $0 / 256) }.shuffled()
        for (index, address) in addresses.prefix(30_000).enumerated() {
            let bytes: [UInt8] = address.x % 7 == 0 ? [1, 2, 3] : Array("tile \(address) \(index)".utf8)
            try writer.add(address, bytes)
            expected[address] = bytes
        }
        try writer.finish(metadata)
        let reader = try PMTilesReader(path: path)
        XCTAssertEqual(reader.metadata, metadata)
        XCTAssertEqual(Set(try reader.addresses()), Set(expected.keys))
        for (address, bytes) in expected { XCTAssertEqual(try reader.tile(address), bytes) }
        XCTAssertNil(try reader.tile(TileAddress(z: 9, x: 0, y: 0)))
        let header = try PMTilesHeader(parsing: try ArchiveFile(path: path, create: false).read(at: 0, count: 127), source: path)
        XCTAssertGreaterThan(header.leafLength, 0)
        XCTAssertLessThanOrEqual(Int(header.rootOffset + header.rootLength), PMTilesHeader.firstFetchSize)
        XCTAssertLessThan(header.tileContents, header.addressedTiles)
    }

    func testMBTilesRoundTripsWithTMSRows() throws {
        let path = directory + "/few.mbtiles"
        let writer = try TileArchive.writer(path: path)
        try writer.add(TileAddress(z: 2, x: 1, y: 0), [9, 9])
        try writer.add(TileAddress(z: 0, x: 0, y: 0), [])
        XCTAssertThrowsError(try writer.add(TileAddress(z: 0, x: 0, y: 0), [1]))
        try writer.finish(metadata)
        let reader = try MBTilesReader(path: path)
        XCTAssertEqual(reader.metadata, metadata)
        XCTAssertEqual(try reader.tile(TileAddress(z: 2, x: 1, y: 0)), [9, 9])
        XCTAssertEqual(try reader.tile(TileAddress(z: 0, x: 0, y: 0)), [])
        XCTAssertNil(try reader.tile(TileAddress(z: 2, x: 1, y: 3)))
        XCTAssertEqual(try reader.addresses(), [TileAddress(z: 0, x: 0, y: 0), TileAddress(z: 2, x: 1, y: 0)])
    }

    func testAbandonLeavesNothing() throws {
        for name in ["a.pmtiles", "a.mbtiles"] {
            let writer = try TileArchive.writer(path: directory + "/" + name)
            try writer.add(TileAddress(z: 0, x: 0, y: 0), [1])
            writer.abandon()
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testCorruptDirectoriesAreErrorsNotCrashes() {
        XCTAssertThrowsError(try PMTilesDirectory(parsing: [0xFF, 0xFF, 0xFF], source: "x"))
        XCTAssertThrowsError(try PMTilesDirectory(parsing: [200], source: "x"))
        XCTAssertThrowsError(try Gzip.decompress([0x1F, 0x8B, 0, 0]))
        XCTAssertEqual(try Gzip.decompress(Gzip.compress(Array("abc".utf8))), Array("abc".utf8))
    }
}
