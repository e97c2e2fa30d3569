/// One client connection. Owned and touched only by its event loop's thread.
final class Connection {
    enum State {
        /// Reading: idle between requests, or part of a request head received.
        case awaitingRequest
        /// The handler has the request; reading is paused until the response is written (RFC 9112 §9.3.2 order).
        case processing
        /// The response is partly written; the rest goes out on EPOLLOUT.
        case writing
        /// A closing response is written and our side shut down; the client's remaining bytes are read
        /// and dropped until it closes or a short deadline, so closing does not reset the connection and
        /// destroy the response before the client reads it (nginx `lingering_close`).
        case lingering
    }

    let id: UInt64
    let fd: Int32
    let context: HTTPRequestContext
    var state = State.awaitingRequest
    /// The epoll events currently asked for.
    var interest: UInt32 = 0

    /// Received bytes not yet consumed start at `inputStart`.
    var input: [UInt8] = []
    var inputStart = 0
    /// Where the next search for the end of the head may start, relative to `inputStart`.
    var headSearchFrom = 0
    /// Buffered size at which the parser is asked again even without a head end, to enforce limits.
    var nextLimitCheck = 0
    /// Whether `100 Continue` went out for the request being read (once per request).
    var continueSent = false

    /// When the current state times out (monotonic seconds); `.infinity` while the handler works.
    var deadline: Double
    /// Whether a request head has started arriving (header timeout) rather than idling (idle timeout).
    var headStarted = false

    /// The exchange in progress.
    var exchange: UInt64 = 0
    var requestMethod = "-"
    var requestTarget = "-"
    var requestStart: Double = 0
    var isHeadRequest = false
    var requestKeepAlive = false
    var requestVersion = HTTPVersion.http1_1
    var output: WireResponse?
    var outputSent = 0
    var logNote: String?
    var closeAfterWrite = false

    init(id: UInt64, fd: Int32, remoteAddress: String, deadline: Double) {
        self.id = id
        self.fd = fd
        self.context = HTTPRequestContext(remoteAddress: remoteAddress)
        self.deadline = deadline
    }

    var bufferedCount: Int { input.count - inputStart }

    func consumeInput(_ count: Int) {
        inputStart += count
        headSearchFrom = 0
        continueSent = false
        if inputStart == input.count {
            input.removeAll(keepingCapacity: input.capacity <= 65536)
            inputStart = 0
        } else if inputStart >= 16384 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }
}
