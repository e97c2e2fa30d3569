import Foundation
import FractileMath
import XCTest

/// Compares Swift with the independent Python reference (Tests/reference/maps_reference.py) on random points.
final class PythonReferenceTests: XCTestCase {
    static let referenceDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("reference")

    /// Runs the reference once for many points; returns one decoded probe object per point.
    func reference(kind: MapKind, gradient: GradientMode?, points: [Complex]) throws -> [[String: Any]] {
        let python = URL(fileURLWithPath: "/usr/bin/env")
        let process = Process()
        process.executableURL = python
        let script = """
            import json, sys
            sys.path.insert(0, sys.argv[1])
            import maps_reference as m
            for line in sys.stdin:
                re, im = map(float, line.split())
                fields = m.probe(sys.argv[2], complex(re, im), {}, sys.argv[3] or None)
                fields.pop("orbit"); fields.pop("lossCurve", None)
                print(json.dumps(m.jsonable(fields)))
            """
        process.arguments = ["python3", "-c", script, Self.referenceDirectory.path, kind.rawValue, gradient?.rawValue ?? ""]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { throw XCTSkip("python3 is not available: \(error)") }
        let lines = points.map { "\($0.re.description) \($0.im.description)\n" }.joined()
        input.fileHandleForWriting.write(Data(lines.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw XCTSkip("python3 is not available") }
        XCTAssertEqual(process.terminationStatus, 0)
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testRandomPointsAgreeWithPython() throws {
        var generator = SplitMix64(seed: 2024)
        for map in MapFixtures.maps {
            let points = (0..<50).map { _ in
                Complex(map.center.re + map.span * (generator.unit() - 0.5), map.center.im + map.span * (generator.unit() - 0.5))
            }
            let gradient = map.settings.settings(as: GradientBasinSettings.self)?.gradient
            let expected = try reference(kind: map.settings.kind, gradient: gradient, points: points)
            XCTAssertEqual(expected.count, points.count)
            for (p, wanted) in zip(points, expected) {
                let outcome = map.settings.outcome(at: p)
                XCTAssertEqual(outcome.regime.rawValue, wanted["regime"] as? String, "\(map.name) at \(p)")
                XCTAssertEqual(outcome.iterations, wanted["iterations"] as? Int, "\(map.name) at \(p)")
                let value: Double?
                let wantedValue = wanted["lyapunov"] ?? wanted["loss"] ?? wanted["ring"]
                switch map.settings.kind {
                case .forwardPass: value = outcome.lyapunov
                case .gradientBasin: value = outcome.loss
                default: value = outcome.ring
                }
                if let w = wantedValue as? Double, let value {
                    XCTAssertEqual(value, w, accuracy: 1e-9 * Swift.max(1, Swift.abs(w)), "\(map.name) at \(p)")
                } else {
                    XCTAssertTrue(value == nil || !value!.isFinite, "\(map.name) at \(p): \(String(describing: value))")
                    XCTAssertTrue(wantedValue is NSNull, "\(map.name) at \(p)")
                }
            }
        }
    }
}

/// A small seeded generator, so the random points are the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
