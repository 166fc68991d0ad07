/*
 * The one errno set (STYLE.md 2.5): Linux x86_64 values, so that a value
 * returned to a musl program, or carried in an RPC reply, means the same
 * thing everywhere. Functions return 0 or -E...
 */
#pragma once

#define EPERM            1
#define ENOENT           2
#define ESRCH            3
#define EINTR            4
#define EIO              5
#define ENXIO            6
#define E2BIG            7
#define ENOEXEC          8
#define EBADF            9
#define ECHILD          10
#define EAGAIN          11
#define ENOMEM          12
#define EACCES          13
#define EFAULT          14
#define EBUSY           16
#define EEXIST          17
#define EXDEV           18
#define ENODEV          19
#define ENOTDIR         20
#define EISDIR          21
#define EINVAL          22
#define ENFILE          23
#define EMFILE          24
#define ENOTTY          25
#define EFBIG           27
#define ENOSPC          28
#define ESPIPE          29
#define EROFS           30
#define EMLINK          31
#define EPIPE           32
#define ERANGE          34
#define EDEADLK         35
#define ENAMETOOLONG    36
#define ENOSYS          38
#define ENOTEMPTY       39
#define ELOOP           40
#define ENODATA         61
#define EPROTO          71
#define EBADMSG         74
#define EOVERFLOW       75
#define ENOTSOCK        88
#define EMSGSIZE        90
#define EOPNOTSUPP      95
#define EADDRINUSE      98
#define ENETDOWN       100
#define ETIMEDOUT      110
#define EHOSTDOWN      112
#define EHOSTUNREACH   113
#define ESTALE         116
