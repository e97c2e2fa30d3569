import CSystemLinux
import Glibc

/// epoll, eventfd and accept4 through the `CSystemLinux` shim: the kernel's own declarations, constants and packed
/// `epoll_event` layout, so nothing here is typed by hand.
enum Epoll {
    static let inEvent = EPOLLIN.rawValue
    static let outEvent = EPOLLOUT.rawValue
    static let errorEvent = EPOLLERR.rawValue
    static let hangUpEvent = EPOLLHUP.rawValue
    static let readHangUpEvent = EPOLLRDHUP.rawValue
    static let exclusive = UInt32(EPOLLEXCLUSIVE.rawValue)
    static let add = EPOLL_CTL_ADD
    static let delete = EPOLL_CTL_DEL
    static let modify = EPOLL_CTL_MOD

    static func create() -> Int32 {
        epoll_create1(Int32(EPOLL_CLOEXEC))
    }

    static func eventFD() -> Int32 {
        eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
    }

    /// Fills `events`; returns how many are ready, 0 on timeout, -1 with errno set.
    static func wait(_ epoll: Int32, _ events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) -> Int32 {
        epoll_wait(epoll, events.baseAddress, Int32(events.count), timeoutMilliseconds)
    }

    static func accept(_ listener: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: inout socklen_t) -> Int32 {
        fractile_accept4(listener, address, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
    }

    static func control(epoll: Int32, operation: Int32, fd: Int32, events: UInt32, token: UInt64) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        return epoll_ctl(epoll, operation, fd, &event) == 0
    }
}
