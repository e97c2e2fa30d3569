import Foundation
import Glibc
import FractileHTTP

/// A small blocking socket client for driving a live server in tests: raw bytes in, one parsed response out.
/// Shared by every test target that talks to a server on 127.0.0.1 (`FractileHTTPTests`, `FractileServerTests`).
public final class TestClient {
    public struct Response {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: [UInt8]
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let fd: Int32
    private var buffer: [UInt8] = []

    public init(port: Int, receiveTimeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: Int(receiveTimeout), tv_usec: Int((receiveTimeout - receiveTimeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure(description: "connect: errno \(code)")
        }
    }

    deinit { Glibc.close(fd) }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads more bytes; false on EOF, reset or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<received])
        return true
    }

    /// Reads one response; `head` means a response to HEAD (no body whatever Content-Length says).
    public func readResponse(head: Bool = false) throws -> Response {
        var headEnd: Int?
        while true {
            if let range = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                headEnd = range.upperBound
                break
            }
            guard fill() else { throw Failure(description: "connection ended before a response head; got \(String(decoding: buffer, as: UTF8.self).debugDescription)") }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw Failure(description: "bad status line in \(headText.debugDescription)")
        }
        var headers = HTTPHeaders()
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.add(name: String(parts[0]), value: parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        let length = (head || status == 304 || status == 204) ? 0 : Int(headers["Content-Length"] ?? "0") ?? 0
        while buffer.count < headEnd! + length {
            guard fill() else { throw Failure(description: "connection ended inside a body") }
        }
        let body = Array(buffer[headEnd!..<(headEnd! + length)])
        buffer.removeFirst(headEnd! + length)
        return Response(status: status, headers: headers, body: body)
    }

    public func get(_ target: String, method: String = "GET", extraHeaders: String = "") throws -> Response {
        try send("\(method) \(target) HTTP/1.1\r\nHost: test\r\n\(extraHeaders)\r\n")
        return try readResponse(head: method == "HEAD")
    }

    /// Whether the server closes the connection (EOF or reset) before the receive timeout,
    /// with no unread response bytes pending.
    public func waitForClose() -> Bool {
        while true {
            var byte: UInt8 = 0
            let received = recv(fd, &byte, 1, 0)
            if received == 0 { return true }
            if received < 0 { return errno == ECONNRESET }
            buffer.append(byte)
        }
    }

    public var unreadBytes: Int { buffer.count }
}
