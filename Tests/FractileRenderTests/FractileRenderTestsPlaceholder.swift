import XCTest

final class FractileRenderTestsPlaceholder: XCTestCase {
    func testBuilds() {}
}
