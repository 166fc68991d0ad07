/*
 * CRC32C (Castagnoli, reflected polynomial 0x82f63b78), the checksum of
 * every WFS metadata structure (docs/wfs.md "Checksums"). Table-driven,
 * one byte at a time; the table is built on first use (building it twice
 * from two threads writes the same values, so no lock is needed).
 */
#include "fs/wfs_int.h"

static uint32_t table[256];
static bool table_ready;

static void
build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        table[i] = c;
    }
    table_ready = true;
}

/* seed 0 gives the standard CRC32C of the bytes ("123456789" ->
 * 0xe3069283); a non-zero seed chains or personalises the sum. */
uint32_t
wfs_crc32c(uint32_t seed, const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t c = ~seed;

    if (!table_ready)
        build_table();
    while (n--)
        c = table[(c ^ *b++) & 0xff] ^ (c >> 8);
    return ~c;
}
