import ArgumentParser
import Dispatch
import FractileConfig
import FractileRender
import Foundation

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render one tile to a PNG file.")

    @OptionGroup var options: ConfigOptions
    @OptionGroup var live: LiveParameterOptions
    @Argument(help: "The map's name.") var map: String
    @Argument(help: "Zoom level.") var z: Int
    @Argument(help: "Tile column (below 2^Z; any number of digits).") var x: String
    @Argument(help: "Tile row (grows downward).") var y: String
    @Option(help: "1 for a 256-pixel tile, 2 for the 512-pixel @2x tile.") var scale: Int = 1
    @Option(help: "Render threads (0: one per core).") var threads: Int = 0
    @Option(name: .shortAndLong, help: "The PNG file to write.") var output: String
    @Flag(help: "Also print one line for `make bench`: render and PNG seconds, PNG bytes against a plain RGB PNG, and how many pixels fell in each regime.")
    var report = false
    @Option(help: "Also write every pixel's regime to this file: one line per pixel row from the top, regime names separated by spaces.")
    var regimes: String?

    func run() throws {
        let definition = try live.apply(to: try options.loadMap(named: map).1)
        guard let column = UInt128(x), let row = UInt128(y) else {
            throw CommandFailure("tile column and row must be non-negative integers, got \(x) \(y)")
        }
        let tile = TileCoordinate(z: z, x: column, y: row, scale: scale)
        do {
            try tile.validate(maxZoom: definition.maxZoom)
        } catch {
            throw CommandFailure("\(map) has no tile \(tile): \(error)")
        }
        guard threads >= 0 else { throw CommandFailure("--threads must be 0 or more") }
        let renderer = TileRenderer(threads: threads)
        let started = DispatchTime.now().uptimeNanoseconds
        let image = renderer.render(definition, tile)
        let rendered = DispatchTime.now().uptimeNanoseconds
        let png = try renderer.encoder.encode(image)
        let encoded = DispatchTime.now().uptimeNanoseconds
        if report {
            let (counts, steps) = renderer.regimeCounts(definition, tile)
            let regimes = definition.settings.kind.regimes.map { " \($0.rawValue)=\(counts[$0] ?? 0)" }.joined()
            print("tile \(tile) arithmetic=\(TileArithmetic(map: definition, tile: tile).rawValue) render_seconds=\(Double(rendered - started) / 1e9) "
                  + "encode_seconds=\(Double(encoded - rendered) / 1e9) png_bytes=\(png.count) "
                  + "rgb_png_bytes=\(try renderer.encoder.encodeTruecolor(image).count) steps=\(steps)" + regimes)
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(png)) else {
            throw CommandFailure("cannot write \(output)")
        }
        if let regimes {
            let names = renderer.regimes(definition, tile).map(\.rawValue)
            let rows = stride(from: 0, to: names.count, by: tile.size).map { names[$0..<($0 + tile.size)].joined(separator: " ") }
            guard FileManager.default.createFile(atPath: regimes, contents: Data((rows.joined(separator: "\n") + "\n").utf8)) else {
                throw CommandFailure("cannot write \(regimes)")
            }
        }
    }
}
