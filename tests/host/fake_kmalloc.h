/*
 * Controls for the host fake of kmalloc (tests/host/fake_kmalloc.c).
 */
#pragma once

/* -1: never fail; n >= 0: the allocation after n more succeed returns NULL
 * (and every one after it, until reset to -1). */
extern long fake_kmalloc_fail_after;
