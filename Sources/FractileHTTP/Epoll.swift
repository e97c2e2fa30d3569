import Glibc

/// epoll, eventfd and accept4, which Swift's Glibc module does not import (sys/epoll.h and sys/eventfd.h
/// are not in its module map; accept4 needs _GNU_SOURCE). Bound at run time with dlsym as C function pointers, so the C calling convention is
/// exact; the event layout follows the kernel ABI (packed on x86_64, as in <sys/epoll.h>).
enum Epoll {
    typealias Create = @convention(c) (Int32) -> Int32
    typealias Control = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias Wait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32

    struct Functions {
        let create: Create
        let control: Control
        let wait: Wait
        let eventfd: EventFD
        let accept4: Accept4
    }

    /// nil only on a libc without epoll, which `EventLoop.init` reports as an error.
    static let functions: Functions? = {
        guard let create = dlsym(nil, "epoll_create1"), let control = dlsym(nil, "epoll_ctl"),
              let wait = dlsym(nil, "epoll_wait"), let eventfd = dlsym(nil, "eventfd"),
              let accept4 = dlsym(nil, "accept4") else { return nil }
        return Functions(
            create: unsafeBitCast(create, to: Create.self), control: unsafeBitCast(control, to: Control.self),
            wait: unsafeBitCast(wait, to: Wait.self), eventfd: unsafeBitCast(eventfd, to: EventFD.self),
            accept4: unsafeBitCast(accept4, to: Accept4.self)
        )
    }()

    static let inEvent: UInt32 = 0x001  // EPOLLIN
    static let outEvent: UInt32 = 0x004  // EPOLLOUT
    static let errorEvent: UInt32 = 0x008  // EPOLLERR
    static let hangUpEvent: UInt32 = 0x010  // EPOLLHUP
    static let readHangUpEvent: UInt32 = 0x2000  // EPOLLRDHUP
    static let exclusive: UInt32 = 1 << 28  // EPOLLEXCLUSIVE
    static let add: Int32 = 1  // EPOLL_CTL_ADD
    static let delete: Int32 = 2  // EPOLL_CTL_DEL
    static let modify: Int32 = 3  // EPOLL_CTL_MOD
    static let closeOnExec: Int32 = 0o2000000  // EPOLL_CLOEXEC, EFD_CLOEXEC
    static let nonBlocking: Int32 = 0o4000  // EFD_NONBLOCK

    #if arch(x86_64)
    static let eventStride = 12
    static let dataOffset = 4
    #else
    static let eventStride = 16
    static let dataOffset = 8
    #endif

    /// Reads event `index` from a buffer filled by epoll_wait.
    static func event(at index: Int, in buffer: UnsafeMutableRawPointer) -> (events: UInt32, token: UInt64) {
        let base = UnsafeRawPointer(buffer) + index * eventStride
        return (base.loadUnaligned(as: UInt32.self), base.loadUnaligned(fromByteOffset: dataOffset, as: UInt64.self))
    }

    static func control(_ functions: Functions, epoll: Int32, operation: Int32, fd: Int32, events: UInt32, token: UInt64) -> Bool {
        var storage: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &storage) { raw in
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: token, toByteOffset: dataOffset, as: UInt64.self)
            return functions.control(epoll, operation, fd, raw.baseAddress) == 0
        }
    }
}
