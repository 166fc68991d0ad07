/*
 * The root switch (fsroot=on, docs/fs.md "The name space"): once the file
 * server answers, / becomes the shared volume. The kernel does it before it
 * starts init, so no process holds the old root (as cwd, exe or an open
 * directory) and nothing needs to be pivoted under a running program.
 *
 * The new root is a client vnode of the volume's root (handle (1, 0))
 * whose lookup first looks in a small static table of mount points --
 * dev, proc, tmp, boot (the boot image), shared (the volume again) --
 * and then asks the server; every other op is the client's own. The
 * mounted trees are re-parented to the new root, so "..", getcwd and
 * /proc/mounts name them from /. A node whose server does not answer
 * within fsrootwait= seconds (30) keeps the boot image as / and says so.
 * A node without a network starts its file server and client here when it
 * is the server itself (a single test node with a disk).
 */
#include "fs/fs_rmt.h"
#include "fs/fssrv.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/sched.h"

#define ROOT_WAIT_DEFAULT 30    /* seconds */

static struct vnode_ops root_ops;
/* The mount points themselves: always covered, never looked into. */
static const struct vnode_ops mp_ops = {
    .lookup = fs_static_lookup,
    .getdent = fs_static_getdent,
};

/* Mount points first (static children of the root), then the server. */
static int
root_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
    if (fs_static_lookup(dir, name, len, out) == 0)
        return 0;
    return fs_rmt_dir_ops.lookup(dir, name, len, out);
}

static int
root_lookup_ahead(struct vnode *dir, const char *from, size_t len, bool follow,
                  struct fs_ahead *ah, struct vnode **out)
{
    if (fs_static_lookup(dir, from, len, out) == 0)
        return 0;
    return fs_rmt_lookup_ahead(dir, from, len, follow, ah, out);
}

/* One GETATTR of the volume's root: 0 once the server answers. */
static int
root_ping(struct vnode *root)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_GETATTR, root);
    int err = c ? fs_rmt_call_do(c) : -ENOMEM;
    if (!err)
        fs_rmt_attr_in(root, &c->rep.attr);
    fs_rmt_call_free(c);
    return err;
}

static int
root_wait(struct vnode *root, uint64_t secs)
{
    uint64_t end = arch_time_ns() + secs * 1000000000ull;
    int err;
    while ((err = root_ping(root)) != 0 && arch_time_ns() < end)
        if (sched_sleep_ns(500000000ull) != 0)
            break;
    return err;
}

/* Cover a new static mount point NAME of root with the tree at old_path
 * (resolved in the boot image's name space, mounts followed). */
static int
root_attach(struct vnode *root, const char *name, const char *old_path)
{
    struct vnode *tree;
    int err = fs_namei(NULL, NULL, old_path, FS_NAMEI_FOLLOW, &tree, NULL);
    if (err)
        return err;
    struct vnode *mp = fs_vn_alloc(S_IFDIR | 0755, FS_DEV_SHARED, &mp_ops);
    if (!mp) {
        fs_vn_unref(tree);
        return -ENOMEM;
    }
    fs_vn_add_child(root, mp, name, strlen(name));
    fs_vn_mount(mp, tree);      /* tree's ".." is now the new root */
    fs_vn_unref(tree);
    return 0;
}

static bool
root_wanted(const struct cmdline *cl)
{
    const char *on = cmdline_get(cl, "fsroot");
    return on && (!strcmp(on, "on") || !strcmp(on, "1"));
}

int
fs_root_start(int self, const struct cmdline *cl, bool rpc_up)
{
    if (!root_wanted(cl))
        return 0;
    if (!rpc_up) {              /* one node alone (no NIC): it may serve itself */
        (void)fssrv_start(self, cl);
        (void)fs_rmt_start(self, cl);
    }
    uint64_t secs = ROOT_WAIT_DEFAULT;
    if (cmdline_get_u64(cl, "fsrootwait", ROOT_WAIT_DEFAULT, &secs) || secs > 3600)
        secs = ROOT_WAIT_DEFAULT;
    root_ops = fs_rmt_dir_ops;
    root_ops.lookup = root_lookup;
    root_ops.lookup_ahead = root_lookup_ahead;
    struct fsproto_attr a = { .mode = S_IFDIR | 0755, .nlink = 2 };
    struct vnode *root = fs_rmt_vnode(NULL, (struct fsproto_fh){ 1, 0 }, &a);
    if (!root)
        return -ENOMEM;
    root->ops = &root_ops;
    int err = root_wait(root, secs);
    if (err) {
        kprintf("wisp: fs: root: the file server did not answer in %lu s (error %d): "
                "/ stays the boot image\n", (unsigned long)secs, -err);
        fs_rmt_release(root);
        return err;
    }
    static const char *const mounts[][2] = {
        { "dev", "/dev" }, { "proc", "/proc" }, { "tmp", "/tmp" },
        { "shared", "/shared" }, { "boot", "/" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(mounts) && !err; i++)
        err = root_attach(root, mounts[i][0], mounts[i][1]);
    if (err) {
        /* A half-built table stays unreachable: / is still the boot image. */
        kprintf("wisp: fs: root: cannot attach the mounts: error %d; / stays the boot image\n",
                -err);
        return err;
    }
    fs_root = root;
    fs_rmt_rooted = true;
    kprintf("wisp: fs: root: / is the shared volume; the boot image is on /boot\n");
    return 0;
}
