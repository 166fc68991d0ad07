/*
 * strace= argument formatting from a row's declared prototype (the
 * "(int pid, uptr status, ...)" string of kernel/syscall_table.def): each
 * argument is narrowed as the thunk narrows it (kernel/syscall_thunk.h) and
 * printed in decimal when its type is signed, in hex otherwise. The
 * dispatcher that prints it is kernel/syscall.c.
 */
#include "kernel/lib.h"
#include "kernel/syscall_thunk.h"

enum argkind { ARG_INT, ARG_UINT, ARG_LONG, ARG_HEX };

/* The kind of the parameter declaration in p[0..len): its type is every
 * word but the last (the name). */
static enum argkind
kind_of(const char *p, size_t len)
{
    size_t end = len;
    while (end > 0 && p[end - 1] != ' ' && p[end - 1] != '*')
        end--;                          /* drop the parameter's name */
    bool is_unsigned = false, is_long = false, is_int = false;
    for (size_t i = 0; i < end;) {
        while (i < end && p[i] == ' ')
            i++;
        size_t w = i;
        while (i < end && p[i] != ' ')
            i++;
        if (i - w == 8 && !strncmp(p + w, "unsigned", 8))
            is_unsigned = true;
        else if (i - w == 4 && !strncmp(p + w, "long", 4))
            is_long = true;
        else if (i - w == 3 && !strncmp(p + w, "int", 3))
            is_int = true;
        else if (i > w)
            return ARG_HEX;             /* uptr, size_t, uint64_t, pointers */
    }
    if (is_long)
        return is_unsigned ? ARG_HEX : ARG_LONG;
    if (is_int || is_unsigned)
        return is_unsigned ? ARG_UINT : ARG_INT;
    return ARG_HEX;
}

static int
fmt_one(char *buf, size_t n, enum argkind k, uint64_t v)
{
    switch (k) {
    case ARG_INT:
        return k_snprintf(buf, n, "%d", (int)v);
    case ARG_UINT:
        return k_snprintf(buf, n, "%u", (unsigned)v);
    case ARG_LONG:
        return k_snprintf(buf, n, "%ld", (long)v);
    default:
        return k_snprintf(buf, n, "0x%lx", (unsigned long)v);
    }
}

char *
syscall_fmt_args(char *buf, size_t n, const char *proto, const uint64_t *a)
{
    if (!n)
        return buf;
    buf[0] = 0;
    if (!proto) {
        k_snprintf(buf, n, "0x%lx, 0x%lx, 0x%lx, ...", (unsigned long)a[0],
                   (unsigned long)a[1], (unsigned long)a[2]);
        return buf;
    }
    size_t used = 0;
    const char *p = proto + (*proto == '(');
    for (int i = 0; i < 6 && *p && *p != ')'; i++) {
        while (*p == ' ')
            p++;
        size_t len = 0;
        while (p[len] && p[len] != ',' && p[len] != ')')
            len++;
        if (len == 4 && !strncmp(p, "void", 4))
            break;
        if (i > 0 && used < n)
            used += (size_t)k_snprintf(buf + used, n - used, ", ");
        if (used < n)
            used += (size_t)fmt_one(buf + used, n - used, kind_of(p, len), a[i]);
        p += len + (p[len] == ',');
    }
    return buf;
}
