/*
 * evict: send every foreign process on this node home (wisp_evict), and
 * print how many went.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "wisp.h"

int
main(void)
{
    long n = wisp_evict();
    if (n < 0) {
        fprintf(stderr, "evict: %s\n", strerror(errno));
        return 1;
    }
    printf("evict: %ld process%s sent home\n", n, n == 1 ? "" : "es");
    return 0;
}
