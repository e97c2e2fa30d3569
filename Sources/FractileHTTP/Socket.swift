import Glibc

/// A failed system call with the errno it left (compare FlyingFox `SocketError.makeFailed`).
public struct SocketError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var errorNumber: Int32

    init(_ operation: String, errorNumber: Int32 = errno) {
        self.operation = operation
        self.errorNumber = errorNumber
    }

    public var description: String { "\(operation) failed: \(String(cString: strerror(errorNumber))) (errno \(errorNumber))" }
}

/// Thin helpers over POSIX sockets; everything above them is plain Swift.
enum Socket {
    static let streamFlags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// A non-blocking listening socket with SO_REUSEADDR; returns it and the port actually bound.
    static func listen(host: String, port: Int, backlog: Int32 = 511) throws(SocketError) -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError("getaddrinfo(\(host)): \(String(cString: gai_strerror(status)))", errorNumber: EINVAL)
        }
        defer { freeaddrinfo(list) }

        let fd = socket(first.pointee.ai_family, streamFlags, 0)
        guard fd >= 0 else { throw SocketError("socket") }
        do throws(SocketError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, name: "SO_REUSEADDR")
            guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
                throw SocketError("bind \(host):\(port)")
            }
            guard Glibc.listen(fd, backlog) == 0 else { throw SocketError("listen") }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { throw SocketError("getsockname") }
            return (fd, describe(address).port)
        } catch {
            close(fd)
            throw error
        }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32, name: String) throws(SocketError) {
        var value = value
        guard setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError("setsockopt \(name)")
        }
    }

    /// Host text and port of an IPv4 or IPv6 socket address.
    static func describe(_ address: sockaddr_storage) -> (host: String, port: Int) {
        var address = address
        let family = Int32(address.ss_family)
        return withUnsafePointer(to: &address) { pointer in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            switch family {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                    var raw = ipv4.pointee.sin_addr
                    inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                    return (cText(text), Int(UInt16(bigEndian: ipv4.pointee.sin_port)))
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                    var raw = ipv6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return (cText(text), Int(UInt16(bigEndian: ipv6.pointee.sin6_port)))
                }
            default:
                return ("?", 0)
            }
        }
    }
}

private func cText(_ characters: [CChar]) -> String {
    String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
