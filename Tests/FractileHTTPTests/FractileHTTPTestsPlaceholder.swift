import XCTest

final class FractileHTTPTestsPlaceholder: XCTestCase {
    func testBuilds() {}
}
