@testable import FractileMath
import XCTest

/// gradient_basin's shortcuts for mirrored data points (x_k = -x_j, as the shipped data are): they must give what
/// each point's own arithmetic gives, bit for bit. (The lanes against the scalar loop: PerturbationLanesAgreementTests.)
final class GradientBasinMirrorTests: XCTestCase {
    func testMirrorsAreFoundOnlyForNegatedInputsWithASymmetricReference() {
        var settings = GradientBasinSettings()
        let point = WideComplex(Complex(1.797602753349799, -1.153793339567186))
        XCTAssertEqual(GradientBasinReference(settings: settings, at: point).mirrors, [-1, -1, 1, 0])
        settings.dataX = [0.5, -0.5000000001, 1].map { Complex($0) }
        settings.dataY = [0.1, 0.2, 0.3].map { Complex($0) }
        XCTAssertEqual(GradientBasinReference(settings: settings, at: point).mirrors, [-1, -1, -1])
        // Two points with the same mirror: both take it; a point is never taken from another mirror.
        settings.dataX = [1, -1, -1, 1].map { Complex($0) }
        settings.dataY = [0.1, 0.2, 0.3, 0.4].map { Complex($0) }
        XCTAssertEqual(GradientBasinReference(settings: settings, at: point).mirrors, [-1, 0, 0, -1])
    }

    func testLossAndSlopeWithMirrorsAreEachPointsOwn() {
        let settings = GradientBasinSettings()
        var generator = SplitMix64(seed: 0x6D69_7272_6F72)
        let weights = (0..<2000).map { _ in
            Complex(Double.random(in: -8...8, using: &generator), Double.random(in: -8...8, using: &generator))
        } + [Complex(0, 1.3), Complex(-2, 0), Complex(0, 0), Complex(400, 2), Complex(-1e300, 1)]
        for w in weights {
            var total = 0.0, largest = 0.0, finite = true
            for (x, y) in zip(settings.dataX, settings.dataY) {
                let wx = w * x
                if !wx.isFinite { finite = false; break }
                let t = Complex.tanh(wx)
                let error = (t - y).magnitude
                total += error * error
                largest = max(largest, (Complex.one - t * t).magnitude)
            }
            XCTAssertEqual(settings.loss(at: w)?.bitPattern, finite ? total.bitPattern : nil, "loss at \(w)")
            if finite { XCTAssertEqual(settings.largestSlope(at: w).bitPattern, largest.bitPattern, "slope at \(w)") }
        }
    }
}
