/*
 * Controls for the host fake of arch's page tables (tests/host/fake_pt.c):
 * a page table is a small array of (va, pa, flags) entries, enough for
 * the vm module's host tests.
 */
#pragma once
#include <stdint.h>

/* -1: never fail; n >= 0: n more new page tables (one per 2 MiB of
 * address space) can be had, then arch_pt_map fails with -ENOMEM where it
 * would need another. */
extern long fake_pt_fail_after;
/* Entries in the table of root. */
int fake_pt_count(uint64_t root);
