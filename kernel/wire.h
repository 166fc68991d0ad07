/*
 * Explicit encode/decode of messages (STYLE.md's `wire` module): a cursor
 * over a caller's fixed buffer that writes or reads big-endian integers,
 * byte strings and length-prefixed names, and remembers the first overrun
 * instead of failing each call. A message is checked once, at the end
 * (wire_ok), so a decoder reads like the format it decodes, and a
 * truncated or oversized message can never read or write out of bounds.
 * Nothing here allocates.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wire {
    uint8_t *p;
    size_t len;       /* bytes in the buffer (decode) or its capacity (encode) */
    size_t pos;
    bool err;         /* an overrun or a bad field: the message is refused */
};

/* Encode into buf (cap bytes) / decode the len bytes at buf. */
void wire_init_put(struct wire *w, void *buf, size_t cap);
void wire_init_get(struct wire *w, const void *buf, size_t len);

void wire_put_u8(struct wire *w, uint8_t v);
void wire_put_u16(struct wire *w, uint16_t v);
void wire_put_u32(struct wire *w, uint32_t v);
void wire_put_u64(struct wire *w, uint64_t v);
void wire_put_bytes(struct wire *w, const void *p, size_t n);
/* A u16 length, then the bytes of s (no NUL). */
void wire_put_str(struct wire *w, const char *s);

uint8_t  wire_get_u8(struct wire *w);
uint16_t wire_get_u16(struct wire *w);
uint32_t wire_get_u32(struct wire *w);
uint64_t wire_get_u64(struct wire *w);
void     wire_get_bytes(struct wire *w, void *p, size_t n);
/* n bytes in place (NULL and err set if fewer are left). */
const uint8_t *wire_get_ref(struct wire *w, size_t n);
/* A string as wire_put_str wrote it, NUL-terminated into buf (cap bytes):
 * err if it does not fit or holds a NUL. Returns its length. */
size_t wire_get_str(struct wire *w, char *buf, size_t cap);

/* Marks the message bad (a decoder found a field out of range). */
void wire_fail(struct wire *w);
/* No overrun and no bad field so far. */
bool wire_ok(const struct wire *w);
/* Bytes written or read so far; bytes left to read. */
size_t wire_used(const struct wire *w);
size_t wire_left(const struct wire *w);
