/*
 * The CMOS real-time clock, read once at boot for the time of day. This
 * file only reads the registers consistently; decoding (BCD, 12-hour,
 * century) and the date-to-epoch conversion are portable and host-tested
 * (kernel/time_date.c). The century register's index comes from the FADT
 * when it names one, else 0x32 as on PCs and QEMU.
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "arch/x86_64/arch_int.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define CMOS_NMI_OFF 0x80    /* keep NMIs off while an index is selected */
#define RTC_STATUS_A 0x0A
#define RTC_UIP      0x80    /* update in progress: the registers are changing */

static uint8_t
cmos(uint8_t reg)
{
    outb(CMOS_INDEX, CMOS_NMI_OFF | reg);
    return inb(CMOS_DATA);
}

static uint8_t
century_reg(void)
{
    static uint8_t reg;         /* looked up once; the clock thread polls often */
    if (!reg) {
        const uint8_t *f = arch_acpi_find("FACP");
        bool named = f && *(const uint32_t *)(f + 4) >= 109 && f[108] >= 0x0E && f[108] < 0x80;
        reg = named ? f[108] : 0x32;
    }
    return reg;
}

/* One pass over the registers, once no update is in progress (an update
 * takes under 2 ms and starts at most once a second). */
static bool
read_once(uint8_t raw[ARCH_RTC_NREGS], uint8_t creg)
{
    static const uint8_t idx[] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09 };
    long spin;
    for (spin = 0; spin < 10000000 && (cmos(RTC_STATUS_A) & RTC_UIP); spin++)
        ;
    if (spin == 10000000)
        return false;
    for (int i = 0; i < 6; i++)
        raw[i] = cmos(idx[i]);
    raw[ARCH_RTC_CENTURY] = cmos(creg);
    raw[ARCH_RTC_STATUS_B] = cmos(0x0B);
    return true;
}

bool
arch_rtc_read(uint8_t raw[ARCH_RTC_NREGS])
{
    uint8_t again[ARCH_RTC_NREGS];
    uint8_t creg = century_reg();
    if (!read_once(raw, creg))
        return false;
    for (int tries = 0; tries < 10; tries++) {
        if (!read_once(again, creg))
            return false;
        if (memcmp(raw, again, ARCH_RTC_NREGS) == 0)
            return true;            /* two equal reads: no update slipped between */
        memcpy(raw, again, ARCH_RTC_NREGS);
    }
    return false;
}
