@testable import FractileServer
import XCTest

/// `FRACTILE_CACHE_STALE_TEMP_SECONDS` lets the crash-safety tests (Tests/EndToEnd/test_crash_safety.py) see stale
/// temporary files cleaned without waiting a minute; anything unusable keeps the 60-second default.
final class StaleTemporaryFileAgeTests: XCTestCase {
    func testEnvironmentOverrideAndDefault() {
        XCTAssertEqual(ServerAssembly.staleTemporaryFileAge(environment: [:]), 60)
        XCTAssertEqual(ServerAssembly.staleTemporaryFileAge(environment: ["FRACTILE_CACHE_STALE_TEMP_SECONDS": "1.5"]), 1.5)
        XCTAssertEqual(ServerAssembly.staleTemporaryFileAge(environment: ["FRACTILE_CACHE_STALE_TEMP_SECONDS": "0"]), 0)
        for bad in ["-1", "nan", "inf", "soon", ""] {
            XCTAssertEqual(ServerAssembly.staleTemporaryFileAge(environment: ["FRACTILE_CACHE_STALE_TEMP_SECONDS": bad]), 60, bad)
        }
    }
}
