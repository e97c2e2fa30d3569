import XCTest

@testable import FractileCache

final class TileCacheKeyTests: XCTestCase {
    func testRelativePathLayout() {
        let key = TileCacheKey(map: "mandelbrot", settingsHash: "3f2a-b_9", z: 4, x: 5, y: 6, scale: 1)
        XCTAssertEqual(key.relativePath, "mandelbrot/3f2a-b_9/4/5/6.png")
        var retina = key
        retina.scale = 2
        XCTAssertEqual(retina.relativePath, "mandelbrot/3f2a-b_9/4/5/6@2x.png")
        XCTAssertNotEqual(key, retina)
    }

    func testOnlySafeNamesAndCoordinatesMakePaths() {
        let good = TileCacheKey(map: "forward_pass-2", settingsHash: "0a1b", z: 0, x: 0, y: 0, scale: 2)
        XCTAssertTrue(good.isSafeForPath)
        let unsafeMaps = ["", ".", "..", "../etc", "a/b", "Mandelbrot", "m p", "m\0", "é", String(repeating: "a", count: 129)]
        for map in unsafeMaps {
            var key = good
            key.map = map
            XCTAssertFalse(key.isSafeForPath, "map \(map.debugDescription)")
            key = good
            key.settingsHash = map
            XCTAssertFalse(key.isSafeForPath, "hash \(map.debugDescription)")
        }
        for (z, x, y, scale) in [(-1, 0, 0, 1), (0, 0, 0, 0), (0, 0, 0, 3)] as [(Int, UInt128, UInt128, Int)] {
            let key = TileCacheKey(map: "m", settingsHash: "h", z: z, x: x, y: y, scale: scale)
            XCTAssertFalse(key.isSafeForPath, "\(key)")
        }
    }

    func testEqualKeysHashEqualAfterAnyChange() {
        let key = TileCacheKey(map: "m", settingsHash: "h", z: 4, x: 5, y: 6, scale: 1)
        var changed = key
        changed.y = 7
        XCTAssertNotEqual(changed, key)
        changed.y = 6
        XCTAssertEqual(changed, key)
        XCTAssertEqual(changed.hashValue, key.hashValue)
        let edits: [(inout TileCacheKey) -> Void] = [
            { $0.map = "n" }, { $0.settingsHash = "g" }, { $0.z = 3 }, { $0.x = 1 }, { $0.y = 1 }, { $0.scale = 2 },
        ]
        for edit in edits {
            var edited = key
            edit(&edited)
            XCTAssertNotEqual(edited, key)
            let rebuilt = TileCacheKey(map: edited.map, settingsHash: edited.settingsHash, z: edited.z, x: edited.x,
                                       y: edited.y, scale: edited.scale)
            XCTAssertEqual(rebuilt, edited)
            XCTAssertEqual(rebuilt.hashValue, edited.hashValue)
            XCTAssertEqual(Set([rebuilt, edited, key]).count, 2)
        }
    }
}
