// Linux calls Swift's Glibc module does not import: epoll and eventfd (their headers are not in its module map),
// accept4 and gettid (they need _GNU_SOURCE, which cannot be defined for one header inside a module without making
// glibc's types differ between modules, so they are wrapped in shim.c). Constants and the packed epoll_event come
// from the system headers themselves.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/types.h>

/// accept4(2): accept with SOCK_NONBLOCK / SOCK_CLOEXEC set atomically.
int fractile_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// Lowers the calling thread's scheduling priority to `nice` (setpriority(2) on its thread id): Linux applies nice
/// per thread, so worker threads can yield to the event loops.
int fractile_set_thread_nice(int nice);
