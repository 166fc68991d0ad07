/*
 * The file-system interface the rest of the kernel uses: the root name
 * space (for now the initrd, read-only, plus /dev and /proc), per-process
 * file contexts (descriptor table and cwd), and whole-file reads for exec.
 * The file system calls themselves are in kernel/sys.h. Later the shared
 * caching file system (DESIGN.md 6) plugs in under the same interface.
 */
#pragma once
#include "kernel/compiler.h"

struct fs_ctx;

/* Descriptors per process (RLIMIT_NOFILE's ceiling, kernel/proc_rlimit.c). */
#define FS_NOFILE 64

/* Mount the root from the initrd image (a cpio "newc" archive) at
 * img[0..len). Returns 0, or -EINVAL with a one-line reason printed when the
 * archive is corrupt (the kernel then says so and halts cleanly: no panic). */
MUST_CHECK int fs_init(const void *img, size_t len);

/* Mount a new tmpfs holding at most limit bytes (data pages plus a little
 * per file) on path, a directory of the root (made if missing). Returns 0,
 * -ENOENT, -ENOTDIR, -EBUSY (already a mount point) or -ENOMEM. Sleeps. */
MUST_CHECK int fs_tmp_mount(const char *path, uint64_t limit);
/* The byte count a tmpsize= value asks for: "N", "NK", "NM", "NG" or "P%"
 * of ram bytes. Returns 0 with *out set, or -EINVAL. */
MUST_CHECK int fs_tmp_parse_size(const char *s, uint64_t ram, uint64_t *out);

/* A new context with cwd "/" and fds 0, 1, 2 open on the console. NULL when
 * out of memory. */
struct fs_ctx *fs_ctx_new_console(void);
/* A copy for fork: same cwd, every fd refers to the same open file
 * description (shared offset), as POSIX says. NULL when out of memory. */
struct fs_ctx *fs_ctx_fork(struct fs_ctx *parent);
/* Close the fds marked close-on-exec. */
void fs_ctx_exec(struct fs_ctx *c);
/* RLIMIT_NOFILE's soft limit: new fds are below it (EMFILE; dup2 past it EBADF). */
void fs_ctx_set_nofile(struct fs_ctx *c, uint64_t n);
/* Close everything and free. */
void fs_ctx_free(struct fs_ctx *c);

/* Resolve path (relative to c's cwd) and read the whole regular file into
 * a kmalloc'd buffer. Returns 0, -ENOENT, -ENOTDIR, -EISDIR, -EACCES (not
 * executable when exec is true), -EFBIG (over 64 MiB), -ENOMEM. Sleeps. */
MUST_CHECK int fs_read_file(struct fs_ctx *c, const char *path, bool exec, void **buf,
                            size_t *len);

/* exec's shared image of an initrd file (fs_initrd.c): the file copied
 * once, at its first exec, into contiguous page frames that are kept for
 * good (the initrd never changes) and charged to the node's commit once;
 * each frame holds a reference of the cache, so processes may map them
 * (read-only or copy-on-write) and unref them freely. *pa is the first
 * frame (the file's first byte), *len the file's size. Checks as
 * fs_read_file with exec true. -EOPNOTSUPP when the file is not on the
 * initrd, is empty, or no memory for a copy: the caller reads it with
 * fs_read_file. Sleeps. */
MUST_CHECK int fs_exec_image(struct fs_ctx *c, const char *path, uint64_t *pa, size_t *len);

/* Feed one received character to the console line discipline. Called from
 * interrupt context (the serial driver). */
void fs_console_input(int c);
/* The current process's file-creation mask (umask(2), inherited across
 * fork): a file or directory created with mode m gets m & ~fs_umask(). */
uint32_t fs_umask(void);
/* Resolve path (relative to c's cwd, following symlinks) and write the
 * file's absolute path into out[0..n). 0, -ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG (does not fit), -ENOMEM. Sleeps. */
MUST_CHECK int fs_realpath(struct fs_ctx *c, const char *path, char *out, size_t n);
/* The console becomes the controlling tty of session sid, with pgrp in the
 * foreground (init's session at boot; fs/fs_tty.c). */
void fs_console_acquire(int sid, int pgrp);
/* Session sid ends (its leader exits): if the console is its controlling
 * tty, the console is let go. Returns the foreground group then, to get
 * SIGHUP and SIGCONT, or 0. Takes the tty lock: call it without one. */
int fs_console_release(int sid);

/*
 * Streams across nodes (fs_ctx_pack.c, fs_mig.c; docs/fs.md "Streams
 * across nodes"). Buffers are mig's (kernel/migrate.h).
 */
struct mig_buf;
struct mig_cur;
struct mig_ctx;
struct proc;
/* Remote exec to node target: append ctx's fds that are not close-on-exec,
 * its cwd (as a path) and umask to b. Streams this node exports are held
 * for target (one reference with holder target, no claim needed; -1: in
 * transit as below); streams of other exporters get one reference "in
 * transit" for the receiver. 0 or -errno (nothing held then). Sleeps
 * (RPCs to exporters). */
MUST_CHECK int fs_ctx_pack(struct fs_ctx *ctx, struct mig_buf *b, int target);
/* The receiver of a packed context will not keep it (its remote exec
 * failed): its files made from held references close without a call,
 * because the sender's fs_ctx_pack_discard drops those references. */
