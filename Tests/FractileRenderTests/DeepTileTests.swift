import FractileConfig
import FractileMath
import FractileRender
import XCTest

/// Deep zoom (issue #8): exact tile centres, the switch to perturbation by pixel size, and the docs/maps.md tile rules
/// (the @2x mosaic, bytes independent of threads, probe = tile) where tiles are computed by perturbation.
final class DeepTileTests: XCTestCase {
    /// The shipped maps that zoom by perturbation (trainability stays in double at every depth), with a smaller
    /// iteration budget, so that deep tiles stay cheap in a test.
    private func maps(iterations: Int = 60) throws -> [MapDefinition] {
        try ShippedConfiguration.load().maps.filter(\.settings.hasPerturbation).map { map in
            var map = map
            map.settings.maxIterations = iterations
            return map
        }
    }

    /// The tile containing `point` (re, im as offsets from the map's frame, in [0, 1)) at zoom z.
    private func tile(_ map: MapDefinition, z: Int, column: Double, row: Double, scale: Int = 1) -> TileCoordinate {
        // column * 2^z for z > 53 needs more than a double: place the fraction's 52 bits at the top of the index.
        let bits = UInt128(column * 0x1p52), rowBits = UInt128(row * 0x1p52)
        let shift = z - 52
        return TileCoordinate(z: z, x: shift >= 0 ? bits << shift : bits >> -shift,
                              y: shift >= 0 ? rowBits << shift : rowBits >> -shift, scale: scale)
    }

    func testTileCentresAreExactAtZoom100() {
        let middle = TileCoordinate(z: 100, x: UInt128(1) << 99, y: (UInt128(1) << 100) - 1)
        XCTAssertEqual(middle.centerOffset.column, Fixed256(0x1p-101))
        XCTAssertEqual(middle.centerOffset.row, Fixed256(0.5) - Fixed256(0x1p-101))
        let odd = TileCoordinate(z: 120, x: 12_345, y: 0)
        XCTAssertEqual(odd.centerOffset.column + Fixed256(0.5), Fixed256(24_691, exponent: -121))
    }

    func testArithmeticDependsOnPixelSizeOnly() throws {
        let map = try XCTUnwrap(ShippedConfiguration.load().map(named: "forward-pass"))
        XCTAssertEqual(TileArithmetic(map: map, tile: TileCoordinate(z: 30, x: 0, y: 0)), .double)
        XCTAssertEqual(TileArithmetic(map: map, tile: TileCoordinate(z: 35, x: 0, y: 0)), .perturbation)
        for z in 20...40 {
            let double = TileArithmetic(map: map, tile: TileCoordinate(z: z, x: 0, y: 0, scale: 2))
            XCTAssertEqual(double, TileArithmetic(map: map, tile: TileCoordinate(z: z + 1, x: 0, y: 0)), "z=\(z)")
        }
    }

    /// docs/maps.md's mosaic rule where tiles are perturbation tiles (each 256 block around its own centre).
    func testDeepDoubleScaleTileIsTheMosaicOfItsChildren() throws {
        let renderer = TileRenderer()
        for map in try maps(iterations: 40) {
            let parent = tile(map, z: 50, column: 0.3173, row: 0.4211, scale: 2)
            let double = renderer.render(map, parent)
            let children = [(0, 0), (1, 0), (0, 1), (1, 1)].map { dx, dy in
                renderer.render(map, TileCoordinate(z: 51, x: 2 * parent.x + UInt128(dx), y: 2 * parent.y + UInt128(dy)))
            }
            let mosaic = RGBImage.mosaic(topLeft: children[0], topRight: children[1],
                                         bottomLeft: children[2], bottomRight: children[3])
            XCTAssertTrue(double == mosaic, "\(map.name) \(parent) differs from its children's mosaic")
        }
    }

    func testDeepTilesDoNotDependOnThreadCount() throws {
        for map in try maps() {
            let deep = tile(map, z: 64, column: 0.2511, row: 0.0007)
            XCTAssertEqual(try TileRenderer(threads: 1).renderPNG(map, deep), try TileRenderer(threads: 3).renderPNG(map, deep),
                           map.name)
        }
    }

