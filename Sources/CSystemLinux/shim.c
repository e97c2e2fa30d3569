#define _GNU_SOURCE
#include "CSystemLinux.h"
#include <sys/resource.h>
#include <unistd.h>

int fractile_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int fractile_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)gettid(), nice);
}
