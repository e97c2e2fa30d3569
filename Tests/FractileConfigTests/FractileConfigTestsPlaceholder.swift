import XCTest

final class FractileConfigTestsPlaceholder: XCTestCase {
    func testBuilds() {}
}
