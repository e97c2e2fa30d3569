import Dispatch
import FractileCache
import FractileConfig
import FractileRender
@testable import FractileServer
import Foundation
import Synchronization
import XCTest

/// The pipeline renders a tile on one thread while other renders run or wait, and across the renderer's threads
/// only when it is alone: the bytes must not depend on which.
final class TilePipelineTests: XCTestCase {
    func testATileSplitsAcrossThreadsOnlyWhenItsClientHasNothingElseWaitingAndNoOtherClientHoldsTheCores() {
        typealias Render = TilePipeline.RunningRender
        let alone: [Int: Render] = [0: Render(client: "user")]
        XCTAssertTrue(TilePipeline.splitsAcrossThreads(0, running: alone, clientWaiting: 0))
        XCTAssertFalse(TilePipeline.splitsAcrossThreads(0, running: alone, clientWaiting: 3), "more of its own wait")
        // The last tile of a view while a flood's renders yield to it; not while one of them holds the cores.
        var view: [Int: Render] = [0: Render(client: "user"), 1: Render(client: "user"),
                                   2: Render(client: "flood", yielding: true), 3: Render(client: "flood", yielding: true)]
        XCTAssertTrue(TilePipeline.splitsAcrossThreads(0, running: view, clientWaiting: 0))
        view[3]!.yielding = false
        XCTAssertFalse(TilePipeline.splitsAcrossThreads(0, running: view, clientWaiting: 0))
        // A render that yields itself never splits.
        XCTAssertFalse(TilePipeline.splitsAcrossThreads(2, running: view, clientWaiting: 0))
    }

    private func key(_ index: Int) -> TileCacheKey {
        TileCacheKey(map: "m", settingsHash: "h", z: 5, x: UInt128(index), y: 0, scale: 1)
    }

    /// A flood's running renders wait at their checkpoints while a user's render runs, and go on when it is done.
    func testAFloodsRunningRendersWaitWhileAUsersRenderRuns() {
        var queue = RenderQueue<TileCacheKey>(limit: 100, maximumWait: 1_000_000_000, maxRunningPerClient: 2)
        for index in 0..<6 { _ = queue.enqueue(key(index), client: "flood", now: 0) }
        var running: [Int: TilePipeline.RunningRender] = [:]
        for worker in 0..<2 {
            XCTAssertEqual(queue.next(now: 1, isWanted: { _ in true }).client, "flood")
            TilePipeline.start("flood", worker: worker, running: &running, queue: queue)
        }
        XCTAssertFalse(TilePipeline.mustWait(0, running: running), "a client's own renders never hold it back")
        _ = queue.enqueue(key(10), client: "user", now: 2)
        _ = queue.enqueue(key(11), client: "user", now: 2)
        XCTAssertEqual(queue.next(now: 3, isWanted: { _ in true }).client, "user")
        // The user joins level with the flood (no render time charged yet): the newcomer goes.
        TilePipeline.start("user", worker: 2, running: &running, queue: queue)
        XCTAssertEqual(running.filter { $0.value.yielding }.keys.sorted(), [0, 1])
        XCTAssertTrue(TilePipeline.mustWait(0, running: running))
        XCTAssertTrue(TilePipeline.mustWait(1, running: running))
        XCTAssertFalse(TilePipeline.mustWait(2, running: running))
        // The user's render is done: the flood's go on.
        running[2] = nil
        queue.finished("user", seconds: 0.1)
        XCTAssertFalse(TilePipeline.mustWait(0, running: running))
        // A new flood render while the user (who has used less) still runs one starts yielding itself.
        XCTAssertEqual(queue.next(now: 4, isWanted: { _ in true }).client, "user")
        TilePipeline.start("user", worker: 2, running: &running, queue: queue)
        running[0] = nil
        queue.finished("flood", seconds: 2)
        XCTAssertEqual(queue.next(now: 5, isWanted: { _ in true }).client, "flood")
        TilePipeline.start("flood", worker: 0, running: &running, queue: queue)
        XCTAssertTrue(TilePipeline.mustWait(0, running: running))
        XCTAssertFalse(TilePipeline.mustWait(2, running: running))
    }

    func testTilesAreTheSameBytesAloneAndUnderAFloodFromSeveralClients() throws {
        let configuration = try FractileConfiguration.parse(Data("""
            {"maps": [{"name": "forward-pass", "kind": "forward_pass", "maxIterations": 8},
                      {"name": "forward-pass-deeper", "kind": "forward_pass", "maxIterations": 12}]}
            """.utf8))
        let maps = configuration.maps
        let pipeline = TilePipeline(memoryCache: MemoryTileCache(capacityBytes: 64 << 20), diskCache: nil,
                                    renderer: TileRenderer(threads: 2), metrics: ServerMetrics(), queueLimit: 256,
                                    workers: 2)
        defer { pipeline.stop() }
        let results = Mutex([String: [UInt8]]())
        let done = DispatchGroup()
        func fetch(_ map: MapDefinition, _ tile: TileCoordinate, client: String) {
            done.enter()
            pipeline.fetchTile(map, tile, client: client, isWanted: { true }) { result in
                if case .success(let (bytes, _)) = result {
                    results.withLock { $0["\(map.name) \(tile.z)/\(tile.x)/\(tile.y)@\(tile.scale)"] = bytes }
                }
                done.leave()
            }
        }
        // Alone: the tile is split across the renderer's threads.
        fetch(maps[0], TileCoordinate(z: 1, x: 0, y: 1), client: "alone")
        XCTAssertEqual(done.wait(timeout: .now() + 120), .success)
        // A flood from one client and a view from two others: one thread per tile, and running renders yield.
        var wanted: [(MapDefinition, TileCoordinate)] = [(maps[0], TileCoordinate(z: 1, x: 0, y: 1))]
        for index in 0..<6 {
            let tile = TileCoordinate(z: 3, x: UInt128(index % 8), y: UInt128(index / 8), scale: index == 5 ? 2 : 1)
            fetch(maps[1], tile, client: "flood")
            wanted.append((maps[1], tile))
        }
        for index in 0..<3 {
            let tile = TileCoordinate(z: 2, x: UInt128(index % 4), y: UInt128(index / 4))
            fetch(maps[0], tile, client: index % 2 == 0 ? "user" : "other")
            wanted.append((maps[0], tile))
        }
        XCTAssertEqual(done.wait(timeout: .now() + 300), .success)
        let rendered = results.withLock { $0 }
        XCTAssertEqual(rendered.count, wanted.count)
        for (map, tile) in wanted {
            let name = "\(map.name) \(tile.z)/\(tile.x)/\(tile.y)@\(tile.scale)"
            // Compared as a Bool: a failure prints the tile's name, not two PNGs' bytes.
            XCTAssertTrue(rendered[name] == (try TileRenderer(threads: 3).renderPNG(map, tile)), name)
        }
    }
}
