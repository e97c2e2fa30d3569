import ArgumentParser
import Dispatch
import FractileArchive
import FractileConfig
import FractileRender
import FractileServer
import Foundation
import Synchronization

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pre-render a map's tiles into the disk cache that `serve` reads, or into an MBTiles or PMTiles archive.",
        discussion: """
            Writes exactly the files the server reads (same keys, same atomic writes), so it may run while servers \
            share the cache. Tiles already cached and valid are skipped: a rerun resumes. --shard I/N takes every \
            Nth tile of a stable order, so N machines with shards 0/N ... N-1/N seed disjoint parts of the whole. \
            SIGINT or SIGTERM stops at once without leaving a partial tile (exit 130 or 143). The cache directory \
            comes from --cache-directory, else FRACTILE_CACHE_DIRECTORY, else the config file; its size bound \
            from FRACTILE_CACHE_DISK_BYTES or the config file. --output FILE.mbtiles or FILE.pmtiles writes an archive \
            instead (format by extension; one per shard, combined by `fractile archive merge`): it appears only when \
            complete, and a stopped run leaves nothing behind.
            """
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var live: LiveParameterOptions
    @Argument(help: "The map's name.") var map: String
    // Values are taken verbatim (a bbox starts with '-' as often as not) and checked in `run`, one line per error.
    @Option(parsing: .unconditional, help: "Zoom levels: A-B or A.") var zoom: String
    @Option(parsing: .unconditional, help: "Only tiles meeting this box of the complex plane: re0,im0,re1,im1.")
    var bbox: String?
    @Option(parsing: .unconditional, help: "Seed part I of N (0 <= I < N): every Nth tile, starting at the Ith.")
    var shard: String = "0/1"
    @Option(help: "1 for 256-pixel tiles, 2 for the @2x (512-pixel) tiles.") var scale: Int = 1
    @Option(help: "Directory of the disk tile cache.") var cacheDirectory: String?
    @Option(help: "Write an archive instead of the disk cache: FILE.mbtiles (MBTiles 1.3) or FILE.pmtiles (PMTiles v3).")
    var output: String?
    @Option(parsing: .unconditional, help: "Tiles rendered at once, one core each (0: one per core; default: render.threads of the config).")
    var threads: Int?

    func run() throws {
        let loaded = try options.loadMap(named: map)
        var configuration = loaded.0
        let definition = try live.apply(to: loaded.1)
        try EnvironmentOverrides.apply(to: &configuration)
        if let cacheDirectory { configuration.cache.directory = cacheDirectory }
        let zooms = try SeedPlan.parseZooms(zoom, map: definition)
        let format = try output.map { path throws(CommandFailure) in
            do { return try TileArchive.format(of: path) } catch { throw CommandFailure("--output \(error)") }
        }
        if let format, zooms.upperBound > format.deepestZoom {
            throw CommandFailure("--zoom \(zoom): \(format.rawValue) archives hold zoom levels up to \(format.deepestZoom)")
        }
        let box = try bbox.map { text throws(CommandFailure) in try SeedPlan.parseBox(text, map: definition) }
        let shard = try SeedPlan.parseShard(shard)
        guard scale == 1 || scale == 2 else { throw CommandFailure("--scale \(scale): expected 1 or 2") }
        let threads = threads ?? configuration.render.threads
        guard threads >= 0 else { throw CommandFailure("--threads \(threads): expected 0 or more") }
        let plan = try SeedPlan(map: definition, zooms: zooms, box: box, shard: shard, scale: scale)
        let workers = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
        let run = SeedRun(plan: plan, workers: workers)
        let destination: any SeedDestination
        if let output {
            do {
                destination = try ArchiveSeedDestination(path: output, map: definition, scale: scale)
            } catch {
                throw CommandFailure(error.description)
            }
        } else {
            guard configuration.cache.diskBytes > 0 else {
                throw CommandFailure("the disk cache is off (cache.diskBytes is 0): there is nothing to seed into")
            }
            try Self.makeWritable(configuration.cache.directory)
            destination = DiskSeedDestination(map: definition, cache: configuration.cache) { [progress = run.progress] in
                progress.log($0)
            }
        }
        try run.run(into: destination)
    }

    /// Fails fast, before any render, if tiles could not be written.
    private static func makeWritable(_ directory: String) throws(CommandFailure) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("cannot create the cache directory \(directory): \(error.localizedDescription)")
        }
        guard access(directory, W_OK) == 0 else {
            throw CommandFailure("cannot write to the cache directory \(directory): \(String(cString: strerror(errno)))")
        }
    }
}

