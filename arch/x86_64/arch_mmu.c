/*
 * x86-64 paging: the kernel's own page tables (a direct map of all physical
 * memory at DIRECT_MAP_BASE and the image at -2 GiB) and the 4-level page
 * table operations that kernel/vm.c uses for user address spaces. Policy
 * (regions, faults, copy-on-write) lives in kernel/vm.c, not here.
 */
#include "boot/bootinfo.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "arch/x86_64/arch_int.h"

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_D   (1ull << 6)   /* dirty: set by the CPU on a write */
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_COW (1ull << 9)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

extern char _kernel_phys_start[], _kernel_phys_end[];
extern uint64_t boot_pml4[];
extern uint64_t boot_pdpt_high[];

static uint64_t kernel_root;
static bool have_1g_pages;

/* Early frames for the direct map, before the frame allocator exists. */
static uint64_t bump_next, bump_end, bump_start;

uint64_t
arch_v2p(const void *va)
{
    uint64_t v = (uint64_t)va;
    if (v >= KERNEL_VIRT)
        return v - KERNEL_VIRT;
    ASSERT(v >= DIRECT_MAP_BASE, "arch_v2p is given a kernel address");
    return v - DIRECT_MAP_BASE;
}

void *
mem_p2v(uint64_t pa)
{
    return arch_p2v(pa);
}

uint64_t
mem_v2p(const void *va)
{
    return arch_v2p(va);
}

uint64_t
arch_pt_kernel_root(void)
{
    return kernel_root;
}

static uint64_t
early_frame(void)
{
    if (bump_next + PAGE_SIZE > bump_end)
        panic("wisp: no memory below 4 GiB for the kernel's page tables");
    uint64_t pa = bump_next;
    bump_next += PAGE_SIZE;
    memset(arch_p2v(pa), 0, PAGE_SIZE);
    return pa;
}

static uint64_t *
table_at(uint64_t entry)
{
    return arch_p2v(entry & PTE_ADDR);
}

/* Map [0, top) at DIRECT_MAP_BASE with the largest pages the CPU has. */
static void
build_direct_map(uint64_t *pml4, uint64_t top)
{
    for (uint64_t pa = 0; pa < top;) {
        uint64_t va = DIRECT_MAP_BASE + pa;
        uint64_t *l4 = &pml4[(va >> 39) & 511];
        if (!(*l4 & PTE_P))
            *l4 = early_frame() | PTE_P | PTE_W;
        uint64_t *l3 = &table_at(*l4)[(va >> 30) & 511];
        if (have_1g_pages) {
            *l3 = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
            pa += 1ull << 30;
            continue;
        }
        if (!(*l3 & PTE_P))
            *l3 = early_frame() | PTE_P | PTE_W;
        uint64_t *l2 = table_at(*l3);
        for (int i = 0; i < 512 && pa < top; i++, pa += 1ull << 21)
            l2[i] = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
    }
}

void
arch_mem_init(struct bootinfo *bi)
{
    struct mem_range avail[BOOTINFO_MEM_MAX], resv[BOOTINFO_MODS_MAX + 4];
    static struct mem_range usable[BOOTINFO_MEM_MAX];
    int navail = 0, nresv = 0, nusable;
    uint64_t top = 4ull << 30, total = 0, ram_top = 0;
    uint32_t a, b, c, d;

    cpuid(0x80000001, 0, &a, &b, &c, &d);
    have_1g_pages = (d >> 26) & 1;

    for (uint32_t i = 0; i < bi->nmem; i++) {
        const struct bootinfo_mem *m = &bi->mem[i];
        if (m->base + m->len > top && m->type == BOOT_MEM_USABLE)
            top = m->base + m->len;
        if (m->type == BOOT_MEM_USABLE) {
            ram_top = MAX(ram_top, m->base + m->len);
            avail[navail++] = (struct mem_range){ m->base, m->len };
            total += m->len;
        }
    }
    if (navail == 0)
        panic("wisp: the boot loader gave no usable memory map");
    resv[nresv++] = (struct mem_range){ 0, 0x100000 };
    resv[nresv++] = (struct mem_range){ (uint64_t)_kernel_phys_start,
                                        (uint64_t)_kernel_phys_end - (uint64_t)_kernel_phys_start };
    for (uint32_t i = 0; i < bi->nmods; i++)
        resv[nresv++] = (struct mem_range){ bi->mods[i].start,
                                            bi->mods[i].end - bi->mods[i].start };
    nusable = mem_ranges_usable(avail, navail, resv, nresv, usable, BOOTINFO_MEM_MAX);

    /* Page tables for the direct map come from the first usable range below
     * 4 GiB (the boot tables map only that much) large enough for them. */
    uint64_t need = (top >> 30) + (top >> 39) + 4;
    need = need * PAGE_SIZE;
    for (int i = 0; i < nusable; i++) {
        if (usable[i].base + need <= (4ull << 30) && usable[i].len >= need) {
            bump_start = bump_next = usable[i].base;
            bump_end = bump_start + need;
            break;
        }
    }
    kernel_root = early_frame();
    uint64_t *pml4 = arch_p2v(kernel_root);
    build_direct_map(pml4, ALIGN_UP(top, 1ull << 30));
    pml4[511] = (uint64_t)boot_pdpt_high | PTE_P | PTE_W; /* .boot: VMA == phys */
    __asm__ volatile("movq %0, %%cr3" : : "r"(kernel_root) : "memory");

    resv[nresv++] = (struct mem_range){ bump_start, bump_next - bump_start };
    nusable = mem_ranges_usable(avail, navail, resv, nresv, usable, BOOTINFO_MEM_MAX);
    if (mem_frame_init(usable, nusable) != 0)
        panic("wisp: not enough memory to manage memory");
    uint64_t usable_bytes = 0;
    for (int i = 0; i < nusable; i++)
        usable_bytes += usable[i].len;
    kprintf("wisp: memory: %lu MiB usable of %lu MiB RAM, top of RAM 0x%lx, direct map %s pages\n",
            usable_bytes >> 20, total >> 20, ram_top, have_1g_pages ? "1 GiB" : "2 MiB");
}

