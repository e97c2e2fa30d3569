import ArgumentParser
import FractileConfig
import FractileMath

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what the network at one point of a map does, as the probe JSON of MAPS.md."
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The map's name.") var map: String
    // Negative coordinates look like options to a parser; take them verbatim.
    @Argument(parsing: .allUnrecognized, help: "The point: RE IM.") var point: [String] = []

    func run() throws {
        guard point.count == 2, let re = Double(point[0]), let im = Double(point[1]), re.isFinite, im.isFinite else {
            throw CommandFailure("expected the point as two finite numbers RE IM, got \(point.joined(separator: " "))")
        }
        let (_, definition) = try options.loadMap(named: map)
        print(definition.settings.probe(at: Complex(re, im)).json(mapName: definition.name, re: re, im: im))
    }
}
