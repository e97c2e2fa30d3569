import ArgumentParser
import FractileConfig
import Foundation

/// `--config FILE`, shared by every subcommand.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "The configuration file (default: $FRACTILE_CONFIG or config.json).")
    var configPath: String?

    var config: String { configPath ?? ProcessInfo.processInfo.environment["FRACTILE_CONFIG"] ?? "config.json" }

    func load() throws -> FractileConfiguration {
        do {
            return try FractileConfiguration.load(path: config)
        } catch {
            // Syntax and file errors already name the file; key-path errors get it in front.
            throw CommandFailure(error.path.isEmpty ? error.description : "\(config): \(error)")
        }
    }

    func loadMap(named name: String) throws -> (FractileConfiguration, MapDefinition) {
        let configuration = try load()
        guard let map = configuration.map(named: name) else {
            let names = configuration.maps.map(\.name).joined(separator: ", ")
            throw CommandFailure("no map named \"\(name)\" in \(config) (maps: \(names))")
        }
        return (configuration, map)
    }
}

/// A failure the user can act on: printed as one line, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
