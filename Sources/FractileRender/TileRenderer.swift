import Dispatch
import Foundation
import FractileConfig
import FractileMath
import Synchronization

/// Paints tiles: each pixel's colour is a pure function of its centre, so the rows can be shared among any number
/// of threads and the bytes never depend on how many there were.
public struct TileRenderer: Sendable {
    /// Worker threads for one tile (at least 1).
    public let threads: Int
    public let encoder = PNGEncoder()

    /// Called by each render thread before each block of rows. A render that should leave the cores to another
    /// client's waits in it (`TilePipeline`); the bytes never depend on it.
    public typealias Checkpoint = @Sendable () -> Void

    /// `threads` 0 means one per active core.
    public init(threads: Int = 0) {
        self.threads = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The complex number at the centre of pixel (column, row) of `tile` (docs/maps.md "Tile coordinates").
    public static func pixelCenter(of map: MapDefinition, tile: TileCoordinate, column: Int, row: Int) -> Complex {
        Complex(map.center.re + map.span * tile.columnOffset(column), map.center.im - map.span * tile.rowOffset(row))
    }

    public func render(_ map: MapDefinition, _ tile: TileCoordinate, checkpoint: Checkpoint? = nil) -> RGBImage {
        var image = RGBImage(width: tile.size, height: tile.size)
        let settings = map.settings
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            let output = SharedPixels(base: pixels.baseAddress!)
            forEachBlock(map, tile, checkpoint) { firstPixel, outcomes in
                settings.writeColors(of: outcomes, to: output.base + firstPixel * 3)
            }
        }
        return image
    }

    /// How many pixels of the tile fell in each regime (what `make bench` compares with its C peer), and the steps
    /// the map's rule took over all pixels (what a tile's cost is made of, whatever the arithmetic).
    public func regimeCounts(_ map: MapDefinition, _ tile: TileCoordinate) -> (regimes: [Regime: Int], steps: Int) {
        let counts = Mutex(([Regime: Int](), 0))
        forEachBlock(map, tile) { _, outcomes in
            var block = [Regime: Int](), steps = 0
            for outcome in outcomes {
                block[outcome.regime, default: 0] += 1
                steps += outcome.iterations
            }
            counts.withLock {
                $0.0.merge(block, uniquingKeysWith: +)
                $0.1 += steps
            }
        }
        return counts.withLock { (regimes: $0.0, steps: $0.1) }
    }

    /// Every pixel's regime, row by row from the top: what `fractile render --regimes` writes for independent checks.
    public func regimes(_ map: MapDefinition, _ tile: TileCoordinate) -> [Regime] {
        var regimes = [Regime](repeating: .escaped, count: tile.size * tile.size)
        regimes.withUnsafeMutableBufferPointer { regimes in
            let output = SharedRegimes(base: regimes.baseAddress!)
            forEachBlock(map, tile) { firstPixel, outcomes in
                for (offset, outcome) in outcomes.enumerated() { output.base[firstPixel + offset] = outcome.regime }
            }
        }
        return regimes
    }

    /// The tile's centre exactly, in fixed point: the reference point of a perturbation tile.
    public static func exactCenter(of map: MapDefinition, tile: TileCoordinate) -> WideComplex {
        let (column, row) = tile.centerOffset
        let span = Fixed256(map.span)
        return WideComplex(Fixed256(map.center.re) + span * column, Fixed256(map.center.im) - span * row)
    }

    /// Offset of pixel column i (and, negated, row i) from the centre of a 256-pixel tile of zoom z:
    /// span * (i + 1/2 - 128) / (256 * 2^z), one rounding.
    static func pixelOffsets(span: Double, z: Int) -> [Double] {
        (0..<TileCoordinate.baseSize).map {
            span * (Double(2 * $0 + 1 - TileCoordinate.baseSize)) * Double(sign: .plus, exponent: -z - 9, significand: 1)
        }
    }

    /// Computes the tile's outcomes and hands them, a run of pixels at a time with the row-major index of the run's
    /// first pixel, to `body` (from any worker; runs never overlap).
    private func forEachBlock(_ map: MapDefinition, _ tile: TileCoordinate, _ checkpoint: Checkpoint? = nil,
                              _ body: @Sendable (Int, UnsafeMutableBufferPointer<PixelOutcome>) -> Void) {
        switch TileArithmetic(map: map, tile: tile) {
        case .double: forEachDoubleBlock(map, tile, checkpoint, body)
        case .perturbation: forEachPerturbedBlock(map, tile, checkpoint, body)
        }
    }

