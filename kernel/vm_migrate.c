/*
 * The VM row of the migration table (kernel/migrate.h): the source packs
 * the region list and the break and picks the pages to send (every
 * present page except the untouched pages of the program's shared image,
 * which the target maps from its own copy of the same initrd file by
 * offset); the target rebuilds the regions, charged as at the source, and
 * installs the pages as they were received (kernel/migrate_dst.c stages
 * them). A file mapping's pages are all read in first and travel as
 * anonymous pages (kernel/vm_file.c); a writable MAP_SHARED mapping
 * refuses the migration (EOPNOTSUPP). The page bytes themselves travel outside the state buffer
 * (kernel/migrate_src.c).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/migrate.h"
#include "kernel/proc.h"
#include "fs/fs.h"
#include "kernel/vm_int.h"

#define REGIONS_MAX 4096
enum { REG_ANON = 0, REG_FILE = 1 };

/* The program image's first frame and length at this node, or -errno. */
static int
image_of(struct proc *p, uint64_t *pa, size_t *len)
{
    const char *exe = proc_mig_exe(p);
    if (!exe[0])
        return -ENOENT;
    struct fs_ctx *fs = proc_fs(p);
    struct fs_ctx *tmp = fs ? NULL : fs_ctx_new_console();
    int err = fs || tmp ? fs_exec_image(fs ? fs : tmp, exe, pa, len) : -ENOMEM;
    if (tmp)
        fs_ctx_free(tmp);
    return err;
}

static int
page_list_add(struct mig_ctx *m, size_t *cap, uint64_t va, uint64_t pa)
{
    if (m->npages == *cap) {
        size_t ncap = *cap ? *cap * 2 : 256;
        uint64_t *n = kmalloc(ncap * sizeof(*n)), *np = kmalloc(ncap * sizeof(*np));
        if (!n || !np) {
            kfree(n);
            kfree(np);
            return -ENOMEM;
        }
        if (m->npages) {
            memcpy(n, m->page_va, m->npages * sizeof(*n));
            memcpy(np, m->page_pa, m->npages * sizeof(*np));
        }
        kfree(m->page_va);
        kfree(m->page_pa);
        m->page_va = n;
        m->page_pa = np;
        *cap = ncap;
    }
    if (m->page_held)
        mem_frame_ref(pa);
    m->page_va[m->npages] = va;
    m->page_pa[m->npages++] = pa;
    return 0;
}

/* Forget the picked pages (dropping the frames' references if held). */
static void
page_list_clear(struct mig_ctx *m)
{
    vm_mig_unhold(m);
    kfree(m->page_va);
    kfree(m->page_pa);
    m->page_va = m->page_pa = NULL;
    m->npages = 0;
}

void
vm_mig_unhold(struct mig_ctx *m)
{
    if (!m->page_held)
        return;
    for (size_t i = 0; i < m->npages; i++)
        mem_frame_unref(m->page_pa[i]);
    m->page_held = false;
}

/* Every present page of r that is not the image's own frame; with
 * dirty_only, only those written since the last round. Pre-copy clears
 * the dirty bits as it goes, so the next round sees the writes since. */
static int
pick_pages(struct vm *vm, struct vm_region *r, struct mig_ctx *m, size_t *cap, bool dirty_only)
{
    uint64_t va = r->start, pa;
    unsigned f;
    bool precopy = m->strategy == MIG_PRECOPY;
    for (; arch_pt_next(vm->root, &va, r->end, &pa, &f); va += PAGE_SIZE) {
        if (r->file_pa && pa == r->file_pa + (va - r->start))
            continue;     /* the shared program image: the target maps its own */
        bool dirty = precopy && arch_pt_clear_dirty(vm->root, va);
        if (dirty_only && !dirty)
            continue;     /* clean since the last round: the target has it */
        if (page_list_add(m, cap, va, pa & ~(uint64_t)(PAGE_SIZE - 1)))
            return -ENOMEM;
    }
    return 0;
}

int
vm_mig_pick(struct proc *p, struct mig_ctx *m, bool dirty_only, bool hold)
{
    struct vm *vm = proc_vm(p);
    size_t cap = 0;
    int err = vm_file_mig_prepare(vm);   /* file pages travel as anonymous ones */
    if (err)
        return err;
    page_list_clear(m);
    m->page_held = hold;
    for (struct vm_region *r = vm->regions; r; r = r->next)
        if (pick_pages(vm, r, m, &cap, dirty_only))
            return -ENOMEM;
    return 0;
}

