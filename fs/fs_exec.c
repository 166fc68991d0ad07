/*
 * exec's page images of initrd programs (fs_exec_image, contract in
 * fs.h): at a program's first exec its file is copied into contiguous,
 * page-aligned frames, kept in the file vnode's priv for good (initrd
 * files never change) and charged to the node's commit once. Every exec
 * then maps those frames (kernel/proc_exec.c, vm_map_file) instead of
 * reading and copying the file. Other programs are opened as file maps
 * (fs_mmap.c) for exec to demand-load. fs_exec_open, exec's own, resolves
 * the path once for both: on the shared volume every lookup is a request
 * to the server.
 */
#include "fs/fs_int.h"
#include "fs/fs_rmt.h"
#include "fs/fs_sticky.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/vm.h"

#define EXEC_FILE_MAX (64u << 20)   /* as fs_read_file */

/* The file as executable pages: 0 (v referenced, opened and closed as by
 * fs_read_file) or -errno. */
static int
exec_check(struct vnode *v)
{
    if (FS_ISDIR(v->mode))
        return -EISDIR;
    if (!FS_ISREG(v->mode) || !(v->mode & 0111))
        return -EACCES;
    return v->size > EXEC_FILE_MAX ? -EFBIG : 0;
}

/* Resolve path to a program's vnode, checked (exec_check). */
static int
exec_lookup(struct fs_ctx *c, const char *path, struct vnode **vp)
{
    struct vnode *v;
    int err = fs_namei(c, NULL, path, FS_NAMEI_FOLLOW | FS_NAMEI_OPEN_READ, &v, NULL);
    if (err)
        return err;
    if ((err = exec_check(v)) != 0) {
        fs_vn_unref(v);
        return err;
    }
    *vp = v;
    return 0;
}

/* A page-aligned copy of initrd file v in contiguous frames, charged to
 * the commit; 0 when memory is short. */
static uint64_t
make_image(struct vnode *v)
{
    uint64_t npages = ALIGN_UP(v->size, PAGE_SIZE) / PAGE_SIZE;
    if (vm_commit_charge(npages))
        return 0;
    uint64_t pa = mem_frame_alloc_contig((size_t)npages);
    if (!pa) {
        vm_commit_uncharge(npages);
        return 0;
    }
    uint8_t *dst = mem_p2v(pa);
    memcpy(dst, v->data, (size_t)v->size);
    memset(dst + v->size, 0, (size_t)(npages * PAGE_SIZE - v->size));
    return pa;
}

/* Initrd file v's page image (v's reference stays the caller's):
 * opened and closed as by fs_read_file; -EOPNOTSUPP when v is not an
 * initrd file, is empty, or no memory is left for the copy. */
static int
image_of(struct vnode *v, uint64_t *pap, size_t *lenp)
{
    if (!fs_initrd_is_file(v) || v->size == 0)
        return -EOPNOTSUPP;
    struct file *f = NULL;
    int err = fs_file_open(v, O_RDONLY, &f);
    if (err)
        return err;
    fs_file_unref(f);
    /* The image pointer is stored once; racing first execs both copy and
     * the loser gives its copy back. */
    uint64_t pa = (uint64_t)(uintptr_t)__atomic_load_n(&v->priv, __ATOMIC_ACQUIRE);
    if (!pa) {
        uint64_t mine = make_image(v);
        void *expect = NULL;
        uint64_t npages = ALIGN_UP(v->size, PAGE_SIZE) / PAGE_SIZE;
        if (mine && !__atomic_compare_exchange_n(&v->priv, &expect, (void *)(uintptr_t)mine,
                                                 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            for (uint64_t i = 0; i < npages; i++)
                mem_frame_free(mine + i * PAGE_SIZE);
            vm_commit_uncharge(npages);
            mine = (uint64_t)(uintptr_t)expect;
        }
        pa = mine;
    }
    if (!pa)
        return -EOPNOTSUPP;
    *lenp = (size_t)v->size;
    *pap = pa;
    return 0;
}

bool
fs_exec_ident(struct vnode *v, struct fs_map_ident *id)
{
    if (v->ops != &fs_rmt_file_ops)
        return false;
    *id = (struct fs_map_ident){ .ino = fs_rmt_node(v)->fh.ino, .gen = fs_rmt_node(v)->fh.gen,
                                 .size = v->size };
    return fs_rmt_cache_ident(v, &id->version, &id->changes);
}

/* Program v (not an initrd file) as a file map, opened for reading. A
 * program on the shared volume is sticky (fs_sticky.h): its map is kept
 * after its last use, and the next exec of the unchanged file takes it. */
static int
map_of(struct vnode *v, struct fs_map **out, uint64_t *size)
{
    if (v->ops->remote || !v->ops->read)
        return -EOPNOTSUPP;     /* the caller reads it whole */
    struct file *f = NULL;
    int err = fs_file_open(v, O_RDONLY, &f);
    if (err)
        return err;
    struct fs_map_ident id;     /* after the open: it brought the version */
    bool sticky = fs_exec_ident(v, &id);
    if (!sticky || !(*out = fs_map_adopt(f, &id))) {
        err = fs_map_of_file(f, out);
        if (!err && sticky)
            fs_map_set_sticky(*out, &id);
    }
    if (!err)
        *size = fs_map_size(*out);
    fs_file_unref(f);
    return err;
}

int
fs_exec_image(struct fs_ctx *c, const char *path, uint64_t *pap, size_t *lenp)
{
    struct vnode *v;
    int err = exec_lookup(c, path, &v);
    if (!err) {
        err = image_of(v, pap, lenp);
        fs_vn_unref(v);
    }
    return err;
}

int
fs_exec_open(struct fs_ctx *c, const char *path, uint64_t *pap, struct fs_map **map,
             uint64_t *size, char *exe, size_t exe_n)
{
    struct vnode *v;
    int err = exec_lookup(c, path, &v);
    if (err)
        return err;
    if (exe_n && fs_vn_realpath(v, exe, exe_n) != 0)
        exe[0] = '\0';
    *map = NULL;
    size_t len = 0;
    err = image_of(v, pap, &len);
    if (!err)
        *size = len;
    else if (err == -EOPNOTSUPP)
        err = map_of(v, map, size);
    fs_vn_unref(v);
    return err;
}
