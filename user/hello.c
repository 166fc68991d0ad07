/*
 * The smallest user program: one line on stdout, exit 0. The first thing
 * the QEMU tests run (tests/qemu/user_hello.sh) to see that exec, write
 * and exit work at all.
 */
#include <stdio.h>

int
main(void)
{
    puts("hello from wisp");
    return 0;
}
