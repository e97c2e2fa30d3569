import FractileConfig
import Foundation

/// The repository's own config.json, which every shipped-map test reads.
enum ShippedConfiguration {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config.json").path

    static func load() throws -> FractileConfiguration {
        try FractileConfiguration.load(path: path)
    }
}