    /// In forward_pass's chaotic sea neighbouring orbits part after ~100 steps at any depth, so a deep tile shows
    /// pixel-to-pixel structure; computed in double, all its pixel centres would be one or two numbers.
    func testDeepChaoticTileIsNotBlocky() throws {
        let map = try XCTUnwrap(ShippedConfiguration.load().map(named: "forward-pass"))
        // (-1.49140625, 2.98828125) is chaotic (a z=0 pixel of the shipped frame).
        let deep = tile(map, z: 70, column: (-1.49140625 + 0.8) / 6 + 0.5, row: 0.5 - 2.98828125 / 6)
        let regimes = TileRenderer().regimes(map, deep)
        XCTAssertGreaterThan(regimes.filter { $0 == .chaotic }.count, 1000)
        let image = TileRenderer().render(map, deep)
        var colors = Set<[UInt8]>()
        for pixel in stride(from: 0, to: image.pixels.count, by: 3) { colors.insert(Array(image.pixels[pixel..<(pixel + 3)])) }
        XCTAssertGreaterThan(colors.count, 8)
    }

    /// The probe at a deep pixel's exact centre (the fixed-point orbit there) agrees with the tile's perturbed
    /// pixel, except where a point 10^-6 pixels away already changes regime (the pixel's regime is not decided
    /// at this resolution) or a deciding quantity is at its threshold.
    func testProbeAtDeepPixelCentresAgreesWithTheTile() throws {
        for map in try maps(iterations: 120) {
            let deep = tile(map, z: 75, column: 0.4137, row: 0.6029)
            let regimes = TileRenderer().regimes(map, deep)
            let center = TileRenderer.exactCenter(of: map, tile: deep)
            let reference = PerturbationReference(settings: map.settings, at: center)
            let pixel = map.span * deep.pixelFraction
            var disagreements = 0
            for row in stride(from: 3, to: 256, by: 37) {
                for column in stride(from: 5, to: 256, by: 41) {
                    let offset = Complex(pixel * (Double(column) + 0.5 - 128), -pixel * (Double(row) + 0.5 - 128))
                    let exact = WideComplex(center.re + Fixed256(offset.re), center.im + Fixed256(offset.im))
                    let probe = map.settings.probe(at: ProbePoint.wide(exact))
                    guard probe.regime != regimes[row * 256 + column] else { continue }
                    disagreements += 1
                    let tileOutcome = reference.outcome(offset: offset)
                    let nearby = [Complex(1e-6, 0), Complex(-1e-6, 0), Complex(0, 1e-6), Complex(0, -1e-6)].map {
                        reference.outcome(offset: offset + pixel * $0).regime
                    }
                    XCTAssertTrue(nearby.contains { $0 != tileOutcome.regime }
                                  || AgreementMarginsAtDepth.isNearThreshold(map.settings, probe.outcome, tileOutcome),
                                  "\(map.name) \(deep) pixel \(column),\(row): probe \(probe.outcome) tile \(tileOutcome)")
                }
            }
            XCTAssertLessThan(disagreements, 4, map.name)
        }
    }
}

/// The deciding quantities' thresholds, as in FractileMathTests' AgreementMargins.
enum AgreementMarginsAtDepth {
    static func isNearThreshold(_ settings: MapSettings, _ a: PixelOutcome, _ b: PixelOutcome) -> Bool {
        if Swift.abs(a.iterations - b.iterations) <= 1 && a.iterations < settings.maxIterations { return true }
        if let s = settings.settings(as: BackpropFlowSettings.self) { return Swift.abs((a.ring ?? 0) - s.ringTolerance) < 1e-6 }
        if settings.kind == .forwardPass { return Swift.abs(a.lyapunov ?? 1) < 1e-9 || Swift.abs(b.lyapunov ?? 1) < 1e-9 }
        return false
    }
}