/// One seed run: workers each take the shard's next tile, skip it if the destination has a valid copy, otherwise
/// render it on one core and put it. Puts hold `writeLock`; a stop signal takes that lock for good, so the process
/// exits between two writes and never leaves a partial tile or archive behind.
final class SeedRun: Sendable {
    let plan: SeedPlan
    let renderer = TileRenderer(threads: 1)
    let workers: Int
    let progress: SeedProgress
    private let nextPosition = Mutex(0)
    private let writeLock = Mutex(())
    private let stopping = Atomic<Bool>(false)
    private let failure = Mutex<String?>(nil)

    init(plan: SeedPlan, workers: Int) {
        self.plan = plan
        self.workers = max(1, min(workers, plan.shardTotal))
        let zooms = plan.zooms.count == 1 ? "z\(plan.zooms.lowerBound)" : "z\(plan.zooms.lowerBound)-\(plan.zooms.upperBound)"
        let shard = plan.shard.count > 1 ? " shard \(plan.shard.index)/\(plan.shard.count)" : ""
        let progress = SeedProgress(label: "\(plan.map.name) \(zooms)\(shard)", total: plan.shardTotal)
        self.progress = progress
    }

    func run(into destination: any SeedDestination) throws {
        destination.prepare()
        let signalSources = StopSignals.install { [self] status, name in
            stopping.store(true, ordering: .relaxed)
            exitBetweenWrites(status, summary(destination, stoppedBy: name), destination)
        }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now(), repeating: progress.isTerminal ? 0.25 : 1)
        timer.setEventHandler { [progress] in progress.report() }
        timer.resume()

        let group = DispatchGroup()
        for index in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                work(destination)
                group.leave()
            }
            thread.name = "fractile-seed-\(index)"
            thread.start()
        }
        group.wait()
        timer.cancel()
        withExtendedLifetime(signalSources) {}
        if failure.withLock({ $0 }) == nil, let message = writeLock.withLock({ _ in destination.finish() }) {
            stop(because: message)
        }
        if let message = failure.withLock({ $0 }) {
            exitBetweenWrites(1, "fractile seed: \(message); \(summary(destination, stoppedBy: nil))", destination)
        }
        exitBetweenWrites(0, summary(destination, stoppedBy: nil), destination)
    }

    private func work(_ destination: any SeedDestination) {
        while !stopping.load(ordering: .relaxed) {
            let position: Int? = nextPosition.withLock { next in
                guard next < plan.shardTotal else { return nil }
                defer { next += 1 }
                return next
            }
            guard let position else { return }
            let tile = plan.tile(atShardPosition: position)
            if destination.contains(tile) {
                progress.tileDone(rendered: false)
                continue
            }
            let bytes: [UInt8]
            do {
                bytes = try renderer.renderPNG(plan.map, tile)
            } catch {
                stop(because: "the PNG encoder failed on tile \(tile)")
                return
            }
            // Counted under the lock that the stop signal takes: the summary's count is then what is on disk.
            let message = writeLock.withLock { _ -> String? in
                let message = destination.write(tile, bytes)
                if message == nil { progress.tileDone(rendered: true) }
                return message
            }
            if let message {
                stop(because: message)
                return
            }
        }
    }

    private func stop(because message: String) {
        failure.withLock { if $0 == nil { $0 = message } }
        stopping.store(true, ordering: .relaxed)
    }

    /// Takes the write lock and never gives it back: no tile is half-written when the process exits.
    /// `line` is made under the lock, after the last write, so the summary counts every tile written.
    private func exitBetweenWrites(_ status: Int32, _ line: @autoclosure () -> String,
                                   _ destination: any SeedDestination) -> Never {
        writeLock.withLock { _ in
            if status != 0 { destination.abandon() }
            progress.report(final: true)
            let stream = status == 0 ? FileHandle.standardOutput : FileHandle.standardError
            stream.write(Data((line() + "\n").utf8))
            Foundation.exit(status)
        }
    }

    /// One line: what was done, how fast, and whether the disk cache had to evict tiles to stay in its bound.
    private func summary(_ destination: any SeedDestination, stoppedBy signalName: String?) -> String {
        let counts = progress.counts
        let elapsed = progress.elapsedSeconds
        let rate = SeedProgress.format(rate: elapsed > 0 ? Double(counts.rendered) / elapsed : 0)
        var line = signalName.map { "\(progress.label): stopped by \($0) after " } ?? "\(progress.label): "
        line += "\(counts.done) of \(plan.shardTotal) tiles (\(counts.rendered) rendered, \(counts.skipped) already "
            + "cached) in \(String(format: "%.1f", elapsed)) s, \(rate) tiles/s rendered, into \(destination.name)"
        if let warning = destination.warning { line += "; \(warning)" }
        return line
    }
}
