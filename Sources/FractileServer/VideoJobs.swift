import Dispatch
import FractileCache
import FractileConfig
import FractileRender
import FractileVideo
import Foundation
import Synchronization

/// Zoom videos made by the server (`POST /videos`), one at a time: a second request while one is queued, rendering
/// or encoding is refused (409), so a server never spends more than one render thread and one ffmpeg on videos.
/// Tiles come through the disk cache like `fractile video`'s. Finished videos are kept in a private temporary
/// directory, the newest `keep` of them; the directory goes when the server stops.
public final class VideoJobs: Sendable {
    public enum State: String, Sendable {
        case queued, rendering, encoding, done, failed, cancelled
        var isActive: Bool { self == .queued || self == .rendering || self == .encoding }
    }

    public struct Job: Sendable {
        public let id: String
        public var state: State
        public let frames: Int
        public var framesDone = 0
        public var error: String?
        let started: UInt64
        var renderingSince: UInt64?

        /// Seconds left at the rate so far; nil before the first frame and after the end.
        public var etaSeconds: Double? {
            guard state == .rendering, framesDone > 0, let since = renderingSince else { return nil }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - since) / 1e9
            return elapsed / Double(framesDone) * Double(frames - framesDone)
        }
    }

    /// Bounds on what one request may ask for.
    public static let maximumFrames = 3600
    public static let maximumPixels = 1920 * 1080

    private struct Table {
        var jobs: [String: Job] = [:]
        var order: [String] = []
        var cancelled: Set<String> = []
    }

    private let state = Mutex(Table())
    private let directory: String
    private let disk: DiskTileCache?
    private let keep: Int

    public init(disk: DiskTileCache?, keep: Int = 4) {
        self.disk = disk
        self.keep = keep
        directory = NSTemporaryDirectory() + "fractile-videos-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public enum SubmitError: Error, Sendable {
        case busy(String)
    }

    /// Starts a job, or refuses if one is active.
    public func submit(_ video: ZoomVideo) throws(SubmitError) -> Job {
        let id = (0..<2).map { _ in String(format: "%016llx", UInt64.random(in: .min ... .max)) }.joined()
        let job = Job(id: id, state: .queued, frames: video.frameCount, started: DispatchTime.now().uptimeNanoseconds)
        let removed: [String] = try state.withLock { (state) throws(SubmitError) -> [String] in
            if let active = state.order.first(where: { state.jobs[$0]!.state.isActive }) {
                throw .busy("video \(active) is still being made (one at a time); DELETE /videos/\(active) cancels it")
            }
            state.jobs[id] = job
            state.order.append(id)
            var removed: [String] = []
            while state.order.count > keep {
                let oldest = state.order.removeFirst()
                state.jobs.removeValue(forKey: oldest)
                removed.append(oldest)
            }
            return removed
        }
        for old in removed { unlink(path(old)) }
        let thread = Thread { [self] in make(video, id: id) }
        thread.name = "fractile-video"
        thread.start()
        return job
    }

    public func job(_ id: String) -> Job? {
        state.withLock { $0.jobs[id] }
    }

    /// Cancels an active job, or forgets a finished one and its file; false if there is no such job.
    public func cancel(_ id: String) -> Bool {
        let found: Bool = state.withLock { state in
            guard var job = state.jobs[id] else { return false }
            if job.state.isActive {
                state.cancelled.insert(id)
                job.state = .cancelled
                state.jobs[id] = job
            } else {
                state.jobs.removeValue(forKey: id)
                state.order.removeAll { $0 == id }
            }
            return true
        }
        if found, job(id) == nil { unlink(path(id)) }
        return found
    }

    /// The finished video's bytes.
    public func file(_ id: String) -> [UInt8]? {
        guard job(id)?.state == .done, let data = FileManager.default.contents(atPath: path(id)) else { return nil }
        return Array(data)
    }

    public func removeAll() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func path(_ id: String) -> String { "\(directory)/\(id).mp4" }

    private func update(_ id: String, _ change: (inout Job) -> Void) {
        state.withLock { state in
            guard var job = state.jobs[id], job.state != .cancelled else { return }
            change(&job)
            state.jobs[id] = job
        }
    }

    private func isCancelled(_ id: String) -> Bool { state.withLock { $0.cancelled.contains(id) } }

    private func make(_ video: ZoomVideo, id: String) {
        let tiles = VideoTileSource(map: video.map, disk: disk, renderer: TileRenderer(threads: 1))
        update(id) { $0.state = .rendering; $0.renderingSince = DispatchTime.now().uptimeNanoseconds }
        let encoder: VideoEncoder
        do {
            encoder = try VideoEncoder(output: path(id), width: video.width, height: video.height, fps: video.fps)
        } catch {
            return update(id) { $0.state = .failed; $0.error = error.description }
        }
        do {
            for index in 0..<video.frameCount {
                if isCancelled(id) { return encoder.cancel() }
                try encoder.write(try video.frame(index, tile: tiles.tile))
                update(id) { $0.framesDone = index + 1 }
            }
            update(id) { $0.state = .encoding }
            try encoder.finish()
            if isCancelled(id) {
                unlink(path(id))
                return
            }
            update(id) { $0.state = .done }
        } catch {
            encoder.cancel()
            update(id) { $0.state = .failed; $0.error = "\(error)" }
        }
    }
}
