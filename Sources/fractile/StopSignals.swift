import Dispatch
import Glibc

/// SIGINT and SIGTERM delivered on a Dispatch source rather than in a handler, so stopping may take locks and wait.
/// `stop` gets the exit status to use (130 or 143, as a shell reports them) and the signal's name. Keep the
/// returned sources alive for as long as the signals should be caught.
enum StopSignals {
    static func install(_ stop: @escaping @Sendable (_ status: Int32, _ name: String) -> Void) -> [DispatchSourceSignal] {
        [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, Int32(143), "SIGTERM")].map { signalNumber, status, name in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop(status, name) }
            source.resume()
            return source
        }
    }
}
