/*
 * The fault injector's decisions, kept pure so they are tested on the host
 * (net_fault_test.c): a seeded random stream and, per frame, whether to
 * pass, drop, duplicate or hold it back (reorder). Applying the decision to
 * real frames, and counting it, is net_netif.c's job; the knobs come from
 * netdrop= netdup= netreorder= netseed= on the command line (net_core.c).
 */
#include "kernel/errno.h"
#include "net/net_int.h"

/* splitmix64: tiny, fast, and every seed (even 0) gives a good stream. */
uint64_t
net_fault_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t
net_fault_stream(uint64_t seed, unsigned which)
{
    uint64_t s = seed ^ (0x5851f42d4c957f2dull * (which + 1));
    return net_fault_next(&s);
}

/* One draw in [0, 10000): the three percentages are taken as consecutive
 * bands, so drop + dup + reorder > 100 simply leaves nothing to pass. */
enum net_fault_action
net_fault_decide(uint64_t *state, unsigned drop, unsigned dup, unsigned reorder)
{
    if (drop == 0 && dup == 0 && reorder == 0)
        return NET_FAULT_PASS;   /* no draw: the stream is untouched when off */
    unsigned r = (unsigned)(net_fault_next(state) % 10000);
    unsigned edge = MIN(drop, 100u) * 100;
    if (r < edge)
        return NET_FAULT_DROP;
    edge += MIN(dup, 100u) * 100;
    if (r < edge)
        return NET_FAULT_DUP;
    edge += MIN(reorder, 100u) * 100;
    if (r < edge)
        return NET_FAULT_REORDER;
    return NET_FAULT_PASS;
}

int
net_fault_parse_percent(const char *s, unsigned *out)
{
    unsigned v = 0;
    int digits = 0;
    if (!s)
        return -EINVAL;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (unsigned)(*s++ - '0');
        if (++digits > 3)
            return -EINVAL;
    }
    if (*s == '%')
        s++;
    if (digits == 0 || *s != '\0' || v > 100)
        return -EINVAL;
    *out = v;
    return 0;
}
