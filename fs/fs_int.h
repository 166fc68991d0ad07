/*
 * Declarations shared inside the fs module only (STYLE.md 2.4): vnodes and
 * their operations, open file descriptions, per-process contexts, the
 * Linux ABI constants the file calls use, and each file's internal entry
 * points. Other modules include fs/fs.h (and kernel/sys.h), never this.
 */
#pragma once
#include "kernel/compiler.h"
#include "kernel/sync.h"
#include "fs/fs.h"

#include "fs/fs_abi.h"

struct vnode;
struct file;

/* What setattr changes (mask bits); times are ns since the epoch. */
#define FS_ATTR_SIZE  0x01      /* also sets mtime and ctime to now */
#define FS_ATTR_MODE  0x02      /* permission bits only */
#define FS_ATTR_UID   0x04
#define FS_ATTR_GID   0x08
#define FS_ATTR_ATIME 0x10      /* to atime, or now with FS_ATTR_ATIME_NOW */
#define FS_ATTR_MTIME 0x20
#define FS_ATTR_ATIME_NOW 0x40
#define FS_ATTR_MTIME_NOW 0x80
struct fs_attr {
    uint32_t mask, mode, uid, gid;
    uint64_t size, atime, mtime;
};

/* What statfs reports, in f_bsize units. */
struct fs_statfs {
    uint64_t type, bsize, blocks, bfree, files, ffree, flags;
};

/* One directory entry as the getdent op reports it. */
struct fs_dirent {
    uint64_t ino;
    uint8_t  type;              /* DT_*: (mode >> 12) & 15 */
    uint64_t next;              /* getdent may set: the idx after this one (else idx + 1) */
    char     name[FS_NAME_MAX + 1];
};

/* A walk's lookahead, answers to its coming lookups (fs_rmt_ahead.c): one resolution's only. */
struct fs_ahead {
    uint8_t *buf;               /* kmalloc'd by its first user; fs_namei frees it */
    size_t off, len;            /* the next answer; the end of the answers */
    bool open_read;             /* FS_NAMEI_OPEN_READ: the caller opens the result for reading */
    void (*drop)(struct fs_ahead *ah);  /* its user's: forget the answers left (fs_namei) */
};
/*
 * Operations on a vnode. Buffers are kernel memory (fs_sys bounces user
 * data through FS_IOCHUNK-sized chunks), so ops never touch user pointers
 * except ioctl's arg. Any op may be NULL: the VFS supplies the errno.
 * read/write return bytes moved or -errno; flags are the file's flags plus
 * O_NONBLOCK when the caller must not block. read/write/ioctl may sleep.
 */
