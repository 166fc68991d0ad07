/*
 * getsockname and getpeername on descriptors that are never sockets: Wisp
 * has no socket descriptors yet (its network is reached through its own
 * calls, net/), so an open fd gives ENOTSOCK and any other EBADF, as Linux
 * answers for a file. Programs ask to learn whether stdin is a network
 * connection: bash does at start (a run by rshd/sshd reads ~/.bashrc), and
 * takes any answer but ENOTSOCK, EINVAL or EBADF for "yes".
 */
#include "kernel/errno.h"
#include "kernel/sys.h"

#define F_GETFD 1

static long
not_a_socket(int fd)
{
    long r = sys_fcntl(fd, F_GETFD, 0);
    return r < 0 ? r : -ENOTSOCK;
}

long
sys_getsockname(int fd, uint64_t uaddr, uint64_t ulen)
{
    return not_a_socket(fd);
}

long
sys_getpeername(int fd, uint64_t uaddr, uint64_t ulen)
{
    return not_a_socket(fd);
}
