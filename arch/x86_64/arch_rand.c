/*
 * The CPU's random-number instructions for kernel/rand.c: RDSEED (CPUID
 * leaf 7, EBX bit 18: conditioned entropy) when present, else RDRAND
 * (leaf 1, ECX bit 30: a DRBG reseeded by the same source). Both may fail
 * transiently (carry clear); a few retries, then give up.
 */
#include "kernel/arch.h"
#include "arch/x86_64/arch_int.h"

enum { HW_UNKNOWN, HW_NONE, HW_RDRAND, HW_RDSEED };
static int hw = HW_UNKNOWN;

static int
probe(void)
{
    uint32_t a, b, c, d;
    cpuid(0, 0, &a, &b, &c, &d);
    uint32_t max = a;
    if (max >= 7) {
        cpuid(7, 0, &a, &b, &c, &d);
        if (b & (1u << 18))
            return HW_RDSEED;
    }
    cpuid(1, 0, &a, &b, &c, &d);
    return (c & (1u << 30)) ? HW_RDRAND : HW_NONE;
}

bool
arch_random_u64(uint64_t *out)
{
    if (hw == HW_UNKNOWN)
        hw = probe();
    for (int i = 0; i < 16 && hw != HW_NONE; i++) {
        uint64_t v;
        uint8_t ok;
        if (hw == HW_RDSEED)
            __asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
        else
            __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
        if (ok) {
            *out = v;
            return true;
        }
    }
    return false;
}
