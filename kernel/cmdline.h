/*
 * The kernel command line: space-separated key=value words (a bare word is a
 * key with an empty value); a value may be double-quoted to hold spaces.
 * Known keys are documented in docs/boot.md (node, nodes, ip, test,
 * init, ...). Pure logic, tested on the host.
 */
#pragma once
#include "kernel/compiler.h"

#define CMDLINE_MAX_ARGS 64
#define CMDLINE_KEY_MAX  32
#define CMDLINE_VAL_MAX  256

struct cmdline_arg {
    char key[CMDLINE_KEY_MAX];
    char val[CMDLINE_VAL_MAX];
};

struct cmdline {
    int n;                  /* words kept */
    int nbad;               /* words skipped as unparsable */
    struct cmdline_arg arg[CMDLINE_MAX_ARGS];
};

/* Parse s into out. Every word that parses is kept; a word that does not
 * (too many words, key or value too long, unterminated quote, empty key,
 * control characters) is skipped and counted in out->nbad, and its reason
 * appended to err as one line ("cmdline: R at word W; R2 at word W2").
 * Returns 0, or -EINVAL when any word was skipped. */
MUST_CHECK int cmdline_parse(const char *s, struct cmdline *out, char *err, size_t errlen);
/* Where the words start once a loader's image path is skipped. QEMU's
 * multiboot -kernel and some GRUB versions put the kernel's file name first;
 * it may be of any length. The first word is taken for an image path when it
 * holds no '=' or '"' but holds '/', '\\' or '.' (no key does). Returns s
 * itself when the first word is not an image path. */
const char *cmdline_skip_image(const char *s);
/* Value of the last occurrence of key, "" for a bare word, NULL if absent. */
const char *cmdline_get(const struct cmdline *c, const char *key);
/* Unsigned decimal (or 0x hex) value of key; *out = def when absent.
 * Returns 0, or -EINVAL when present but not a number or out of range. */
MUST_CHECK int cmdline_get_u64(const struct cmdline *c, const char *key, uint64_t def,
                               uint64_t *out);
