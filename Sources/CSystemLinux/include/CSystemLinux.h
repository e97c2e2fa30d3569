// Linux calls Swift's Glibc module does not import: epoll and eventfd (their headers are not in its module map),
// accept4 and gettid (they need _GNU_SOURCE, which cannot be defined for one header inside a module without making
// glibc's types differ between modules, so they are wrapped in shim.c). Constants and the packed epoll_event come
// from the system headers themselves.
//
// Only headers the Glibc module lacks are included here: including one it has (sys/socket.h) would give its
// declarations a second owner, and Swift then finds neither.
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4(2): accept with SOCK_NONBLOCK / SOCK_CLOEXEC set atomically. `address` is a `struct sockaddr *` and
/// `length` a `socklen_t *` (32 bits on Linux), spelled without <sys/socket.h> for the reason above.
int fractile_accept4(int fd, void *address, unsigned int *length, int flags);

/// Lowers the calling thread's scheduling priority to `nice` (setpriority(2) on its thread id): Linux applies nice
/// per thread, so worker threads can yield to the event loops.
int fractile_set_thread_nice(int nice);
/// The calling thread's id (gettid(2)).
int fractile_thread_id(void);
