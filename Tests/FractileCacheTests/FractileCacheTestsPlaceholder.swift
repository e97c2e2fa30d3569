import XCTest

final class FractileCacheTestsPlaceholder: XCTestCase {
    func testBuilds() {}
}
