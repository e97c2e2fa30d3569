import ArgumentParser
import Dispatch
import FractileCache
import FractileConfig
import FractileMath
import FractileRender
import FractileVideo
import Foundation
import Synchronization

struct Video: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make an MP4 zoom video of a map: a smooth exponential zoom into one point.",
        discussion: """
            Exactly SECONDS * FPS frames of WxH pixels, the zoom level going linearly from A to B (the scale \
            exponentially), each frame composed from the map's tiles through the disk cache (so a seeded region \
            renders fast; rendered tiles are added to it) and encoded as H.264 by ffmpeg through a pipe. Progress \
            and ETA on stderr. SIGINT or SIGTERM stops at once and leaves no partial file (exit 130 or 143).
            """
    )

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The map's name.") var map: String
    // The real part; the imaginary part follows it (negative numbers look like options, so both are taken verbatim).
    @Option(parsing: .unconditional, help: "The point to zoom into: --center RE IM.") var center: String
    @Argument(parsing: .allUnrecognized, help: .hidden) var centerImaginary: [String] = []
    @Option(help: "Zoom levels: A-B (decimals allowed), e.g. 0-12.") var zoom: String
    @Option(help: "Length in seconds.") var seconds: Double = 10
    @Option(help: "Frames per second.") var fps: Int = 30
    @Option(help: "Frame size WIDTHxHEIGHT (even numbers).") var size: String = "1280x720"
    @Option(help: "The MP4 file to write.") var output: String
    @Option(help: "Directory of the disk tile cache.") var cacheDirectory: String?
    @Option(help: "Threads per tile render (0: one per core; default: render.threads of the config).") var threads: Int?

    func run() throws {
        guard centerImaginary.count == 1, let re = Double(center), let im = Double(centerImaginary[0]) else {
            throw CommandFailure("--center: expected two finite numbers RE IM, got \(([center] + centerImaginary).joined(separator: " "))")
        }
        var (configuration, definition) = try options.loadMap(named: map)
        try EnvironmentOverrides.apply(to: &configuration)
        if let cacheDirectory { configuration.cache.directory = cacheDirectory }
        let video: ZoomVideo
        do {
            let (width, height) = try ZoomVideo.parseSize(size)
            video = try ZoomVideo(map: definition, center: Complex(re, im), zooms: try ZoomVideo.parseZooms(zoom),
                                  seconds: seconds, fps: fps, width: width, height: height)
        } catch {
            throw CommandFailure("--\(error)")
        }
        guard output.lowercased().hasSuffix(".mp4") else { throw CommandFailure("--output \(output): expected a file name ending in .mp4") }
        let threads = threads ?? configuration.render.threads
        guard threads >= 0 else { throw CommandFailure("--threads \(threads): expected 0 or more") }
        let disk = configuration.cache.diskBytes > 0
            ? DiskTileCache(directory: configuration.cache.directory, capacityBytes: configuration.cache.diskBytes) { _ in }
            : nil
        disk?.waitForInitialScan()
        let tiles = VideoTileSource(map: definition, disk: disk, renderer: TileRenderer(threads: threads))
        let encoder: VideoEncoder
        do {
            encoder = try VideoEncoder(output: output, width: video.width, height: video.height, fps: video.fps)
        } catch {
            throw CommandFailure(error.description)
        }
        try VideoRun(video: video, tiles: tiles, encoder: encoder).run()
    }
}

/// Frames rendered and piped one by one on this thread; a signal cancels ffmpeg and exits between two frames.
final class VideoRun: @unchecked Sendable {
    let video: ZoomVideo
    let tiles: VideoTileSource
    let encoder: VideoEncoder
    let progress: SeedProgress
    /// Held while a frame is written: a signal waits for it, then removes the partial file and exits.
    private let frameLock = Mutex(())

    init(video: ZoomVideo, tiles: VideoTileSource, encoder: VideoEncoder) {
        self.video = video
        self.tiles = tiles
        self.encoder = encoder
        self.progress = SeedProgress(label: "\(video.map.name) video", total: video.frameCount, unit: "frames")
    }

    func run() throws {
        let signalSources = StopSignals.install { [self] status, name in
            frameLock.withLock { _ in
                encoder.cancel()
                progress.report(final: true)
                FileHandle.standardError.write(Data("fractile video: stopped by \(name); no file written\n".utf8))
                Foundation.exit(status)
            }
        }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now(), repeating: progress.isTerminal ? 0.25 : 1)
        timer.setEventHandler { [progress] in progress.report() }
        timer.resume()
        for index in 0..<video.frameCount {
            let failure: String? = frameLock.withLock { _ in
                do {
                    try encoder.write(try video.frame(index, tile: tiles.tile))
                    return nil
                } catch let error as VideoEncoder.Failure {
                    return error.description
                } catch {
                    encoder.cancel()
                    return "frame \(index): \(error)"
                }
            }
            if let failure { throw CommandFailure(failure) }
            progress.tileDone(rendered: true)
        }
        timer.cancel()
        do {
            try encoder.finish()
        } catch {
            throw CommandFailure(error.description)
        }
        progress.report(final: true)
        withExtendedLifetime(signalSources) {}
        let elapsed = progress.elapsedSeconds
        print("\(video.map.name): \(video.frameCount) frames of \(video.width)x\(video.height) in "
            + "\(String(format: "%.1f", elapsed)) s (\(tiles.rendered) tiles rendered, \(tiles.fromDisk) from the disk cache), "
            + "into \(encoder.output)")
    }
}
