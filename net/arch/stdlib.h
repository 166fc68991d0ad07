/*
 * <stdlib.h> for lwIP's own sources (mk/net.mk): lwIP wants only atoi
 * (netif_find parses "en0"-style names). A static helper, so the kernel
 * gains no libc symbol.
 */
#pragma once

static inline int
net_lwip_atoi(const char *s)
{
    int v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}
#define atoi net_lwip_atoi
