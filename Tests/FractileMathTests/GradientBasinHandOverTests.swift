@testable import FractileMath
import XCTest

/// A deep tile's gradient_basin reference ends where every pixel of the tile has left it (holomorphic descent: the
/// pixels hand over to double at |d| >= 2^-16 max(1, |w|), docs/deep-zoom.md "Leaving the reference early"): the
/// shorter reference changes no pixel.
final class GradientBasinHandOverTests: XCTestCase {
    func testAReferenceEndedForItsTileGivesTheFullReferencesPixels() throws {
        // The deep boundary point (Tests/reference/deep_points.json).
        guard case .wide(let point) = try ProbePoint(re: "1.79760275334979934121534436339148005024474005",
                                                     im: "-1.15379333956718615979991863404459894908997896") else {
            return XCTFail("a deep point")
        }
        for gradient in [GradientMode.holomorphic, .wirtinger] {
            var settings = GradientBasinSettings()
            settings.gradient = gradient
            let full = GradientBasinReference(settings: settings, at: point)
            for zoom in [40, 60, 80, 100] {
                let pixel = 6 * Double(sign: .plus, exponent: -zoom - 8, significand: 1)
                let ended = GradientBasinReference(settings: settings, at: point, pixel: pixel)
                if gradient == .holomorphic {
                    XCTAssertLessThan(ended.orbit.count, full.orbit.count / 2, "zoom \(zoom): the reference ends early")
                } else {
                    XCTAssertEqual(ended.orbit.count, full.orbit.count, "zoom \(zoom): Wirtinger keeps every step")
                }
                // Every fourth pixel of the 256-pixel tile centred on the point, corners included.
                let offsets = stride(from: 0, to: 256, by: 4).flatMap { j in
                    stride(from: 0, to: 256, by: 4).map { i in
                        Complex(pixel * (Double(i) - 127.5), -pixel * (Double(j) - 127.5))
                    }
                } + [Complex(pixel * 127.5, pixel * 127.5), Complex(pixel * 0.5, -pixel * 0.5)]
                let a = outcomes(of: full, at: offsets), b = outcomes(of: ended, at: offsets)
                var differing = 0
                for (x, y) in zip(a, b) where x.regime != y.regime || x.iterations != y.iterations
                    || x.finalValue.re.bitPattern != y.finalValue.re.bitPattern
                    || x.finalValue.im.bitPattern != y.finalValue.im.bitPattern { differing += 1 }
                XCTAssertEqual(differing, 0, "\(gradient) zoom \(zoom)")
            }
        }
    }

    private func outcomes(of reference: GradientBasinReference, at offsets: [Complex]) -> [PixelOutcome] {
        var result = [PixelOutcome](repeating: PixelOutcome(regime: .escaped, iterations: 0, finalValue: .zero),
                                    count: offsets.count)
        let table = reference.laneTable()
        offsets.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { reference.outcomes(input, table: table, into: $0) }
        }
        return result
    }
}
