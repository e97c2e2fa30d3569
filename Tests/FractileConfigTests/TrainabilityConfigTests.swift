import FractileMath
import XCTest

@testable import FractileConfig

/// config.json for trainability maps: the docs/maps.md defaults, and errors that name the key path for each setting out
/// of range.
final class TrainabilityConfigTests: XCTestCase {
    private func oneMap(_ members: String) -> String {
        #"{"maps": [{"name": "t", "kind": "trainability", \#(members)}]}"#
    }

    private func error(_ text: String) -> String? {
        do {
            _ = try parseConfiguration(text)
            return nil
        } catch {
            return error.description
        }
    }

    func testDefaultsAreMAPSDefaults() throws {
        let configuration = try parseConfiguration(#"{"maps": [{"name": "t", "kind": "trainability"}]}"#)
        let settings = try XCTUnwrap(configuration.maps.first?.settings.settings(as: TrainabilitySettings.self))
        XCTAssertEqual(settings.width, 4)
        XCTAssertEqual(settings.pointCount, 20)
        XCTAssertEqual(settings.seed, 1)
        XCTAssertEqual(settings.maxIterations, 100)
        XCTAssertEqual(settings.divergeLoss, 1e6)
        // points follows width unless given.
        let wide = try parseConfiguration(oneMap(#""width": 8"#)).maps[0].settings.settings(as: TrainabilitySettings.self)
        XCTAssertEqual(wide?.pointCount, 72)
        let given = try parseConfiguration(oneMap(#""width": 8, "points": 16"#)).maps[0].settings.settings(as: TrainabilitySettings.self)
        XCTAssertEqual(given?.pointCount, 16)
    }

    func testSettingsOutOfRangeNameTheKeyPath() {
        let cases: [(member: String, key: String)] = [
            (#""width": 0"#, "width"), (#""width": 33"#, "width"), (#""width": 2.5"#, "width"),
            (#""points": 0"#, "points"), (#""points": 1025"#, "points"),
            (#""seed": -1"#, "seed"), (#""seed": 9007199254740993"#, "seed"), (#""seed": "one""#, "seed"),
            (#""maxIterations": 19"#, "maxIterations"), (#""maxIterations": 100001"#, "maxIterations"),
            (#""divergeLoss": 1"#, "divergeLoss"), (#""divergeLoss": -5"#, "divergeLoss"),
            // h*h + h = 1056 training points for width 32: points must then be given.
            (#""width": 32"#, "points"),
        ]
        for (member, key) in cases {
            let message = error(oneMap(member))
            XCTAssertNotNil(message, member)
            XCTAssertTrue(message?.hasPrefix("maps[0].\(key): ") == true, "\(member): \(message ?? "no error")")
        }
        XCTAssertNil(error(oneMap(#""width": 32, "points": 1024, "seed": 9007199254740992, "maxIterations": 20"#)))
    }
}
