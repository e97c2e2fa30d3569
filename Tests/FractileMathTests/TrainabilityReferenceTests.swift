import Foundation
@testable import FractileMath
import XCTest

/// trainability against the independent numpy reference (Tests/reference/trainability_reference.py, written from
/// docs/maps.md apart from the Swift code): the drawn data and initial weights, loss curves, and regimes of random
/// pixels of a z = 0 and a z = 20 tile, for the scalar rule and the lane kernel.
///
/// Numerical margin: near the converge/diverge boundary training is chaotic, so rounding noise (numpy sums matrix
/// products in another order than Swift; the kernel's tanh differs from glibc's by an ulp or two) is amplified
/// until it decides the regime. The reference marks a pixel `sensitive` when nudging either log learning rate by
/// 1e-12 relative (about 10^4 ulps) changes its own regime or divergence step; such pixels are excluded from the comparisons
/// (and counted). Everywhere else the regimes and iteration counts must agree exactly.
final class TrainabilityReferenceTests: XCTestCase {
    /// The frame the tile tests use: the default settings' boundary runs through it (eta_2 ~ 10).
    static let center = Complex(1, 1), span = 8.0
    /// A z = 20 tile on that boundary, found by zooming into it with the numpy reference (about 87% converged,
    /// 10% diverged, 3% stalled).
    static let deepTile = (z: 20, x: 498_620, y: 531_261)

