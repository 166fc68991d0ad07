/*
 * Helpers shared by the check programs (user/utest.c, jctest.c, memhog.c,
 * fuzz.c): CHECK, which records why a check failed in `why` and returns
 * -1 from the check, and a monotonic clock and a sleep in milliseconds
 * (the sleep resumed when a signal interrupts it).
 */
#pragma once
#include <errno.h>
#include <stdio.h>
#include <time.h>

__attribute__((unused)) static char why[512];

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf(why, sizeof why, __VA_ARGS__);                                                \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

static inline long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline void
sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
