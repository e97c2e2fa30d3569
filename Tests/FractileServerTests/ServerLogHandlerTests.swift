import Foundation
import Logging
import Synchronization
@testable import FractileServer
import XCTest

final class ServerLogHandlerTests: XCTestCase {
    private final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    private func logger(_ format: ServerLog.Format, into box: Lines) -> Logger {
        Logger(label: "fractile") { label in
            ServerLogHandler(label: label, format: { format }, write: { line in box.lines.withLock { $0.append(line) } })
        }
    }

    func testTextLinesNameTheLevelUnlessItIsAWarningOrNotice() {
        let box = Lines()
        let log = logger(.text, into: box)
        log.warning("disk cache is read-only")
        log.error("listen failed", metadata: ["port": "80"])
        XCTAssertEqual(box.lines.withLock { $0 }, ["fractile: disk cache is read-only\n", "fractile: error: listen failed port=80\n"])
    }

    func testJSONLinesAreOneObjectEach() throws {
        let box = Lines()
        logger(.json, into: box).warning("a \"quoted\"\nmessage", metadata: ["path": "/x"])
        let line = try XCTUnwrap(box.lines.withLock { $0.first })
        XCTAssertTrue(line.hasSuffix("}\n"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        XCTAssertEqual(object["level"], "warning")
        XCTAssertEqual(object["label"], "fractile")
        XCTAssertEqual(object["message"], "a \"quoted\"\nmessage")
        XCTAssertEqual(object["path"], "/x")
        XCTAssertNotNil(object["time"])
    }
}