int
vm_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    struct vm *vm = proc_vm(p);
    uint64_t img = 0;
    size_t img_len = 0, cap = 0;
    uint32_t n = 0;
    int err = vm_file_mig_prepare(vm);
    if (err)
        return err;
    if (image_of(p, &img, &img_len))
        img = 0;
    for (struct vm_region *r = vm->regions; r; r = r->next)
        n++;
    mig_put_u32(b, n);
    mig_put_u64(b, vm->brk_start);
    mig_put_u64(b, vm->brk);
    page_list_clear(m);
    bool dirty_only = m->strategy == MIG_PRECOPY && m->round > 0;
    for (struct vm_region *r = vm->regions; r; r = r->next) {
        bool file = r->file_pa && img && r->file_pa >= img &&
                    r->file_pa + (r->end - r->start) <= img + ALIGN_UP(img_len, PAGE_SIZE);
        mig_put_u64(b, r->start);
        mig_put_u64(b, r->end);
        mig_put_u32(b, r->prot);
        mig_put_u32(b, r->acct);
        mig_put_u32(b, file ? REG_FILE : REG_ANON);
        mig_put_u64(b, file ? r->file_pa - img : 0);
        if (pick_pages(vm, r, m, &cap, dirty_only))
            return -ENOMEM;
    }
    return b->err;
}

/* One region at the target, charged as the source's was. */
static int
map_region(struct vm *vm, struct mig_cur *c, uint64_t img, size_t img_len)
{
    uint64_t start = mig_get_u64(c), end = mig_get_u64(c);
    unsigned prot = mig_get_u32(c), acct = mig_get_u32(c), kind = mig_get_u32(c);
    uint64_t off = mig_get_u64(c);
    if (c->err || end <= start || prot > (VM_R | VM_W | VM_X))
        return -EBADMSG;
    if (kind == REG_FILE) {
        if (!img || off >= ALIGN_UP(img_len, PAGE_SIZE) ||
            end - start > ALIGN_UP(img_len, PAGE_SIZE) - off)
            return -EBADMSG;      /* not the image this node has for the program */
        int err = vm_map_file(vm, start, end - start, prot, img + off);
        if (err || acct != VM_ACCT_ALL)
            return err;
        /* A part of the image charged whole at the source (its private
         * copy was written, e.g. RELRO made read-only after startup):
         * not the image's pages, so fork must copy them, as there. */
        struct vm_region *r = vm_find(vm, start);
        if (r->acct != VM_ACCT_ALL) {
            if (vm_charge(vm, (end - start) / PAGE_SIZE))
                return -ENOMEM;
            r->acct = VM_ACCT_ALL;
        }
        return 0;
    }
    unsigned flags = acct == VM_ACCT_NONE ? VM_MAP_NORESERVE : acct == VM_ACCT_TOUCH ? VM_MAP_TOUCH : 0;
    int err = vm_map_flags(vm, start, end - start, prot, flags);
    return err == -EINVAL ? -EBADMSG : err;
}

int
vm_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    uint32_t n = mig_get_u32(c);
    uint64_t brk_start = mig_get_u64(c), brk = mig_get_u64(c);
    uint64_t img = 0;
    size_t img_len = 0;
    if (c->err || n > REGIONS_MAX)
        return -EBADMSG;
    if (image_of(p, &img, &img_len))
        img = 0;
    struct vm *vm = vm_new();
    if (!vm)
        return -ENOMEM;
    int err = 0;
    for (uint32_t i = 0; i < n && !err; i++)
        err = map_region(vm, c, img, img_len);
    if (err) {
        vm_free(vm);
        return err;
    }
    vm->brk_start = brk_start;
    vm->brk = brk;
    proc_mig_set_vm(p, vm);
    return 0;
}

void
vm_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed)
{
    vm_mig_unhold(m);
    kfree(m->page_pa);
    m->page_pa = NULL;
    if (committed && m->strategy == MIG_LAZY) {
        migrate_lazy_serve(m, proc_mig_detach_vm(p));   /* takes the page list too */
        return;
    }
    page_list_clear(m);
    if (committed)
        proc_mig_drop_vm(p);
}

void
vm_mig_target_abort(struct proc *p, struct mig_ctx *m)
{
    struct vm *vm = proc_vm(p);
    if (vm) {
        proc_mig_set_vm(p, NULL);
        vm_free(vm);
    }
}

int
vm_mig_install(struct vm *vm, uint64_t va, uint64_t pa)
{
    struct vm_region *r = vm_find(vm, va);
    uint64_t old;
    unsigned f;
    if (!r || (va & (PAGE_SIZE - 1)))
        return -EBADMSG;
    bool had = arch_pt_lookup(vm->root, va, &old, &f);
    uint64_t charge = !had && r->acct == VM_ACCT_TOUCH ? 1 : 0;
    if (vm_charge(vm, charge))
        return -ENOMEM;
    if (arch_pt_map(vm->root, va, pa, vm_pte_flags(r->prot))) {
        vm_uncharge(vm, charge);
        return -ENOMEM;
    }
    if (had)
        mem_frame_unref(old);
    return 0;
}

int
vm_mig_read_page(struct vm *vm, uint64_t va, void *dst)
{
    uint64_t pa;
    unsigned f;
    if (!arch_pt_lookup(vm->root, va, &pa, &f))
        return -EFAULT;
    memcpy(dst, mem_p2v(pa), PAGE_SIZE);
    return 0;
}
