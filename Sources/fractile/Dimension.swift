import ArgumentParser
import FractileConfig
import FractileRender

struct Dimension: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Estimate the box-counting dimension of a map's trains/blows-up boundary over a block of tiles.",
        discussion: """
            Renders tiles Z/X..X+N-1/Y..Y+N-1, marks where pixels that converged meet pixels that diverged, and fits \
            log(boxes holding boundary) against log(1/box size). Prints {"map", "z", "x", "y", "tiles", \
            "dimension", "r2", "boxSizes", "counts"}; dimension and r2 are null where the block holds no boundary.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The map's name.") var map: String
    @Argument(help: "Zoom level.") var z: Int
    @Argument(help: "Column of the block's top-left tile.") var x: String
    @Argument(help: "Row of the block's top-left tile.") var y: String
    @Option(help: "Tiles on a side of the block (1 to \(BoundaryDimension.maxTiles)).") var tiles: Int = 2
    @Option(help: "Render threads (0: one per core).") var threads: Int = 0

    func run() throws {
        let (_, definition) = try options.loadMap(named: map)
        guard let column = UInt128(x), let row = UInt128(y) else {
            throw CommandFailure("tile column and row must be non-negative integers, got \(x) \(y)")
        }
        guard threads >= 0 else { throw CommandFailure("--threads must be 0 or more") }
        do {
            let result = try BoundaryDimension(map: definition, z: z, x: column, y: row, tiles: tiles,
                                               renderer: TileRenderer(threads: threads))
            print(result.json)
        } catch {
            throw CommandFailure("\(map): \(error)")
        }
    }
}