struct vnode_ops {
    /* A referenced child named name[0..len), or -ENOENT. */
    int  (*lookup)(struct vnode *dir, const char *name, size_t len, struct vnode **out);
    /* lookup in a walk: the name from[0..len), then the path's rest; follow: of its last */
    int  (*lookup_ahead)(struct vnode *dir, const char *from, size_t len, bool follow,
                         struct fs_ahead *ah, struct vnode **out);
    /* The entry at position idx (after "." and ".."; the first one at or
     * past idx when positions have gaps): 0 and *de filled, 1 past the end. */
    int  (*getdent)(struct vnode *dir, uint64_t idx, struct fs_dirent *de);
    long (*read)(struct file *f, void *buf, size_t n, uint64_t off, int flags);
    long (*write)(struct file *f, const void *buf, size_t n, uint64_t off, int flags);
    long (*ioctl)(struct file *f, uint64_t cmd, uint64_t uarg);
    /* Symlink target into buf (not NUL-terminated); returns its length. */
    long (*readlink)(struct vnode *v, char *buf, size_t n);
    int  (*open)(struct file *f);       /* a new open file description */
    void (*close)(struct file *f);      /* its last reference went away */
    void (*release)(struct vnode *v);   /* a dynamic vnode's last reference */
    /* Writable file systems (tmpfs). Names are checked (not "." or "..",
     * at most FS_NAME_MAX) before they get here. create makes a regular
     * file, directory or symlink (to target) from mode's type, referenced
     * in *out: -EEXIST, -ENOSPC, -ENOENT (dir was removed). */
    int  (*create)(struct vnode *dir, const char *name, size_t len, uint32_t mode,
                   const char *target, struct vnode **out);
    int  (*link)(struct vnode *dir, const char *name, size_t len, struct vnode *v);
    int  (*unlink)(struct vnode *dir, const char *name, size_t len, bool rmdir);
    /* odir and ndir are on the same file system; flags 0 or NOREPLACE. */
    int  (*rename)(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
                   const char *nname, size_t nlen, int flags);
    int  (*setattr)(struct vnode *v, const struct fs_attr *a);
    void (*statfs)(struct vnode *v, struct fs_statfs *st);
    /* FS_POLL* events ready now, without sleeping. A file whose readiness
     * changes calls fs_poll_wake (pipes do); poll and select also check
     * again every few milliseconds, for those that do not. NULL: always
     * readable and writable. */
    int  (*poll)(struct file *f);
    bool noseek;                        /* lseek/pread give -ESPIPE (pipes, ttys) */
    /* ioctl with the argument in kernel memory (its size and direction
     * from fs_ioctl_arg; a value argument as a uint64_t), for callers on
     * other nodes (fs_remote_srv.c): no job-control checks, no caller. */
    long (*kioctl)(struct file *f, uint32_t cmd, void *karg);
    /* Remote files (fs_remote.c): the offset lives at the exporter, so
     * transfers pass FS_REMOTE_CUR, and lseek and fstat ask it. */
    bool remote;
    long (*lseek)(struct file *f, long off, unsigned int whence);
    int  (*getattr)(struct file *f);    /* refresh f->vn's attributes */
    /* Make the file's data durable (fsync); NULL: nothing to do. */
    int  (*fsync)(struct vnode *v);
};

/*
 * A file-system object. Static vnodes (initrd, /dev, the /proc root) live
 * for ever; dynamic ones (pipes, /proc/<pid>/...) are freed by ops->release
 * when refs reaches 0, and hold a reference on their parent.
 */
struct vnode {
    uint32_t refs;              /* atomic */
    bool     dynamic;
    bool     rofs;              /* on a read-only file system: writes give -EROFS */
    uint32_t mode;              /* S_IF* | permission bits */
    uint32_t dev;               /* FS_DEV_* */
    uint64_t ino;
    uint64_t size;              /* regular files and symlinks */
    uint64_t rdev;              /* character devices: makedev(major, minor) */
    const struct vnode_ops *ops;
    struct vnode *parent;       /* ".." and getcwd; NULL for the root */
    struct vnode *child;        /* static directories: first child ... */
    struct vnode *sibling;      /* ... and the chain through the siblings */
    const void *data;           /* initrd file contents / symlink target */
    void *priv;                 /* per-type state (pipe, tty, proc pid) */
    char name[FS_NAME_MAX + 1]; /* name in the parent, for getcwd */
    struct vnode *mounted;      /* root of a file system mounted here */
    /* Writable file systems keep these (own_attrs); elsewhere they are 0
     * and stat makes up nlink and blocks. */
    uint32_t nlink, uid, gid;
    bool     own_attrs;
    uint64_t blocks;            /* 512-byte units allocated */
    uint64_t atime, mtime, ctime;   /* ns since the epoch */
    struct fs_map *map;         /* its mapped pages on this node (fs_mmap.c), or NULL */
};

/* An open file description: shared by dup and fork (POSIX). */
struct file {
    uint32_t refs;              /* atomic */
    int      flags;             /* O_ACCMODE | O_APPEND | O_NONBLOCK; see lock */
    struct vnode *vn;           /* referenced; never changes */
    void    *priv;              /* per-type state of this open */
    struct spinlock lock;       /* protects off and flags */
    uint64_t off;
};

/* Per-process file context. */
struct fs_ctx {
    struct spinlock lock;       /* protects everything below */
    struct file *fd[FS_NFD];
    uint64_t cloexec;           /* bit i: fd i is close-on-exec */
    struct vnode *cwd;          /* referenced */
    uint32_t umask;
    int nofile;                 /* RLIMIT_NOFILE's soft limit, <= FS_NFD */
};

