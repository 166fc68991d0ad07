/*
 * Per-CPU tables: GDT with user segments and the TSS, the IDT pointing at
 * arch_entry.S's stubs, SYSCALL/SYSRET MSRs, SSE enablement, and the
 * per-CPU block reached through GS. Only the boot CPU runs for now;
 * secondary CPUs stay parked (they were never started).
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "arch/x86_64/arch_int.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp0, rsp1, rsp2;
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} PACKED;
static_assert(sizeof(struct tss) == 104, "TSS layout");

struct idt_entry {
    uint16_t off_lo;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t zero;
} PACKED;
static_assert(sizeof(struct idt_entry) == 16, "IDT entry layout");

struct arch_percpu arch_cpu0;
static struct tss tss0;
static uint64_t gdt[7];
static struct idt_entry idt[256];
static uint8_t df_stack[8192] ALIGNED(16);   /* IST1: double fault */

static void
lgdt_lidt(void)
{
    struct {
        uint16_t lim;
        uint64_t base;
    } PACKED g = { sizeof(gdt) - 1, (uint64_t)gdt }, i = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lgdt %0" : : "m"(g));
    __asm__ volatile("lidt %0" : : "m"(i));
    /* Reload CS through a far return, then the data segments. */
    __asm__ volatile("pushq %0\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1: movw %w1, %%ds\n\t"
                     "movw %w1, %%es\n\t"
                     "movw %w1, %%ss\n\t"
                     : : "i"((uint64_t)GDT_KCODE), "r"(GDT_KDATA) : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"(GDT_TSS));
}

static void
set_gate(int vec, uint64_t handler, int dpl, int ist)
{
    idt[vec] = (struct idt_entry){
        .off_lo = handler & 0xffff,
        .sel = GDT_KCODE,
        .ist = ist,
        .type = 0x8e | (dpl << 5),
        .off_mid = (handler >> 16) & 0xffff,
        .off_hi = handler >> 32,
    };
}

void
arch_cpu_init(void)
{
    uint64_t tss_base = (uint64_t)&tss0;

    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffull;  /* kernel code, 64-bit */
    gdt[2] = 0x00cf92000000ffffull;  /* kernel data */
    gdt[3] = 0x00cff2000000ffffull;  /* user data (DPL 3) */
    gdt[4] = 0x00affa000000ffffull;  /* user code, 64-bit (DPL 3) */
    gdt[5] = (sizeof(tss0) - 1) | ((tss_base & 0xffffff) << 16) | (0x89ull << 40) |
             (((tss_base >> 24) & 0xff) << 56);
    gdt[6] = tss_base >> 32;
    tss0.iomap_base = sizeof(tss0);
    tss0.ist[0] = (uint64_t)df_stack + sizeof(df_stack);

    for (int v = 0; v < 256; v++)
        set_gate(v, (uint64_t)arch_isr_table + v * 16, v == 3 ? 3 : 0, v == 8 ? 1 : 0);
    lgdt_lidt();

    arch_cpu0.self = &arch_cpu0;
    arch_cpu0.cpu = 0;
    wrmsr(MSR_GS_BASE, (uint64_t)&arch_cpu0);
    wrmsr(MSR_KERNEL_GS, 0);

    /* SYSCALL: kernel CS 0x08 / SS 0x10; SYSRET: user SS 0x18|3, CS 0x20|3. */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);   /* SCE */
    wrmsr(MSR_STAR, ((uint64_t)(GDT_KDATA | 0) << 48) | ((uint64_t)GDT_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)arch_syscall_entry);
    wrmsr(MSR_SFMASK, 0x47700);  /* clear TF, IF, DF, IOPL, NT, AC on entry */

    /* SSE for user programs: OSFXSR, OSXMMEXCPT; no x87 emulation. */
    uint64_t cr0, cr4;
    __asm__ volatile("movq %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(1ull << 2)) | (1ull << 1) | (1ull << 16);  /* -EM, +MP, +WP */
    __asm__ volatile("movq %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("movq %%cr4, %0" : "=r"(cr4));
    cr4 |= (1ull << 9) | (1ull << 10);
    __asm__ volatile("movq %0, %%cr4" : : "r"(cr4));
    __asm__ volatile("fninit");
}

void
arch_set_kstack(uint64_t top)
{
    tss0.rsp0 = top;
    arch_cpu0.kstack_top = top;
}

int
arch_cpu_id(void)
{
    return 0;
}