void fs_ctx_forget_held(struct fs_ctx *ctx);
/* A foreign process exits: mark the remote streams of ctx that node
 * exports and that only ctx holds to close without a call, and put their
 * export ids in ids (at most max); node drops those references when it
 * hears of the exit (fs_export_drop_refs). Returns how many. */
int fs_ctx_exit_drops(struct fs_ctx *ctx, int node, uint64_t *ids, int max);
/* This node gives back one of its references on node's export id (what a
 * remote file's last close does). 0 or -errno. Sleeps. */
int fs_remote_drop(int node, uint64_t id);
/* At the exporter: node gives back one reference on each of ids[0..n). */
void fs_export_drop_refs(int node, const uint64_t *ids, int n);
/* The same with every fd, close-on-exec ones with their bit (migration). */
MUST_CHECK int fs_ctx_pack_fds(struct fs_ctx *ctx, struct mig_buf *b, bool all);
/* At the receiver: a new context from a message fs_ctx_pack made, its
 * streams claimed (boot-image files reopened by path). NULL with *err:
 * -EBADMSG (short or malformed: nothing claimed; the sender should
 * discard), or another error after which the references are already given
 * back. Sleeps. */
struct fs_ctx *fs_ctx_unpack(struct mig_cur *c, int *err);
/* The sender gives back the transit references of a packed message whose
 * receiver never unpacked it. Sleeps. */
void fs_ctx_pack_discard(const void *packed, size_t len);
/* The STREAMS row of the encapsulation table (kernel/migrate.h). */
MUST_CHECK int fs_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m);
MUST_CHECK int fs_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m);
void fs_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed);
void fs_mig_target_abort(struct proc *p, struct mig_ctx *m);

/*
 * The shared file system's client (fs_rmt.c, fs_rmt_file.c; docs/fs.md
 * "Shared file system"): vnodes whose ops are fsproto requests to the
 * file server, caching file blocks with Sprite's consistency. Every node
 * mounts the server's volume on /shared, and with fsroot=on on / as well
 * (fs_root.c).
 */
struct cmdline;
/* Mount the volume of the fsserver= node (0 by default) on /shared, unless
 * fsmount=off. Called once RPC is up; the server need not be up yet. */
int fs_rmt_start(int self, const struct cmdline *c);
/* fsroot=on: wait (fsrootwait= seconds) for the server, then make its
 * volume / (boot image on /boot); before init starts (fs_root.c). Without
 * RPC (rpc_up false) a node that is its own file server starts its server
 * and client first. */
int fs_root_start(int self, const struct cmdline *c, bool rpc_up);
/* Write back every dirty block of the shared file system and make the
 * server commit (sync). */
int fs_rmt_sync(void);
/* The server's callbacks (RPC ops FS_RECALL, FS_DISABLE). */
int fs_rpc_recall(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fs_rpc_disable(int from, const void *q, size_t qlen, void *r, size_t *rlen);

/*
 * File mappings (fs_mmap.c; docs/memory.md "File mappings"): one map per
 * mapped file on this node, shared by all its mappings here (one frame per
 * page), its pages read on demand through the file's read op and written
 * back through its write op. kernel/vm_file.c is the address-space half.
 */
struct fs_map;
#define FS_MAP_WRITE 1u         /* a MAP_SHARED mapping with PROT_WRITE */
/* mmap of the current process's fd: the file's map, referenced, and
 * *maywrite when the fd could write it (mprotect may add PROT_WRITE to a
 * shared mapping then). -EBADF, -EACCES (fd not open for reading, or
 * FS_MAP_WRITE and it is not open for writing or is O_APPEND), -ENODEV
 * (not a regular file of the initrd, a tmpfs or /shared). */
MUST_CHECK int fs_map_fd(int fd, unsigned flags, struct fs_map **out, bool *maywrite);
/* exec: the program at path, resolved once (checks as fs_read_file with
 * exec true): its initrd page image (*pa, as fs_exec_image; *map NULL) or
 * else its map, open for reading (*map); *size the file's size.
 * -EOPNOTSUPP when neither: the caller reads it with fs_read_file. exe
 * gets the program's path, as fs_vn_realpath, or "" when it is unknown.
 * Sleeps. */
MUST_CHECK int fs_exec_open(struct fs_ctx *c, const char *path, uint64_t *pa,
                            struct fs_map **map, uint64_t *size, char *exe, size_t exe_n);
void fs_map_ref(struct fs_map *m);
/* Drop a reference; the last writes the dirty pages back and frees the
 * map. Sleeps. */
void fs_map_put(struct fs_map *m);
/* The frame of page idx, read in if absent, with a reference for the
 * caller's page table. 0, -ENXIO (past the end of the file, or the read
 * failed: SIGBUS), -ENOMEM. Sleeps. */
MUST_CHECK int fs_map_page(struct fs_map *m, uint64_t idx, uint64_t *pa);
/* Page idx (present) was written through a shared mapping. */
void fs_map_dirty(struct fs_map *m, uint64_t idx);
/* Write the dirty pages of [lo, hi) back through the file (and its fsync
 * op when durable). 0 or the first error. Sleeps. */
int fs_map_sync(struct fs_map *m, uint64_t lo, uint64_t hi, bool durable);
/* Read file bytes (exec's headers and partial pages): as read(2). */
MUST_CHECK long fs_map_read(struct fs_map *m, void *buf, size_t n, uint64_t off);
uint64_t fs_map_size(struct fs_map *m);
