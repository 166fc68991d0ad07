/*
 * Word-at-a-time copy and Internet checksum for the network path
 * (net/net_copy.c). No lwIP types, so lwipopts.h can name them as MEMCPY
 * and LWIP_CHKSUM, and host tests can link them.
 */
#pragma once
#include <stdint.h>

/* memcpy for non-overlapping buffers of any alignment. Returns d. */
void *net_copy(void *d, const void *s, unsigned long n);
/* One's-complement sum of len bytes (not inverted), as lwIP's own. */
uint16_t net_chksum(const void *data, int len);
