@testable import FractileMath
import XCTest

/// backprop_flow's lanes stop a pixel once it is in an exact cycle and finish its ring sum from the stored iterates.
/// That shortcut must give the very outcome (regime, ring, final delta, bit for bit) that running the whole budget
/// gives, and it must actually be taken, with periods beyond 2 too.
final class CycleShortcutTests: XCTestCase {
    static var flavours: [(name: String, settings: BackpropFlowSettings, center: Complex, span: Double)] {
        var input = BackpropFlowSettings()
        input.plane = .input
        input.weight.offset = Complex(0.8, 0.6)
        input.input.offset = Complex(0.05, 0.1)
        return [
            ("backprop-flow z0", BackpropFlowSettings(), Complex(0, 0), 4),
            ("backprop-flow zoomed", BackpropFlowSettings(), Complex(-0.37, 0.81), 0.02),
            ("backprop-flow input plane", input, Complex(0, 0), 4),
        ]
    }

    func outcomes(_ points: [Complex], _ settings: BackpropFlowSettings, stopsAtCycles: Bool) -> [PixelOutcome] {
        var result = [PixelOutcome](repeating: PixelOutcome(regime: .bounded, iterations: 0, finalValue: .zero),
                                    count: points.count)
        withUnsafeTemporaryAllocation(of: (re: PixelLanes, im: PixelLanes).self,
                                      capacity: BackpropFlowLanes.historyLength) { history in
            var kernel = BackpropFlowLanes(settings: settings, history: history.baseAddress!)
            kernel.stopsAtCycles = stopsAtCycles
            points.withUnsafeBufferPointer { input in
                result.withUnsafeMutableBufferPointer { kernel.run(input, into: $0) }
            }
        }
        return result
    }

    /// The periods of the cycles that stopped lanes, over the first lanes' worth of pixels run step by step.
    func periods(_ points: [Complex], _ settings: BackpropFlowSettings) -> Set<Int> {
        var found = Set<Int>()
        withUnsafeTemporaryAllocation(of: (re: PixelLanes, im: PixelLanes).self,
                                      capacity: BackpropFlowLanes.historyLength) { history in
            var kernel = BackpropFlowLanes(settings: settings, history: history.baseAddress!)
            for first in stride(from: 0, to: points.count, by: PixelLanes.scalarCount) {
                var running = LaneMask(repeating: false)
                for lane in 0..<PixelLanes.scalarCount where first + lane < points.count {
                    kernel.load(lane: lane, at: points[first + lane])
                    running[lane] = true
                }
                while any(running) {
                    let stopped = kernel.step() .& running
                    for lane in 0..<PixelLanes.scalarCount where stopped[lane] && kernel.cycled[lane] {
                        found.insert(Int(kernel.period[lane]))
                    }
                    running = running .& .!stopped
                }
            }
        }
        return found
    }

    func testCycleShortcutGivesTheOutcomeOfTheWholeRun() {
        for flavour in Self.flavours {
            let points = MapFixtures.grid(center: flavour.center, span: flavour.span, size: 96)
            let short = outcomes(points, flavour.settings, stopsAtCycles: true)
            let whole = outcomes(points, flavour.settings, stopsAtCycles: false)
            var mismatches = 0
            for index in points.indices where short[index] != whole[index] {
                mismatches += 1
                if mismatches <= 5 {
                    XCTFail("\(flavour.name) at \(points[index]): \(short[index]) with the shortcut, \(whole[index]) without")
                }
            }
            XCTAssertEqual(mismatches, 0, flavour.name)
        }
        let found = periods(MapFixtures.grid(center: Complex(0, 0), span: 4, size: 96), BackpropFlowSettings())
        XCTAssertTrue(found.contains(1) && found.contains(2), "fixed points and 2-cycles: \(found.sorted())")
        XCTAssertTrue(found.contains { $0 > 2 }, "longer cycles: \(found.sorted())")
        print("backprop-flow z0 cycle periods taken: \(found.sorted())")
    }
}
