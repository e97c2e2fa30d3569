import Foundation

/// H.264 in MP4 by the system's ffmpeg, fed raw RGB frames through a pipe. The file is written under a temporary
/// name beside the output and renamed when ffmpeg has finished, so a cancelled or failed video leaves nothing.
public final class VideoEncoder {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let output: String
    private let temporaryPath: String
    private let logPath: String
    private let process = Process()
    private let input: FileHandle

    public init(output: String, width: Int, height: Int, fps: Int) throws(Failure) {
        self.output = output
        let slash = output.lastIndex(of: "/")
        let directory = slash.map { String(output[...$0]) } ?? ""
        let name = slash.map { String(output[output.index(after: $0)...]) } ?? output
        temporaryPath = "\(directory).\(name).tmp-\(getpid())"
        logPath = temporaryPath + ".log"
        // A closed pipe must be an error from write, not a signal that kills the process.
        signal(SIGPIPE, SIG_IGN)
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: logPath) else {
            throw Failure(description: "cannot write beside \(output): \(String(cString: strerror(errno)))")
        }
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)", "-r", "\(fps)", "-i", "pipe:0",
            "-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
            "-f", "mp4", temporaryPath,
        ]
        process.standardInput = pipe
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            unlink(logPath)
            throw Failure(description: "cannot start ffmpeg: \(error.localizedDescription)")
        }
        input = pipe.fileHandleForWriting
    }

    /// One frame of packed RGB rows.
    public func write(_ frame: [UInt8]) throws(Failure) {
        do {
            try input.write(contentsOf: frame)
        } catch {
            throw finishFailed("ffmpeg stopped reading frames")
        }
    }

    /// Closes the pipe, waits for ffmpeg and moves the video into place.
    public func finish() throws(Failure) {
        try? input.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw finishFailed(process.terminationStatus == 127
                ? "ffmpeg is not installed (Debian: apt-get install ffmpeg)" : "ffmpeg failed")
        }
        unlink(logPath)
        guard rename(temporaryPath, output) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw Failure(description: "cannot move the video to \(output): \(reason)")
        }
    }

    /// Stops ffmpeg and removes what it wrote.
    public func cancel() {
        try? input.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        unlink(temporaryPath)
        unlink(logPath)
    }

    private func finishFailed(_ what: String) -> Failure {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        let lastLine = log.split(separator: "\n").last.map { ": \($0)" } ?? ""
        unlink(temporaryPath)
        unlink(logPath)
        return Failure(description: "\(what) (exit \(process.terminationStatus))\(lastLine)")
    }
}
