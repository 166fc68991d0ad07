/*
 * Helpers shared by the fs host tests (fs/fs_*_test.c only; the kernel
 * never includes this): a cpio "newc" writer, the standard test image, and
 * a one-time fs_init with a current fake process (pid 10, pgid 10) whose
 * fs_ctx has fds 0-2 on the console.
 */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/sys.h"
#include "tests/host/test.h"
#include "tests/host/fake_proc.h"
#include "tests/host/fake_console.h"

#define TIMG_MAX (256 * 1024)

struct timg {
    char buf[TIMG_MAX];
    size_t len;
};

static void
timg_pad(struct timg *t)
{
    while (t->len % 4)
        t->buf[t->len++] = '\0';
}

static void
timg_add(struct timg *t, const char *name, unsigned mode, const void *data, size_t size)
{
    static unsigned ino = 100;
    size_t nl = strlen(name) + 1;
    t->len += (size_t)sprintf(t->buf + t->len,
                              "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                              ino++, mode, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u,
                              (unsigned)nl, 0u);
    memcpy(t->buf + t->len, name, nl);
    t->len += nl;
    timg_pad(t);
    if (size)
        memcpy(t->buf + t->len, data, size);
    t->len += size;
    timg_pad(t);
}

static void
timg_end(struct timg *t)
{
    timg_add(t, "TRAILER!!!", 0, NULL, 0);
}

#define TBIG_SIZE 40000

static char tbig[TBIG_SIZE];

/* The standard image: bin/sh (0755), etc/motd, etc/big (TBIG_SIZE bytes,
 * byte i = i % 251), noexec (0644), implied usr/share/doc, symlinks
 * lib/motd -> ../etc/motd, loop -> loop, abs -> /etc, and a dev/ entry that
 * /dev hides. */
static void
timg_standard(struct timg *t)
{
    t->len = 0;
    for (int i = 0; i < TBIG_SIZE; i++)
        tbig[i] = (char)(i % 251);
    timg_add(t, ".", S_IFDIR | 0755, NULL, 0);
    timg_add(t, "bin", S_IFDIR | 0755, NULL, 0);
    timg_add(t, "bin/sh", S_IFREG | 0755, "\177ELFshell", 9);
    timg_add(t, "./etc/motd", S_IFREG | 0644, "hello\n", 6);
    timg_add(t, "etc/big", S_IFREG | 0644, tbig, TBIG_SIZE);
    timg_add(t, "noexec", S_IFREG | 0644, "data", 4);
    timg_add(t, "usr/share/doc/README", S_IFREG | 0644, "readme", 6);
    timg_add(t, "lib/motd", S_IFLNK | 0777, "../etc/motd", 11);
    timg_add(t, "loop", S_IFLNK | 0777, "loop", 4);
    timg_add(t, "abs", S_IFLNK | 0777, "/etc", 4);
    timg_add(t, "dev/console", S_IFCHR | 0600, NULL, 0);
    timg_end(t);
}

static struct timg tstd;
static struct proc *tproc;

/* fs_init on the standard image once; make pid 10 current with a fresh
 * console context each call. */
UNUSED static void
tsetup(void)
{
    static bool done;
    if (!done) {
        timg_standard(&tstd);
        ASSERT(fs_init(tstd.buf, tstd.len) == 0, "the standard image mounts");
        done = true;
    }
    if (tproc && tproc->fs)
        fs_ctx_free(tproc->fs);
    fake_proc_reset();
    fs_tty_reset();
    fake_console_reset();
    tproc = fake_proc_make(0, 10, 1, 10, "test");
    tproc->fs = fs_ctx_new_console();
    ASSERT(tproc->fs != NULL, "console context");
    fake_proc_cur = tproc;
}

/* Release the current context so LeakSanitizer stays quiet. */
UNUSED static void
tteardown(void)
{
    if (tproc && tproc->fs) {
        fs_ctx_free(tproc->fs);
        tproc->fs = NULL;
    }
}

#define U(p) ((uint64_t)(uintptr_t)(p))

UNUSED static long
topen(const char *path, int flags)
{
    return sys_open(U(path), flags, 0);
}
