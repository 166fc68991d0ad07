/*
 * Small CPU services for portable code: the interrupt flag, halting and
 * leaving QEMU, thread contexts and the switch between them (with the
 * user's FPU/SSE state and FS base), and user-memory copies.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/uaccess.h"
#include "arch/x86_64/arch_int.h"

uint64_t
arch_irq_save(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(f) : : "memory");
    return f & 0x200;
}

void
arch_irq_restore(uint64_t flags)
{
    if (flags & 0x200)
        __asm__ volatile("sti" : : : "memory");
}

void
arch_irq_enable(void)
{
    __asm__ volatile("sti" : : : "memory");
}

bool
arch_irq_enabled(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f & 0x200;
}

void
arch_idle(void)
{
    __asm__ volatile("sti; hlt" : : : "memory");
}

void
arch_halt(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

void
arch_qemu_exit(int code)
{
    outl(0xf4, (uint32_t)code);
    arch_halt();
}

void
arch_ctx_init(struct arch_ctx *c, void *stack, size_t size, void (*fn)(void *), void *arg)
{
    uint64_t *sp = (uint64_t *)((char *)stack + size);
    *--sp = 0;                       /* keeps the entry's stack 16-byte aligned */
    *--sp = (uint64_t)arch_thread_start;
    *--sp = 0;                       /* rbx */
    *--sp = 0;                       /* rbp */
    *--sp = (uint64_t)fn;            /* r12 */
    *--sp = (uint64_t)arg;           /* r13 */
    *--sp = 0;                       /* r14 */
    *--sp = 0;                       /* r15 */
    c->rsp = (uint64_t)sp;
    arch_fpu_init(c);
}

void
arch_ctx_init_user(struct arch_ctx *c, void *stack, size_t size, const struct arch_regs *regs)
{
    struct arch_regs *frame = (struct arch_regs *)((char *)stack + size) - 1;
    *frame = *regs;
    uint64_t *sp = (uint64_t *)frame;
    *--sp = (uint64_t)arch_user_return;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    c->rsp = (uint64_t)sp;
}

void
arch_fpu_init(struct arch_ctx *c)
{
    memset(c->fpu, 0, sizeof(c->fpu));
    *(uint16_t *)&c->fpu[0] = 0x037f;        /* FCW: all exceptions masked */
    *(uint32_t *)&c->fpu[24] = 0x1f80;       /* MXCSR: all masked */
}

void
arch_set_fs_base(struct arch_ctx *c, uint64_t base)
{
    c->fs_base = base;
    wrmsr(MSR_FS_BASE, base);
}

void
arch_switch(struct arch_ctx *from, struct arch_ctx *to, void *to_kstack_top)
{
    __asm__ volatile("fxsave64 %0" : "=m"(from->fpu));
    arch_set_kstack((uint64_t)to_kstack_top);
    wrmsr(MSR_FS_BASE, to->fs_base);
    __asm__ volatile("fxrstor64 %0" : : "m"(to->fpu));
    arch_switch_stacks(&from->rsp, to->rsp);
}

long arch_copy_user(void *dst, const void *src, size_t n);
long arch_copy_str(char *dst, const void *src, size_t max);

static bool
user_range_ok(uint64_t u, size_t n)
{
    return u < ARCH_USER_TOP && n <= ARCH_USER_TOP - u;
}

int
copyin(void *dst, uint64_t usrc, size_t n)
{
    if (!user_range_ok(usrc, n))
        return -EFAULT;
    return (int)arch_copy_user(dst, (const void *)usrc, n);
}

int
copyout(uint64_t udst, const void *src, size_t n)
{
    if (!user_range_ok(udst, n))
        return -EFAULT;
    return (int)arch_copy_user((void *)udst, src, n);
}

long
copyinstr(char *dst, uint64_t usrc, size_t max)
{
    if (usrc >= ARCH_USER_TOP || max == 0)
        return -EFAULT;
    if (max > ARCH_USER_TOP - usrc)
        max = ARCH_USER_TOP - usrc;
    long r = arch_copy_str(dst, (const void *)usrc, max);
    if (r == -ENAMETOOLONG && max > 0)
        dst[max - 1] = 0;
    return r;
}

void
arch_fpu_copy(struct arch_ctx *c)
{
    __asm__ volatile("fxsave64 %0" : "=m"(c->fpu));
}

void
arch_fpu_restore(struct arch_ctx *c)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(c->fpu));
}