/* fs_vfs.c: vnode references, static trees, the root. */
extern struct vnode *fs_root;
/* Protects ->parent and ->name of vnodes that can be renamed (tmpfs
 * directories) against readers (.., getcwd). A leaf: taken last, briefly. */
extern struct spinlock fs_names_lock;
void fs_vn_ref(struct vnode *v);
void fs_vn_unref(struct vnode *v);
/* A new zeroed static vnode, refs 1; NULL when out of memory. */
struct vnode *fs_vn_alloc(uint32_t mode, uint32_t dev, const struct vnode_ops *ops);
/* Name v and link it as the last child of dir (a static directory). */
void fs_vn_add_child(struct vnode *dir, struct vnode *v, const char *name, size_t len);
/* The directory at path, referenced: made (empty, in a static directory of
 * the boot image) when it is missing; for mounts (fs_tmp.c). */
int fs_mount_point(const char *path, struct vnode **dir);
/* Static directory ops: children via ->child/->sibling. */
int  fs_static_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out);
int  fs_static_getdent(struct vnode *dir, uint64_t idx, struct fs_dirent *de);
uint8_t fs_dtype(uint32_t mode);
uint64_t fs_ino_next(void);
/* Cover directory dir with the file system rooted at root (at boot: the
 * trees are not locked); lookups that reach dir continue in root. */
void fs_vn_mount(struct vnode *dir, struct vnode *root);
/* Build the path of directory v from the root into buf; its length or -ERANGE. */
long fs_vn_path(struct vnode *v, char *buf, size_t n);
/* fs_realpath.c: the absolute path of file v as it was reached (its
 * directory's path and its name), when v knows them: 0, -ENOENT (a
 * directory, or a file without a parent link, e.g. a tmpfs one: use
 * fs_realpath), -ENAMETOOLONG. */
int fs_vn_realpath(struct vnode *v, char *out, size_t n);

/* fs_path.c: name resolution. */
#define FS_NAMEI_FOLLOW 1       /* follow a symlink in the last component */
#define FS_NAMEI_OPEN_READ 2    /* the result is about to be opened for reading (a hint) */
/* Resolve path relative to base (cwd when NULL). *out is referenced.
 * *last_missing (may be NULL) is set when only the last component was
 * missing. -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP, -ENOMEM. Sleeps. */
int fs_namei(struct fs_ctx *c, struct vnode *base, const char *path, int flags,
             struct vnode **out, bool *last_missing);

/* The directory *dir (referenced) holding path's last component, and that
 * name: name[0..*len) inside *buf, which the caller kfrees; *slash when the
 * path ended in '/'. The name may be "." or "..". -EBUSY for "/". */
int fs_namei_parent(struct fs_ctx *c, struct vnode *base, const char *path, char **buf,
                    struct vnode **dir, const char **name, size_t *len, bool *slash);

/* fs_file.c: open file descriptions. */
/* A new description on v (takes a reference on v), calling ops->open. */
int  fs_file_open(struct vnode *v, int flags, struct file **out);
void fs_file_ref(struct file *f);
void fs_file_unref(struct file *f);
/* Read/write through the ops at off with kernel buffers (see struct vnode_ops). */
long fs_file_read(struct file *f, void *buf, size_t n, uint64_t off, int xflags);
long fs_file_write(struct file *f, const void *buf, size_t n, uint64_t off, int xflags);
/* The offset a remote file's read/write passes: "at the exported
 * description's offset, advancing it" (fs_remote.h). */
#define FS_REMOTE_CUR (~0ull)
/* lseek on f's own offset (Linux's rules): the new offset or -errno. */
long fs_file_lseek(struct file *f, long off, unsigned int whence);
/* mode & 07777 less the umask of c (022 when c is NULL). */
uint32_t fs_umask_apply(struct fs_ctx *c, uint32_t mode);
/* Open path for kernel use (the console, fs_read_file). */
int  fs_open_path(struct fs_ctx *c, struct vnode *base, const char *path, int flags,
                  int mode, struct file **out);

