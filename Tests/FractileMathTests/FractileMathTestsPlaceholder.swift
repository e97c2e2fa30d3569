import XCTest

final class FractileMathTestsPlaceholder: XCTestCase {
    func testBuilds() {}
}
