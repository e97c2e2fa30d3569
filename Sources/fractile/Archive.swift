import ArgumentParser
import FractileArchive
import Foundation

/// `fractile archive merge OUT IN1 IN2...`: archive tools.
struct Archive: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with MBTiles and PMTiles archives written by `fractile seed --output`.",
        subcommands: [ArchiveMerge.self]
    )
}

struct ArchiveMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine archives (e.g. the shards of one seed) into one.",
        discussion: """
            The inputs must hold tiles of the same map with the same settings and tile size; a tile in two inputs \
            must have the same bytes. Formats may differ: each file's extension names its format. The output gets \
            the inputs' metadata, with the zoom range and bounds of all their tiles: merging the shards of a seed \
            gives what one unsharded seed gives.
            """
    )

    @Argument(help: "The archive to write (.mbtiles or .pmtiles).") var output: String
    @Argument(help: "The archives to read.") var inputs: [String] = []

    func run() throws {
        guard !inputs.isEmpty else { throw CommandFailure("archive merge: give the output and at least one input archive") }
        do {
            _ = try TileArchive.format(of: output)
            let readers = try inputs.map { path throws(TileArchiveError) in try TileArchive.reader(path: path) }
            let metadata = readers[0].metadata
            for reader in readers.dropFirst() where reader.metadata != metadata {
                throw TileArchiveError("\(reader.path) holds \(reader.metadata.map) (settings \(reader.metadata.settingsHash), "
                    + "\(reader.metadata.tileSize)-pixel tiles) but \(readers[0].path) holds \(metadata.map) (settings "
                    + "\(metadata.settingsHash), \(metadata.tileSize)-pixel tiles): only tiles of one map and settings merge")
            }
            guard !inputs.contains(output) else { throw TileArchiveError("\(output) is both the output and an input") }
            // Which input each tile comes from; a tile in two inputs is checked for equal bytes.
            var sources: [TileAddress: Int] = [:]
            for (index, reader) in readers.enumerated() {
                for address in try reader.addresses() {
                    if let earlier = sources[address] {
                        guard try readers[earlier].tile(address) == reader.tile(address) else {
                            throw TileArchiveError("tile \(address) differs between \(readers[earlier].path) and \(reader.path)")
                        }
                    } else {
                        sources[address] = index
                    }
                }
            }
            let writer = try TileArchive.writer(path: output)
            do {
                for address in sources.keys.sorted() {
                    guard let bytes = try readers[sources[address]!].tile(address) else {
                        throw TileArchiveError("\(readers[sources[address]!].path): tile \(address) vanished while merging")
                    }
                    try writer.add(address, bytes)
                }
                try writer.finish(metadata)
            } catch {
                writer.abandon()
                throw error
            }
            print("merged \(sources.count) tiles of \(metadata.map) from \(inputs.count) archives into \(output)")
        } catch let error as TileArchiveError {
            throw CommandFailure("archive merge: \(error)")
        }
    }
}