/* Walk to the level-1 entry for va, creating tables when create is set. */
static uint64_t *
walk(uint64_t root, uint64_t va, bool create)
{
    uint64_t *t = arch_p2v(root);
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t *e = &t[(va >> shift) & 511];
        if (!(*e & PTE_P)) {
            if (!create)
                return NULL;
            uint64_t pa = mem_frame_alloc_zero();
            if (!pa)
                return NULL;
            *e = pa | PTE_P | PTE_W | PTE_U;
        }
        ASSERT(!(*e & PTE_PS), "user page tables use 4 KiB pages only");
        t = table_at(*e);
    }
    return &t[(va >> 12) & 511];
}

uint64_t
arch_pt_new(void)
{
    uint64_t root = mem_frame_alloc_zero();
    if (!root)
        return 0;
    uint64_t *n = arch_p2v(root), *k = arch_p2v(kernel_root);
    for (int i = 256; i < 512; i++)
        n[i] = k[i];
    return root;
}

static void
free_level(uint64_t table, int level)
{
    uint64_t *t = arch_p2v(table);
    for (int i = 0; i < 512; i++) {
        if (!(t[i] & PTE_P))
            continue;
        if (level > 2)
            free_level(t[i] & PTE_ADDR, level - 1);
        else
            mem_frame_free(t[i] & PTE_ADDR);
    }
    mem_frame_free(table);
}

void
arch_pt_free(uint64_t root)
{
    uint64_t *t = arch_p2v(root);
    ASSERT(root != kernel_root, "the kernel's page tables are never freed");
    for (int i = 0; i < 256; i++)
        if (t[i] & PTE_P)
            free_level(t[i] & PTE_ADDR, 3);
    mem_frame_free(root);
}

int
arch_pt_map(uint64_t root, uint64_t va, uint64_t pa, unsigned flags)
{
    ASSERT(va < ARCH_USER_TOP, "arch_pt_map maps user addresses only");
    uint64_t *e = walk(root, va, true);
    if (!e)
        return -ENOMEM;
    uint64_t pte = (pa & PTE_ADDR) | PTE_P;
    if (flags & ARCH_PTE_W)
        pte |= PTE_W;
    if (flags & ARCH_PTE_U)
        pte |= PTE_U;
    if (!(flags & ARCH_PTE_X))
        pte |= PTE_NX;
    if (flags & ARCH_PTE_COW)
        pte |= PTE_COW;
    *e = pte;
    arch_tlb_flush_page(va);
    return 0;
}

bool
arch_pt_lookup(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags)
{
    uint64_t *e = walk(root, va, false);
    if (!e || !(*e & PTE_P))
        return false;
    if (pa)
        *pa = *e & PTE_ADDR;
    if (flags) {
        unsigned f = 0;
        if (*e & PTE_W)
            f |= ARCH_PTE_W;
        if (*e & PTE_U)
            f |= ARCH_PTE_U;
        if (!(*e & PTE_NX))
            f |= ARCH_PTE_X;
        if (*e & PTE_COW)
            f |= ARCH_PTE_COW;
        *flags = f;
    }
    return true;
}

bool
arch_pt_next(uint64_t root, uint64_t *va, uint64_t end, uint64_t *pa, unsigned *flags)
{
    uint64_t a = ALIGN_DOWN(*va, PAGE_SIZE);
    end = MIN(end, ARCH_USER_TOP);
    while (a < end) {
        uint64_t *t = arch_p2v(root);
        int shift;
        for (shift = 39; shift >= 12; shift -= 9) {
            uint64_t e = t[(a >> shift) & 511];
            if (!(e & PTE_P))
                break;
            if (shift == 12) {
                *va = a;
                return arch_pt_lookup(root, a, pa, flags);
            }
            t = table_at(e);
        }
        /* Nothing mapped in the whole block this level covers: skip it. */
        uint64_t next = ALIGN_DOWN(a, 1ull << shift) + (1ull << shift);
        if (next <= a)
            break;
        a = next;
    }
    return false;
}

bool
arch_pt_unmap(uint64_t root, uint64_t va, uint64_t *pa)
{
    uint64_t *e = walk(root, va, false);
    if (!e || !(*e & PTE_P))
        return false;
    if (pa)
        *pa = *e & PTE_ADDR;
    *e = 0;
    arch_tlb_flush_page(va);
    return true;
}

void
arch_pt_activate(uint64_t root)
{
    uint64_t cur;
    __asm__ volatile("movq %%cr3, %0" : "=r"(cur));
    if (cur != root)
        __asm__ volatile("movq %0, %%cr3" : : "r"(root) : "memory");
}

void
arch_tlb_flush_page(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

bool
arch_pt_clear_dirty(uint64_t root, uint64_t va)
{
    uint64_t *e = walk(root, va, false);
    if (!e || !(*e & PTE_P) || !(*e & PTE_D))
        return false;
    *e &= ~PTE_D;
    arch_tlb_flush_page(va);   /* the next write sets it again */
    return true;
}