    func reference(_ requests: [[String: Any]]) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", PythonReferenceTests.referenceDirectory.appendingPathComponent("trainability_reference.py").path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        do { try process.run() } catch { throw XCTSkip("python3 is not available: \(error)") }
        for request in requests {
            input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request) + Data("\n".utf8))
        }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw XCTSkip("python3 is not available") }
        XCTAssertEqual(process.terminationStatus, 0, "the reference failed (is numpy installed?)")
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func json(_ settings: TrainabilitySettings) -> [String: Any] {
        var json: [String: Any] = ["width": settings.width, "seed": settings.seed, "maxIterations": settings.maxIterations,
                                   "divergeLoss": settings.divergeLoss]
        if let points = settings.points { json["points"] = points }
        return json
    }

    static func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
        a == b || Swift.abs(a - b) <= relative * Swift.max(Swift.abs(a), Swift.abs(b))
    }

    func testDataAndInitialWeightsForTwoSeeds() throws {
        var wide = TrainabilitySettings()
        wide.width = 8
        wide.seed = 1 << 53  // the largest seed
        wide.points = 30
        for settings in [TrainabilitySettings(), wide] {
            let problem = TrainingProblem(settings)
            let wanted = try XCTUnwrap(try reference([["settings": Self.json(settings), "problem": true]]).first)
            for (name, ours) in [("X", problem.inputs), ("Y", problem.targets), ("W", problem.initialW), ("a", problem.initialA)] {
                let theirs = try XCTUnwrap(wanted[name] as? [Double], name)
                XCTAssertEqual(ours.count, theirs.count, name)
                for (index, (x, y)) in zip(ours, theirs).enumerated() {
                    XCTAssertTrue(Self.close(x, y, relative: 1e-15), "seed \(settings.seed) \(name)[\(index)]: \(x) vs \(y)")
                }
            }
            let l0 = try XCTUnwrap(wanted["L0"] as? Double)
            XCTAssertTrue(Self.close(problem.initialLoss, l0, relative: 1e-13), "L0 \(problem.initialLoss) vs \(l0)")
        }
    }

    /// Loss curves to 1e-9 relative at points away from the boundary (converged, stalled-free, diverged early),
    /// for the default network and a wider one.
    func testLossCurvesAgreeToOneInABillion() throws {
        var wide = TrainabilitySettings()
        wide.width = 6
        wide.seed = 42
        wide.maxIterations = 60
        let points = [Complex(-2, -2), Complex(0, 0), Complex(0.5, 0.5), Complex(-3, 0.3), Complex(1, 1), Complex(3, 2)]
        for settings in [TrainabilitySettings(), wide] {
            let problem = TrainingProblem(settings)
            let wanted = try reference([["settings": Self.json(settings), "curve": true,
                                         "points": points.map { [$0.re, $0.im] }]])
            XCTAssertEqual(wanted.count, points.count)
            for (p, theirs) in zip(points, wanted) {
                var recorder = LossCurveRecorder()
                let outcome = settings.run(problem, at: p, observer: &recorder)
                XCTAssertEqual(settings.probe(at: p).lossCurve.map { $0 ?? .nan }, recorder.ratios.map { $0 }, "\(p)")
                XCTAssertEqual(outcome.regime.rawValue, theirs["regime"] as? String, "\(p)")
                XCTAssertEqual(outcome.iterations, theirs["iterations"] as? Int, "\(p)")
                let curve = try XCTUnwrap(theirs["lossCurve"] as? [Any])
                XCTAssertEqual(recorder.ratios.count, curve.count, "\(p)")
                for (s, (ours, value)) in zip(recorder.ratios, curve).enumerated() {
                    guard let value = value as? Double else {
                        XCTAssertFalse(ours.isFinite, "\(p) r_\(s)")
                        continue
                    }
                    XCTAssertTrue(Self.close(ours, value, relative: 1e-9), "\(p) r_\(s): \(ours) vs \(value)")
                }
            }
        }
    }

    /// The centre of pixel (i, j) of tile z/x/y of the test frame (docs/maps.md "Tile coordinates").
    static func pixel(z: Int, x: Int, y: Int, i: Int, j: Int) -> Complex {
        let size = 256.0, scale = Double(1 << z)
        return Complex(center.re + span * ((Double(x) + (Double(i) + 0.5) / size) / scale - 0.5),
                       center.im - span * ((Double(y) + (Double(j) + 0.5) / size) / scale - 0.5))
    }

    func testRegimesOfRandomPixelsOfAShallowAndADeepTile() throws {
        let settings = TrainabilitySettings()
        var generator = SplitMix64(seed: 17)
        var report: [String] = []
        for tile in [(z: 0, x: 0, y: 0), Self.deepTile] {
            let points = (0..<48).map { _ in
                Self.pixel(z: tile.z, x: tile.x, y: tile.y, i: Int(generator.next() % 256), j: Int(generator.next() % 256))
            }
            let wanted = try reference([["settings": Self.json(settings), "margins": true,
                                         "points": points.map { [$0.re, $0.im] }]])
            XCTAssertEqual(wanted.count, points.count)
            var fast = [PixelOutcome](repeating: PixelOutcome(regime: .stalled, iterations: 0, finalValue: .zero),
                                      count: points.count)
            points.withUnsafeBufferPointer { input in
                fast.withUnsafeMutableBufferPointer { settings.fastOutcomes(input, into: $0) }
            }
            var compared = 0, excluded = 0, regimes: [String: Int] = [:]
            for (index, (p, theirs)) in zip(points, wanted).enumerated() {
                let regime = try XCTUnwrap(theirs["regime"] as? String)
                regimes[regime, default: 0] += 1
                if theirs["sensitive"] as? Bool == true {
                    excluded += 1
                    continue
                }
                compared += 1
                let ours = settings.outcome(at: p)
                XCTAssertEqual(ours.regime.rawValue, regime, "tile \(tile) at \(p)")
                XCTAssertEqual(ours.iterations, theirs["iterations"] as? Int, "tile \(tile) at \(p)")
                XCTAssertEqual(fast[index].regime.rawValue, regime, "lanes, tile \(tile) at \(p)")
                XCTAssertEqual(fast[index].iterations, theirs["iterations"] as? Int, "lanes, tile \(tile) at \(p)")
            }
            report.append("z=\(tile.z): \(compared) compared, \(excluded) sensitive excluded, reference regimes \(regimes)")
            XCTAssertGreaterThan(compared, points.count / 4, "too few pixels outside the margin in tile \(tile)")
        }
        print("trainability vs numpy: " + report.joined(separator: "; "))
    }
}
