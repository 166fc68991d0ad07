/*
 * Controls for the host fake of kernel/sync.h (tests/host/fake_sync.c).
 */
#pragma once
struct waitq;

/* Called, with the lock dropped, whenever code under test waits on q; it
 * should make the awaited condition true. NULL: a wait ASSERTs, and a timed
 * wait returns -ETIMEDOUT at once. */
extern void (*fake_sync_wait_hook)(struct waitq *q);
