/*
 * Inside the tmpfs only (fs/fs_tmp*.c): the mount, nodes, directory
 * entries, and the page index of file contents. See docs/fs.md "tmpfs".
 *
 * SYNCHRONIZATION: one mutex per mount protects every node of it (the
 * directory lists, sizes, page indexes, times, link counts) and the
 * mount's usage figures. Vnode reference counts stay atomic (fs_vfs.c).
 * No vnode reference is dropped while the mutex is held: a last reference
 * ends in tmp_release, which takes the mutex. A directory's vn.parent and
 * vn.name change under fs_names_lock too (taken inside the mutex).
 */
#pragma once
#include "fs/fs_int.h"
#include "kernel/sync.h"

#define TMP_FANOUT 512                          /* entries per index page */
#define TMP_LEVELS 3                            /* index pages above the data */
#define TMP_MAX_PAGES (512ull * 512 * 512)
#define TMP_MAX_SIZE  (TMP_MAX_PAGES * PAGE_SIZE)   /* 512 GiB */
#define TMP_MAGIC     0x01021994

struct tmp_mount {
    struct mutex lock;          /* protects every node of this mount */
    uint64_t limit;             /* pages, data and index plus metadata */
    uint64_t pages;             /* data and index pages held */
    uint64_t meta;              /* bytes of nodes, entries, link targets */
    uint64_t nodes;
    uint32_t dev;
    struct vnode *root;
};

/* One name in a directory. A node with several links has several. */
struct tmp_dirent {
    struct tmp_dirent *next;
    struct vnode *vn;
    uint64_t pos;               /* getdent position: grows along the list */
    size_t len;
    char name[];
};

/*
 * A node. While nlink > 0 the tree holds one vnode reference on it (the
 * mount root's is never dropped); open files, cwds and lookups hold the
 * others, so an unlinked file lives until its last close. Directories
 * hold a reference on their parent (vn.parent) as every dynamic vnode
 * does; files have no parent.
 */
struct tmp_node {
    struct vnode vn;            /* first: a tmpfs vnode pointer is a node pointer */
    struct tmp_mount *mnt;
    struct tmp_dirent *ents;    /* directories: the entries, newest last */
    uint64_t next_pos;          /* directories: pos of the next entry made */
    uint64_t index;             /* regular files: top index page (physical) or 0 */
    char *target;               /* symlinks: the target, NUL-terminated */
};

static inline struct tmp_node *
tmp_node(struct vnode *v)
{
    return (struct tmp_node *)v;
}

/* fs_tmp.c */
extern const struct vnode_ops tmp_dir_ops, tmp_file_ops, tmp_link_ops;
uint64_t tmp_now(void);
/* Take or give back room for pages and meta bytes: -ENOSPC past the limit. */
int  tmp_charge(struct tmp_mount *m, uint64_t pages, uint64_t meta);
void tmp_uncharge(struct tmp_mount *m, uint64_t pages, uint64_t meta);
/* A new node of mode (refs 1, nlink 0) or NULL; charges its metadata. */
struct tmp_node *tmp_node_new(struct tmp_mount *m, uint32_t mode, int *err);

/* fs_tmp_dir.c: the directory ops (the mount's lock is taken inside). */
int tmp_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out);
int tmp_getdent(struct vnode *dir, uint64_t idx, struct fs_dirent *de);
int tmp_create(struct vnode *dir, const char *name, size_t len, uint32_t mode,
               const char *target, struct vnode **out);
int tmp_link(struct vnode *dir, const char *name, size_t len, struct vnode *v);
int tmp_unlink(struct vnode *dir, const char *name, size_t len, bool rmdir);
int tmp_rename(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
               const char *nname, size_t nlen, int flags);

/* fs_tmp_data.c: file contents; the caller holds the mount's lock. */
long tmp_data_read(struct tmp_node *n, void *buf, size_t len, uint64_t off);
long tmp_data_write(struct tmp_node *n, const void *buf, size_t len, uint64_t off);
/* Set the size: pages past it are freed, the tail of the last one zeroed. */
int  tmp_data_truncate(struct tmp_node *n, uint64_t size);
