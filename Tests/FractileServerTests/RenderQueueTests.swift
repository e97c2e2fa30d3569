import FractileServer
import XCTest

/// The render queue's policy with an injected clock (nanoseconds): fair share, newest first, aging, gone clients,
/// coalescing and the bound.
final class RenderQueueTests: XCTestCase {
    private let second: UInt64 = 1_000_000_000

    private func drain(_ queue: inout RenderQueue<String>, now: UInt64, wanted: Set<String>? = nil) -> [String] {
        var order: [String] = []
        while let key = queue.next(now: now, isWanted: { wanted?.contains($0) ?? true }).key { order.append(key) }
        return order
    }

    func testNewestFirstWithinOneClient() {
        var queue = RenderQueue<String>(limit: 10, maximumWait: 5 * second)
        for (index, key) in ["a", "b", "c"].enumerated() {
            XCTAssertEqual(queue.enqueue(key, client: "u", now: UInt64(index)), .queued)
        }
        XCTAssertEqual(drain(&queue, now: 10), ["c", "b", "a"])
    }

    func testClientsTakeTurnsSoAFloodCannotHoldAnotherBack() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        for index in 0..<20 { _ = queue.enqueue("flood\(index)", client: "flood", now: UInt64(index)) }
        _ = queue.enqueue("view1", client: "user", now: 20)
        _ = queue.enqueue("view2", client: "user", now: 21)
        let order = drain(&queue, now: 30)
        // The user's newest tile goes within the first two renders, its other right after one more of the flood.
        XCTAssertEqual(Array(order.prefix(4)).filter { $0.hasPrefix("view") }, ["view2", "view1"], "\(order)")
        XCTAssertEqual(order.count, 22)
        XCTAssertEqual(order.filter { $0.hasPrefix("flood") }, (0..<20).reversed().map { "flood\($0)" })
    }

    func testAFloodsRunningRendersYieldToAClientWithNoMoreRenderTime() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        for index in 0..<6 { _ = queue.enqueue("flood\(index)", client: "flood", now: 0) }
        for _ in 0..<2 {
            XCTAssertEqual(queue.next(now: 1, isWanted: { _ in true }).client, "flood")
            queue.finished("flood", seconds: 0.5)
        }
        _ = queue.enqueue("view0", client: "user", now: 2)
        _ = queue.enqueue("view1", client: "user", now: 2)
        // The user joins level with the flood, so the flood's renders still running yield to the user's.
        XCTAssertTrue(queue.yields("flood", to: "user"))
        XCTAssertFalse(queue.yields("user", to: "user"), "a client never yields to itself")
        var started = queue.next(now: 3, isWanted: { _ in true })
        while started.client == "flood" {
            queue.finished("flood", seconds: 0)
            started = queue.next(now: 3, isWanted: { _ in true })
        }
        queue.finished("user", seconds: 0.75)
        // The user has now used more than the flood: the user's renders would yield, the flood's not.
        XCTAssertFalse(queue.yields("flood", to: "user"))
        XCTAssertTrue(queue.yields("user", to: "flood"))
        // A client with nothing left waiting (its one last tile running) never yields.
        XCTAssertEqual(drain(&queue, now: 4).filter { $0.hasPrefix("view") }.count, 1)
        XCTAssertFalse(queue.yields("user", to: "flood"))
    }

    func testAClientComingBackAfterIdlingGetsABoundedHeadStart() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second, returnCredit: 1)
        for index in 0..<20 { _ = queue.enqueue("flood\(index)", client: "flood", now: 0) }
        for _ in 0..<4 {
            XCTAssertEqual(queue.next(now: 1, isWanted: { _ in true }).client, "flood")
            queue.finished("flood", seconds: 1)
        }
        // The user comes back with a view of five tiles of 0.3 s: it runs 1 s of render time ahead of the flood.
        for index in 0..<5 { _ = queue.enqueue("view\(index)", client: "user", now: 2) }
        var order: [String] = []
        for _ in 0..<7 {
            let next = queue.next(now: 3, isWanted: { _ in true })
            order.append(next.key!)
            queue.finished(next.client, seconds: next.client == "user" ? 0.3 : 1)
        }
        // 4 views (1.2 s) before the flood's next, which is then behind the user again: the last view goes next.
        XCTAssertEqual(order.map { $0.hasPrefix("view") ? "u" : "f" }.joined(), "uuuufuf", "\(order)")
        XCTAssertTrue(queue.yields("flood", to: "user"))
        // Without the credit the user joins level, and waits for the flood's turn first.
        var level = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        for index in 0..<20 { _ = level.enqueue("flood\(index)", client: "flood", now: 0) }
        _ = level.next(now: 1, isWanted: { _ in true })
        level.finished("flood", seconds: 1)
        for index in 0..<3 { _ = level.enqueue("view\(index)", client: "user", now: 2) }
        XCTAssertEqual(level.next(now: 3, isWanted: { _ in true }).client, "flood")
    }

    func testCheapTilesGetTheirShareOfRenderTimeNotOfRenderCount() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        for index in 0..<20 { _ = queue.enqueue("flood\(index)", client: "flood", now: 0) }
        for index in 0..<12 { _ = queue.enqueue("view\(index)", client: "user", now: 1) }
        var order: [String] = []
        while true {
            let next = queue.next(now: 2, isWanted: { _ in true })
            guard let key = next.key else { break }
            order.append(key)
            queue.finished(next.client, seconds: next.client == "flood" ? 0.5 : 0.05)
        }
        // One flood render (0.5 s) pays for ten of the user's (0.05 s each): the whole view goes within two.
        let lastView = order.lastIndex { $0.hasPrefix("view") }!
        XCTAssertLessThanOrEqual(order[...lastView].filter { $0.hasPrefix("flood") }.count, 2, "\(order)")
    }

    func testAClientBackFromIdleStartsLevelWithNoSavedCredit() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        _ = queue.enqueue("u0", client: "user", now: 0)
        XCTAssertEqual(queue.next(now: 0, isWanted: { _ in true }).key, "u0")
        for index in 0..<10 {
            _ = queue.enqueue("f\(index)", client: "flood", now: 0)
            queue.finished("flood", seconds: 1)
        }
        _ = queue.enqueue("f10", client: "flood", now: 0)
        // The flood has used 10 s while the user was away; the user returns level with it, not 10 s ahead.
        for index in 1...3 { _ = queue.enqueue("u\(index)", client: "user", now: 0) }
        var order: [String] = []
        for _ in 0..<4 {
            let next = queue.next(now: 1, isWanted: { _ in true })
            order.append(next.key!)
            queue.finished(next.client, seconds: 1)
        }
        XCTAssertEqual(order.filter { $0.hasPrefix("f") }.count, 2, "\(order)")
    }

    func testAClientAtItsRunningCapLeavesTheLastWorkerToOthers() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second, maxRunningPerClient: 2)
        for index in 0..<5 { _ = queue.enqueue("f\(index)", client: "flood", now: 0) }
        XCTAssertEqual(queue.next(now: 1, isWanted: { _ in true }).key, "f4")
        XCTAssertEqual(queue.next(now: 1, isWanted: { _ in true }).key, "f3")
        XCTAssertNil(queue.next(now: 1, isWanted: { _ in true }).key, "the flood holds two workers: the third stays free")
        _ = queue.enqueue("view", client: "user", now: 2)
        XCTAssertEqual(queue.next(now: 2, isWanted: { _ in true }).key, "view")
        queue.finished("flood", seconds: 0.5)
        XCTAssertEqual(queue.next(now: 3, isWanted: { _ in true }).key, "f2")
    }

    func testThreeClientsRoundRobin() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        for index in 0..<3 {
            for client in ["a", "b", "c"] { _ = queue.enqueue("\(client)\(index)", client: client, now: 0) }
        }
        let order = drain(&queue, now: 1)
        XCTAssertEqual(order.map { String($0.prefix(1)) }, ["a", "b", "c", "a", "b", "c", "a", "b", "c"])
    }

    func testARenderPassedOverTooLongGoesNext() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        _ = queue.enqueue("old", client: "u", now: 0)
        _ = queue.enqueue("new", client: "u", now: 1 * second)
        XCTAssertEqual(queue.next(now: 2 * second, isWanted: { _ in true }).key, "new")
        _ = queue.enqueue("newer", client: "u", now: 3 * second)
        XCTAssertEqual(queue.next(now: 5 * second + 1, isWanted: { _ in true }).key, "old", "aged past 5 s")
        XCTAssertEqual(queue.next(now: 6 * second, isWanted: { _ in true }).key, "newer")
    }

    func testAFloodsAgedRendersDoNotTakeOtherClientsTurns() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        for index in 0..<10 { _ = queue.enqueue("flood\(index)", client: "flood", now: UInt64(index)) }
        _ = queue.enqueue("view", client: "user", now: 9 * second)
        let first = queue.next(now: 10 * second, isWanted: { _ in true }).key
        let second = queue.next(now: 10 * second, isWanted: { _ in true }).key
        XCTAssertEqual(first, "flood0", "the flood's turn takes its oldest, aged render")
        XCTAssertEqual(second, "view", "the user's turn still comes next")
    }

    func testRendersWhoseClientsLeftAreDroppedWithoutUsingATurn() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        _ = queue.enqueue("gone1", client: "left", now: 0)
        _ = queue.enqueue("gone2", client: "left", now: 1)
        _ = queue.enqueue("kept", client: "stays", now: 2)
        let first = queue.next(now: 3, isWanted: { $0 == "kept" })
        XCTAssertEqual(first.key, "kept", "the gone client's turn passed straight on")
        XCTAssertEqual(first.dropped, ["gone2"])
        let second = queue.next(now: 4, isWanted: { $0 == "kept" })
        XCTAssertNil(second.key)
        XCTAssertEqual(second.dropped, ["gone1"])
        XCTAssertTrue(queue.isEmpty)
    }

    func testCoalescedRenderWaitsInEachClientsTurnAndRunsOnce() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        for index in 0..<5 { _ = queue.enqueue("flood\(index)", client: "flood", now: 0) }
        XCTAssertEqual(queue.enqueue("shared", client: "flood", now: 1), .queued)
        XCTAssertEqual(queue.enqueue("shared", client: "user", now: 2), .coalesced)
        _ = queue.enqueue("flood5", client: "flood", now: 3)
        XCTAssertEqual(queue.count, 7)
        let order = drain(&queue, now: 4)
        XCTAssertEqual(order.filter { $0 == "shared" }.count, 1)
        XCTAssertLessThanOrEqual(order.firstIndex(of: "shared")!, 1, "the user's turn comes second at the latest: \(order)")
        XCTAssertEqual(order.count, 7)
    }

    func testSharingAJoinedFlightPutsItInTheJoinersTurn() {
        var queue = RenderQueue<String>(limit: 100, maximumWait: 5 * second)
        for index in 0..<5 { _ = queue.enqueue("flood\(index)", client: "flood", now: 0) }
        _ = queue.enqueue("deep", client: "flood", now: 0)
        _ = queue.enqueue("flood5", client: "flood", now: 0)
        _ = queue.enqueue("other", client: "user", now: 0)
        queue.share("deep", with: "user")
        let order = drain(&queue, now: 1)
        XCTAssertLessThan(order.firstIndex(of: "deep")!, 4, "\(order)")
    }

    func testAFullQueueDisplacesTheBusiestClientsOldest() {
        var queue = RenderQueue<String>(limit: 4, maximumWait: 5 * second)
        for index in 0..<4 { XCTAssertEqual(queue.enqueue("f\(index)", client: "flood", now: UInt64(index)), .queued) }
        XCTAssertEqual(queue.enqueue("f4", client: "flood", now: 4), .refused, "a client cannot displace itself")
        XCTAssertEqual(queue.enqueue("u0", client: "user", now: 5), .queuedDisplacing("f0"))
        XCTAssertEqual(queue.enqueue("u1", client: "user", now: 6), .queuedDisplacing("f1"))
        XCTAssertEqual(queue.enqueue("u2", client: "user", now: 7), .refused, "both now hold an equal share")
        XCTAssertEqual(queue.count, 4)
        XCTAssertEqual(queue.waiting(for: "user"), 2)
        XCTAssertEqual(queue.waiting(for: "flood"), 2)
    }

    func testLongRunStaysConsistent() {
        var queue = RenderQueue<String>(limit: 50, maximumWait: 5 * second)
        var now: UInt64 = 0
        var taken = Set<String>()
        var admitted = Set<String>()
        for step in 0..<5000 {
            now += 10_000_000
            let client = "c\(step % 7 == 0 ? 0 : step % 3)"
            switch queue.enqueue("t\(step % 400)", client: client, now: now) {
            case .queued: admitted.insert("t\(step % 400)")
            case .queuedDisplacing(let key): admitted.insert("t\(step % 400)"); admitted.remove(key)
            case .coalesced, .refused: break
            }
            if step % 2 == 0, let key = queue.next(now: now, isWanted: { _ in true }).key {
                XCTAssertTrue(admitted.contains(key))
                admitted.remove(key)
                taken.insert(key)
            }
            XCTAssertLessThanOrEqual(queue.count, 50)
        }
        XCTAssertEqual(Set(queue.keys), admitted)
    }
}
