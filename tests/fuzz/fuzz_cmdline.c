/*
 * libFuzzer target: kernel/cmdline.c. Any byte string (made NUL-terminated)
 * parses or is refused with a message; every stored key and value is
 * NUL-terminated within its buffer.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    static struct cmdline c;
    char s[1024], err[128];
    uint64_t v;
    if (len >= sizeof(s))
        len = sizeof(s) - 1;
    memcpy(s, buf, len);
    s[len] = 0;
    err[0] = 0;
    if (cmdline_parse(s, &c, err, sizeof(err)) != 0 && err[0] == 0)
        abort();   /* a refusal says why */
    if (c.n < 0 || c.n > CMDLINE_MAX_ARGS)
        abort();
    for (int i = 0; i < c.n; i++)
        if (!memchr(c.arg[i].key, 0, CMDLINE_KEY_MAX) || !memchr(c.arg[i].val, 0, CMDLINE_VAL_MAX))
            abort();
    (void)cmdline_get_u64(&c, "node", 0, &v);
    return 0;
}
