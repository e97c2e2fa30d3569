import ArgumentParser
import FractileConfig

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and say exactly what is wrong."
    )

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let configuration = try options.load()
        let names = configuration.maps.map(\.name).joined(separator: ", ")
        print("\(options.config): ok (\(configuration.maps.count) maps: \(names))")
    }
}