    /// Perturbation: each 256-pixel tile around its own centre. A `@2x` tile is computed as its four children
    /// (each around the child's centre), so it is their mosaic by construction, as docs/maps.md requires.
    private func forEachPerturbedBlock(_ map: MapDefinition, _ tile: TileCoordinate, _ checkpoint: Checkpoint?,
                                       _ body: @Sendable (Int, UnsafeMutableBufferPointer<PixelOutcome>) -> Void) {
        let edge = TileCoordinate.baseSize
        let parts: [(tile: TileCoordinate, column: Int, row: Int)] = tile.scale == 1
            ? [(tile, 0, 0)]
            : [(0, 0), (1, 0), (0, 1), (1, 1)].map { dx, dy in
                (TileCoordinate(z: tile.z + 1, x: 2 * tile.x + UInt128(dx), y: 2 * tile.y + UInt128(dy)), dx * edge, dy * edge)
            }
        let settings = map.settings
        let pixel = map.span * Double(sign: .plus, exponent: -parts[0].tile.z - 8, significand: 1)
        let references = parts.map {
            PerturbationLanes(PerturbationReference(settings: settings, at: Self.exactCenter(of: map, tile: $0.tile),
                                                    pixel: pixel))
        }
        let offsets = Self.pixelOffsets(span: map.span, z: parts[0].tile.z)
        let blockRows = 4
        let blocksPerPart = edge / blockRows
        let nextBlock = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let work: @Sendable (Int) -> Void = { _ in
                let points = UnsafeMutableBufferPointer<Complex>.allocate(capacity: edge * blockRows)
                let outcomes = UnsafeMutableBufferPointer<PixelOutcome>.allocate(capacity: edge * blockRows)
                outcomes.initialize(repeating: PixelOutcome(regime: .escaped, iterations: 0, finalValue: .zero))
                defer {
                    points.deallocate()
                    outcomes.deallocate()
                }
                while true {
                    checkpoint?()
                    let block = nextBlock.add(1, ordering: .relaxed).oldValue
                    if block >= parts.count * blocksPerPart { return }
                    let (part, firstRow) = (block / blocksPerPart, (block % blocksPerPart) * blockRows)
                    for row in 0..<blockRows {
                        let imaginary = -offsets[firstRow + row]
                        for column in 0..<edge { points[row * edge + column] = Complex(offsets[column], imaginary) }
                    }
                    references[part].outcomes(UnsafeBufferPointer(points), into: outcomes)
                    for row in 0..<blockRows {
                        body((parts[part].row + firstRow + row) * tile.size + parts[part].column,
                             UnsafeMutableBufferPointer(rebasing: outcomes[(row * edge)..<((row + 1) * edge)]))
                    }
                }
            }
            if threads == 1 {
                work(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: threads, execute: work)
            }
        }
    }

    /// Double: rows handed out in blocks; the lane kernels compute a block at a time.
    private func forEachDoubleBlock(_ map: MapDefinition, _ tile: TileCoordinate, _ checkpoint: Checkpoint?,
                                    _ body: @Sendable (Int, UnsafeMutableBufferPointer<PixelOutcome>) -> Void) {
        let size = tile.size
        let columnReals = (0..<size).map { map.center.re + map.span * tile.columnOffset($0) }
        let settings = map.settings
        // Rows are handed out in small blocks on demand: fractal cost varies wildly across a tile. Each worker keeps
        // one points and one outcomes buffer for its blocks, so nothing is allocated per pixel.
        let blockRows = max(1, 1024 / size)
        let nextBlock = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
        let work: @Sendable (Int) -> Void = { _ in
            let capacity = blockRows * size
            let points = UnsafeMutableBufferPointer<Complex>.allocate(capacity: capacity)
            let outcomes = UnsafeMutableBufferPointer<PixelOutcome>.allocate(capacity: capacity)
            outcomes.initialize(repeating: PixelOutcome(regime: .escaped, iterations: 0, finalValue: .zero))
            defer {
                points.deallocate()
                outcomes.deallocate()
            }
            while true {
                checkpoint?()
                let first = nextBlock.add(1, ordering: .relaxed).oldValue * blockRows
                if first >= size { return }
                let rows = min(first + blockRows, size) - first
                for row in 0..<rows {
                    let imaginary = map.center.im - map.span * tile.rowOffset(first + row)
                    for (column, real) in columnReals.enumerated() {
                        points[row * size + column] = Complex(real, imaginary)
                    }
                }
                let block = UnsafeMutableBufferPointer(rebasing: outcomes[..<(rows * size)])
                settings.fastOutcomes(UnsafeBufferPointer(rebasing: points[..<(rows * size)]), into: block)
                body(first * size, block)
            }
        }
        if threads == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads, execute: work)
        }
        }
    }

    public func renderPNG(_ map: MapDefinition, _ tile: TileCoordinate,
                          checkpoint: Checkpoint? = nil) throws(PNGEncoder.EncodingError) -> [UInt8] {
        try encoder.encode(render(map, tile, checkpoint: checkpoint))
    }
}

/// The regime buffer shared by the row workers, as SharedPixels.
private struct SharedRegimes: @unchecked Sendable {
    let base: UnsafeMutablePointer<Regime>
}

/// The tile's pixel buffer shared by the row workers; each row is written by exactly one of them.
private struct SharedPixels: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
}
