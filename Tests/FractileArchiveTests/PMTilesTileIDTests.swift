@testable import FractileArchive
import XCTest

final class PMTilesTileIDTests: XCTestCase {
    /// Values from the PMTiles v3 spec's test vectors.
    func testKnownIDs() {
        XCTAssertEqual(PMTilesTileID.id(TileAddress(z: 0, x: 0, y: 0)), 0)
        XCTAssertEqual(PMTilesTileID.id(TileAddress(z: 1, x: 0, y: 0)), 1)
        XCTAssertEqual(PMTilesTileID.id(TileAddress(z: 1, x: 0, y: 1)), 2)
        XCTAssertEqual(PMTilesTileID.id(TileAddress(z: 1, x: 1, y: 1)), 3)
        XCTAssertEqual(PMTilesTileID.id(TileAddress(z: 1, x: 1, y: 0)), 4)
        XCTAssertEqual(PMTilesTileID.id(TileAddress(z: 2, x: 0, y: 0)), 5)
    }

    func testRoundTripsEveryTileOfTheFirstZooms() {
        var seen = Set<UInt64>()
        for z in 0...6 {
            for x in 0..<(1 << z) {
                for y in 0..<(1 << z) {
                    let address = TileAddress(z: z, x: x, y: y)
                    let id = PMTilesTileID.id(address)
                    XCTAssertEqual(PMTilesTileID.address(id), address)
                    seen.insert(id)
                }
            }
        }
        // Every ID from 0 up is used exactly once.
        XCTAssertEqual(seen, Set(0..<PMTilesTileID.firstID(ofZoom: 7)))
    }

    func testDeepTilesRoundTrip() {
        let address = TileAddress(z: 31, x: (1 << 31) - 1, y: 12345)
        XCTAssertEqual(PMTilesTileID.address(PMTilesTileID.id(address)), address)
    }
}
