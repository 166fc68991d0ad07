/*
 * ACPI table lookup: find a table by signature through the RSDP (from the
 * loader, else the BIOS areas) and the RSDT/XSDT, checking lengths and
 * checksums before trusting. arch_irq.c reads the MADT with it (IOAPICs),
 * arch_clockref.c the FADT's PM timer port and the HPET table's base.
 */
#include "kernel/lib.h"
#include "arch/x86_64/arch_int.h"

#define ACPI_PA_LIMIT (1ull << 40)   /* the direct map covers less; refuse beyond */

static uint64_t rsdp_hint;

void
arch_acpi_set_rsdp(uint64_t pa)
{
    rsdp_hint = pa;
}

static bool
sum_ok(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s == 0;
}

static uint64_t
scan(uint64_t start, uint64_t len)
{
    for (uint64_t pa = start; pa + 20 <= start + len; pa += 16) {
        const uint8_t *p = arch_p2v(pa);
        if (memcmp(p, "RSD PTR ", 8) == 0 && sum_ok(p, 20))
            return pa;
    }
    return 0;
}

static uint64_t
rsdp(void)
{
    if (rsdp_hint)
        return rsdp_hint;
    uint64_t ebda = (uint64_t)*(volatile uint16_t *)arch_p2v(0x40E) << 4;
    uint64_t pa = 0;
    if (ebda >= 0x80000 && ebda < 0xA0000)
        pa = scan(ebda, 1024);
    return pa ? pa : scan(0xE0000, 0x20000);
}

/* A valid table at pa with signature sig, or NULL. */
static const uint8_t *
table_at(uint64_t pa, const char *sig)
{
    if (!pa || pa >= ACPI_PA_LIMIT)
        return NULL;
    const uint8_t *t = arch_p2v(pa);
    if (memcmp(t, sig, 4) != 0)
        return NULL;
    uint32_t len = *(const uint32_t *)(t + 4);
    if (len < 36 || len > (1u << 20) || !sum_ok(t, len))
        return NULL;
    return t;
}

const uint8_t *
arch_acpi_find(const char *sig)
{
    uint64_t r = rsdp();
    if (!r)
        return NULL;
    const uint8_t *p = arch_p2v(r);
    bool x = p[15] >= 2 && *(const uint64_t *)(p + 24) != 0;
    const uint8_t *sdt = x ? table_at(*(const uint64_t *)(p + 24), "XSDT")
                           : table_at(*(const uint32_t *)(p + 16), "RSDT");
    if (!sdt)
        return NULL;
    uint32_t len = *(const uint32_t *)(sdt + 4);
    int esize = x ? 8 : 4;
    for (uint32_t off = 36; off + esize <= len; off += esize) {
        uint64_t pa = x ? *(const uint64_t *)(sdt + off) : *(const uint32_t *)(sdt + off);
        const uint8_t *t = table_at(pa, sig);
        if (t)
            return t;
    }
    return NULL;
}
