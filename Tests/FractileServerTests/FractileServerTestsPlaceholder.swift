import XCTest

final class FractileServerTestsPlaceholder: XCTestCase {
    func testBuilds() {}
}