/* fs_ctx.c: descriptor tables. */
/* A context with no fds, cwd (referenced here), umask 022. NULL: no memory. */
struct fs_ctx *fs_ctx_new_empty(struct vnode *cwd);
/* Install f (the caller's reference moves to the table) at the lowest free
 * fd >= min; returns it or -EMFILE. */
int  fs_fd_install(struct fs_ctx *c, struct file *f, int min, bool cloexec);
/* A referenced file for fd, or NULL (-EBADF). */
struct file *fs_fd_get(struct fs_ctx *c, int fd);
/* The same for an fd a system call took as a long: NULL when not an int. */
struct file *fs_fd_get_exact(struct fs_ctx *c, long fd);
int  fs_fd_close(struct fs_ctx *c, int fd);
/* Put f at exactly fd, closing what was there. f's reference moves. */
int  fs_fd_replace(struct fs_ctx *c, int fd, struct file *f, bool cloexec);
int  fs_fd_get_cloexec(struct fs_ctx *c, int fd);
int  fs_fd_set_cloexec(struct fs_ctx *c, int fd, bool on);
/* The calling process's context (proc_fs(proc_current())). */
struct fs_ctx *fs_cur(void);

/* fs_sys.c: helpers for the system calls. */
/* Copy a user path into a kmalloc'd FS_PATH_MAX buffer: -EFAULT, -ENAMETOOLONG. */
int fs_sys_getpath(uint64_t upath, char **out);
/* The referenced base directory for a relative path under dirfd (NULL: cwd). */
int fs_sys_base(struct fs_ctx *c, long dirfd, const char *path, struct vnode **base);
/* fs_sys_stat.c: resolve a user path under dirfd; empty_ok: "" names dirfd. */
int fs_sys_resolve_at(long dirfd, uint64_t upath, int nflags, bool empty_ok, struct vnode **out);

/* fs_mmap.c: file mappings (contract in fs.h). The map of f's file,
 * made or shared, referenced. */
int fs_map_of_file(struct file *f, struct fs_map **out);
/* write() put buf[0..n) at off of f's file: present mapped pages take it. */
void fs_map_written(struct file *f, const void *buf, size_t n, uint64_t off);
/* fsync: write v's mapped dirty pages back first. */
int fs_map_fsync(struct vnode *v);

/* fs_initrd.c */
int fs_initrd_build(const void *img, size_t len, struct vnode **root);
bool fs_initrd_is_file(struct vnode *v);
void fs_initrd_free(struct vnode *root);   /* a tree fs_initrd_build made */

/* fs_dev.c: the /dev directory (null, zero, console, tty). */
struct vnode *fs_dev_init(void);

/* The process on another node a remote stream op runs for (fs_remote_srv.c
 * sets it around each op): what job control needs of it. NULL when the
 * current thread serves no remote op (a weak NULL-returning version is in
 * fs_tty.c for builds without remote streams). */
struct fs_caller {
    int pgid;
    int sid;                    /* the session whose controlling tty it may use */
    uint32_t flags;
};
#define FS_CALLER_TTIN_OFF 1    /* it blocks or ignores SIGTTIN */
#define FS_CALLER_TTOU_OFF 2    /* ... SIGTTOU */
const struct fs_caller *fs_remote_caller(void);

/* fs_tty.c: the console tty. */
struct vnode *fs_tty_init(void);
void fs_tty_reset(void);                  /* default termios, empty queues */
extern const struct vnode_ops fs_tty_ops;

/* fs_pipe.c */
int fs_pipe_create(struct file **rd, struct file **wr, int flags);
/* Some file's poll answer may have changed: sleepers in poll and select
 * look again now. Never sleeps; any context. (fs_pipe.c, as the two below) */
void fs_poll_wake(void);
/* The count of fs_poll_wake calls so far: read before a scan. */
uint64_t fs_poll_seq(void);
/* Sleep up to ns unless fs_poll_wake was called since seq was read:
 * -EINTR when a signal came, else 0. */
int fs_poll_wait(uint64_t seq, uint64_t ns);

/* fs_proc.c */
struct vnode *fs_proc_init(void);

/* The console, provided by arch (kernel/arch.h). */
void arch_console_write(const char *s, size_t n);
