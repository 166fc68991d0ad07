/*
 * getrandom(2): bytes from the kernel generator (kernel/rand.c). The
 * generator is seeded before its first output and never blocks, so
 * GRND_NONBLOCK and GRND_RANDOM change nothing; unknown flags are EINVAL.
 * /dev/urandom and /dev/random read the same generator (fs/fs_dev.c).
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc.h"
#include "kernel/rand.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define GRND_NONBLOCK 0x1
#define GRND_RANDOM   0x2
#define GRND_INSECURE 0x4
#define GETRANDOM_MAX (32u << 20)        /* Linux's cap per call: 32 MiB - 1 */

long
sys_getrandom(uint64_t ubuf, uint64_t count, unsigned int flags)
{
    if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
        return -EINVAL;
    if (count >= GETRANDOM_MAX)
        count = GETRANDOM_MAX - 1;
    uint8_t chunk[256];
    uint64_t done = 0;
    while (done < count) {
        size_t n = (size_t)MIN(count - done, (uint64_t)sizeof(chunk));
        rand_bytes(chunk, n);
        if (copyout(ubuf + done, chunk, n)) {
            done = done ? done : (uint64_t)-EFAULT;
            break;
        }
        done += n;
        if (done < count && proc_signal_pending())
            break;                       /* as Linux: a partial read, not EINTR */
    }
    memset(chunk, 0, sizeof(chunk));
    return (long)done;
}
