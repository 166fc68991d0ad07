/*
 * faccessat2(2): faccessat with a flags argument that Linux (5.8 on) checks,
 * and which glibc 2.33 on tries first for access()-like tests (bash's
 * `test -w`, `[[ -x ]]`). Everyone is root on Wisp, with equal real and
 * effective ids, so AT_EACCESS changes nothing and the check is
 * sys_faccessat's. AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH are not handled
 * here: ENOSYS, as on Linux before 5.8, makes glibc do the check itself
 * with fstatat. Unknown flags are EINVAL.
 */
#include "kernel/errno.h"
#include "kernel/sys.h"

#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EACCESS          0x200
#define AT_EMPTY_PATH       0x1000

long
sys_faccessat2(int dirfd, uint64_t upath, int mode, int flags)
{
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -ENOSYS;
    return sys_faccessat(dirfd, upath, mode, 0);
}
