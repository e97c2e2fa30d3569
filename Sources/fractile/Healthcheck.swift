import ArgumentParser
import Foundation
import Glibc

/// `fractile healthcheck`: exit 0 if the server answers 200, for a container HEALTHCHECK in an image that has no
/// curl. One plain HTTP/1.1 GET over a POSIX socket with a deadline; no URL session, so no libcurl at run time.
struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 if a fractile server answers 200 on /healthz (for container health checks).",
        discussion: "Without --url it asks http://127.0.0.1:$FRACTILE_PORT/healthz (port 8080 when unset)."
    )

    @Option(help: "The URL to fetch (http only).") var url: String?
    @Option(help: "Seconds to wait for the answer.") var timeout: Double = 3

    func run() throws {
        let target = url ?? "http://127.0.0.1:\(ProcessInfo.processInfo.environment["FRACTILE_PORT"] ?? "8080")/healthz"
        guard let parsed = URLComponents(string: target), parsed.scheme == "http", let host = parsed.host,
              !host.isEmpty
        else {
            throw CommandFailure("--url \(target): expected http://HOST[:PORT]/PATH")
        }
        guard timeout > 0, timeout <= 3600 else { throw CommandFailure("--timeout must be in (0, 3600] seconds") }
        let port = parsed.port ?? 80
        let path = parsed.percentEncodedPath.isEmpty ? "/" : parsed.percentEncodedPath
        let query = parsed.percentEncodedQuery.map { "?" + $0 } ?? ""
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let request = "GET \(path)\(query) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: fractile-healthcheck\r\n"
            + "Connection: close\r\n\r\n"
        let statusLine = try Self.exchange(request, host: host, port: port, timeout: timeout)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), parts[1] == "200" else {
            throw CommandFailure("\(target): \(statusLine.isEmpty ? "no answer" : statusLine)")
        }
        print("\(target): \(statusLine)")
    }

    /// Sends `request` and returns the response's status line.
    private static func exchange(_ request: String, host: String, port: Int, timeout: Double) throws(CommandFailure) -> String {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let address = list else {
            throw CommandFailure("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // On Linux the send timeout also bounds connect(2).
        var deadline = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(fd, SOL_SOCKET, option, &deadline, socklen_t(MemoryLayout<timeval>.size))
        }
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            throw CommandFailure("cannot connect to \(host):\(port): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(request.utf8)
        guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw CommandFailure("cannot send to \(host):\(port): \(String(cString: strerror(errno)))")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while !received.contains(UInt8(ascii: "\n")), received.count < 8192 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[0..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        let line = received.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        return String(decoding: line, as: UTF8.self)
    }
}
