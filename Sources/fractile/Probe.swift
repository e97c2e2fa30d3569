import ArgumentParser
import FractileConfig
import FractileMath

struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what the network at one point of a map does, as the probe JSON of docs/maps.md."
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var live: LiveParameterOptions
    @Argument(help: "The map's name.") var map: String
    // Negative coordinates look like options to a parser; take them verbatim.
    @Argument(parsing: .allUnrecognized, help: "The point: RE IM.") var point: [String] = []

    func run() throws {
        guard point.count == 2 else {
            throw CommandFailure("expected the point as two finite numbers RE IM, got \(point.joined(separator: " "))")
        }
        let probePoint: ProbePoint
        do {
            probePoint = try ProbePoint(re: point[0], im: point[1])
        } catch {
            throw CommandFailure("expected the point as two finite numbers RE IM (decimals, any number of digits): \(error)")
        }
        let definition = try live.apply(to: try options.loadMap(named: map).1)
        let p = probePoint.complexValue
        print(definition.settings.probe(at: probePoint)
            .json(mapName: definition.name, re: p.re, im: p.im, arithmetic: probePoint.arithmetic))
    }
}
