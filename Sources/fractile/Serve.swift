import ArgumentParser
import Dispatch
import FractileConfig
import FractileServer
import Foundation

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve tiles, TileJSON, probes, metrics and the viewer over HTTP.",
        discussion: """
            Settings come from the config file; environment variables override it (FRACTILE_HOST, FRACTILE_PORT, \
            FRACTILE_CACHE_DIRECTORY, FRACTILE_CACHE_MEMORY_BYTES, FRACTILE_CACHE_DISK_BYTES, FRACTILE_CONFIG), \
            and options override both. SIGTERM or SIGINT stops it gracefully. --archive FILE (repeatable) answers \
            tiles from an MBTiles or PMTiles archive written by `fractile seed --output`, before the disk cache; \
            tiles it does not hold render as usual, or are 404 with --archive-only.
            """
    )

    @OptionGroup var options: ConfigOptions
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on (0 picks a free port and prints it).") var port: Int?
    @Option(help: "Directory of the disk tile cache.") var cacheDirectory: String?
    @Option(help: "Warnings and errors on standard error as text or json (one object per line); default $FRACTILE_LOG_FORMAT, else text.")
    var logFormat: String?
    @Option(help: "Serve tiles from this .mbtiles or .pmtiles archive first (repeatable).") var archive: [String] = []
    @Flag(help: "Tiles of an archived map that its archives do not hold are 404 instead of rendered.")
    var archiveOnly = false

    func run() throws {
        var configuration = try options.load()
        try EnvironmentOverrides.apply(to: &configuration)
        if let host { configuration.server.host = host }
        if let port {
            guard (0...65535).contains(port) else { throw CommandFailure("--port must be in 0...65535") }
            configuration.server.port = port
        }
        if let cacheDirectory { configuration.cache.directory = cacheDirectory }
        if let format = logFormat ?? ProcessInfo.processInfo.environment["FRACTILE_LOG_FORMAT"] {
            guard let chosen = ServerLog.Format(rawValue: format) else {
                throw CommandFailure("--log-format (or FRACTILE_LOG_FORMAT) \(format): expected text or json")
            }
            ServerLog.format = chosen
        }

        if archiveOnly && archive.isEmpty { throw CommandFailure("--archive-only needs at least one --archive FILE") }
        let archives: TileArchiveSet?
        do {
            archives = archive.isEmpty ? nil
                : try TileArchiveSet(paths: archive, maps: configuration.maps, archiveOnly: archiveOnly)
        } catch {
            throw CommandFailure("--archive \(error)")
        }
        let server = ServerAssembly(configuration: configuration, archives: archives)
        let bound: Int
        do {
            bound = try server.start()
        } catch {
            throw CommandFailure("cannot listen on \(configuration.server.host):\(configuration.server.port): \(error)")
        }
        ServerLog.logger.notice("serving \(configuration.maps.count) maps on http://\(configuration.server.host):\(bound)/")
        // Tests and scripts read the bound port from this first stdout line.
        FileHandle.standardOutput.write(Data("listening on port \(bound)\n".utf8))

        // Signals arrive on a Dispatch source, not in a handler, so shutting down may take locks and wait.
        let signalQueue = DispatchQueue(label: "fractile.signals")
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: signalQueue)
            source.setEventHandler {
                ServerLog.logger.notice("stopping (finishing in-flight requests)")
                server.shutdown(gracePeriod: 8)
                ServerLog.logger.notice("stopped")
                Foundation.exit(0)
            }
            source.resume()
            sources.append(source)
        }
        withExtendedLifetime(sources) { dispatchMain() }
    }
}

/// Twelve-factor overrides: the environment beats config.json, options beat both.
enum EnvironmentOverrides {
    static func apply(to configuration: inout FractileConfiguration,
                      environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let host = environment["FRACTILE_HOST"] { configuration.server.host = host }
        if let port = try integer("FRACTILE_PORT", environment, in: 0...65535) { configuration.server.port = port }
        if let directory = environment["FRACTILE_CACHE_DIRECTORY"] { configuration.cache.directory = directory }
        if let bytes = try integer("FRACTILE_CACHE_MEMORY_BYTES", environment, in: 0...Int.max) {
            configuration.cache.memoryBytes = bytes
        }
        if let bytes = try integer("FRACTILE_CACHE_DISK_BYTES", environment, in: 0...Int.max) {
            configuration.cache.diskBytes = bytes
        }
    }

    private static func integer(_ name: String, _ environment: [String: String], in range: ClosedRange<Int>) throws -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw CommandFailure("\(name)=\(text): expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
