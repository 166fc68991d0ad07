/*
 * Word-at-a-time Internet checksum for the network path (net/net_copy.c).
 * No lwIP types, so lwipopts.h can name it as LWIP_CHKSUM, and host tests
 * can link it.
 */
#pragma once
#include <stdint.h>

/* One's-complement sum of len bytes (not inverted), as lwIP's own. */
uint16_t net_chksum(const void *data, int len);
