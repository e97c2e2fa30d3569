import Dispatch
import FractileHTTPTesting
import FractileServer
import Foundation
import XCTest

/// The event loops only move bytes: with every compute thread busy and its queue full, cached tiles, repeated probes
/// and health checks are still answered, and a new probe is refused with 503 and Retry-After at once.
final class IsolationTests: XCTestCase {
    func testCachedTileAnswersWhileTheProbePoolIsSaturated() throws {
        let live = try LiveServer(self)
        let client = try live.client()
        XCTAssertEqual(try client.get("/tiles/forward-pass/0/0/0.png").status, 200)
        XCTAssertEqual(try client.get("/probe/forward-pass?re=0.25&im=0.5").status, 200)

        // Saturate: every thread blocked, then the queue filled, with jobs that wait for the test to let them go.
        let release = DispatchSemaphore(value: 0)
        let pool = live.server.computeWork
        var blocked = 0
        // Refill until the queue stays full: a thread that takes its job only after the first refusal would
        // otherwise leave room in the queue for the probe that must be refused below.
        repeat {
            while pool.submit({ release.wait() }) { blocked += 1 }
            usleep(50_000)
        } while pool.queueDepth < pool.queueLimit
        defer { for _ in 0..<blocked { release.signal() } }
        XCTAssertGreaterThanOrEqual(blocked, pool.queueLimit)

        let tile = try client.get("/tiles/forward-pass/0/0/0.png")
        XCTAssertEqual(tile.status, 200)
        XCTAssertFalse(tile.body.isEmpty)
        XCTAssertEqual(try client.get("/healthz").status, 200)
        XCTAssertEqual(try client.get("/probe/forward-pass?re=0.25&im=0.5").status, 200, "a repeated probe comes from the cache")
        let refused = try client.get("/probe/forward-pass?re=0.75&im=0.5")
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.headers["Retry-After"], "\(pool.retryAfterSeconds)")
        XCTAssertEqual(refused.headers["Access-Control-Allow-Origin"], "*")
        XCTAssertGreaterThanOrEqual(pool.busy + pool.queueDepth, blocked, "the saturating jobs were all still there")

        for _ in 0..<blocked { release.signal() }
        blocked = 0
        let deadline = Date().addingTimeInterval(30)
        while pool.busy + pool.queueDepth > 0 && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(try client.get("/probe/forward-pass?re=0.75&im=0.5").status, 200)
    }

    func testWorkPoolRunsEveryJobAndRefusesBeyondItsQueue() throws {
        let pool = WorkPool(name: "test", threads: 2, queueLimit: 3)
        defer { pool.stop() }
        let release = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        var accepted = 0
        while true {
            done.enter()
            guard pool.submit({ release.wait(); done.leave() }) else { done.leave(); break }
            accepted += 1
            XCTAssertLessThan(accepted, 100)
        }
        // Two running (once the threads have taken them) plus three waiting; a race may leave fewer taken yet.
        XCTAssertGreaterThanOrEqual(accepted, 3)
        XCTAssertLessThanOrEqual(accepted, 5)
        XCTAssertEqual(pool.rejected, 1)
        for _ in 0..<accepted { release.signal() }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
    }
}
