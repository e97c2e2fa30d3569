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
