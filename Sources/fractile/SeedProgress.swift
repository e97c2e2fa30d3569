import Dispatch
import Foundation
import Synchronization

/// Counts a seed run's tiles and shows them on stderr: a bar redrawn in place on a terminal, otherwise a plain line
/// each 5 % or 10 s (logs of a batch job). Other lines (warnings) go through `log`, which keeps the bar intact.
final class SeedProgress: Sendable {
    struct Counts {
        var rendered = 0
        var skipped = 0
        var done: Int { rendered + skipped }
    }

    private struct State {
        var counts = Counts()
        var lastLineTime = 0.0
        var lastLineDone = 0
        var barShown = false
    }

    let label: String
    let total: Int
    /// What is counted: "tiles" (rendered or already cached), or "frames" (only made).
    let unit: String
    let isTerminal: Bool
    private let started = DispatchTime.now().uptimeNanoseconds
    private let state = Mutex(State())

    init(label: String, total: Int, unit: String = "tiles", isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.total = total
        self.unit = unit
        self.isTerminal = isTerminal
    }

    var counts: Counts { state.withLock { $0.counts } }

    var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }

    func tileDone(rendered: Bool) {
        state.withLock { state in
            if rendered { state.counts.rendered += 1 } else { state.counts.skipped += 1 }
        }
    }

    /// Redraws the bar, or writes a line if 5 % more tiles are done or 10 s have passed since the last one.
    func report(final: Bool = false) {
        let elapsed = elapsedSeconds
        let text: String? = state.withLock { state in
            let done = state.counts.done
            if isTerminal {
                state.barShown = !final
                return "\r\u{1B}[K" + bar(state.counts, elapsed: elapsed) + (final ? "\n" : "")
            }
            let step = max(1, total / 20)
            let isDue = done - state.lastLineDone >= step || elapsed - state.lastLineTime >= 10
            guard done > state.lastLineDone || (final && done == 0), isDue || final else { return nil }
            state.lastLineDone = done
            state.lastLineTime = elapsed
            return line(state.counts, elapsed: elapsed) + "\n"
        }
        if let text { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// A line of its own on stderr, with the bar redrawn below it.
    func log(_ message: String) {
        let redraw = state.withLock { $0.barShown }
        FileHandle.standardError.write(Data(((redraw ? "\r\u{1B}[K" : "") + "fractile seed: \(message)\n").utf8))
        if redraw { report() }
    }

    /// Tiles per second so far (rendered and skipped alike).
    func rate(_ counts: Counts, elapsed: Double) -> Double {
        elapsed > 0 ? Double(counts.done) / elapsed : 0
    }

    private func line(_ counts: Counts, elapsed: Double) -> String {
        let percent = total > 0 ? 100 * counts.done / total : 100
        let breakdown = unit == "tiles" ? "\(counts.rendered) rendered, \(counts.skipped) already cached, " : ""
        return "\(label): \(counts.done)/\(total) \(unit) (\(percent)%), \(breakdown)"
            + "\(Self.format(rate: rate(counts, elapsed: elapsed))) \(unit)/s, elapsed \(Self.clock(elapsed)), ETA \(eta(counts, elapsed: elapsed))"
    }

    private func bar(_ counts: Counts, elapsed: Double) -> String {
        let width = 30
        let filled = total > 0 ? width * counts.done / total : width
        let percent = total > 0 ? 100 * counts.done / total : 100
        return "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] \(counts.done)/\(total) \(percent)% \(Self.format(rate: rate(counts, elapsed: elapsed))) \(unit)/s "
            + "ETA \(eta(counts, elapsed: elapsed))"
    }

    private func eta(_ counts: Counts, elapsed: Double) -> String {
        let rate = rate(counts, elapsed: elapsed)
        guard counts.done < total else { return "0:00" }
        guard rate > 0 else { return "?" }
        return Self.clock(Double(total - counts.done) / rate)
    }

    static func format(rate: Double) -> String {
        String(format: rate < 10 ? "%.2f" : "%.1f", rate)
    }

    /// `m:ss`, or `h:mm:ss` from an hour up.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(min(seconds, 359_999).rounded())
        let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}
