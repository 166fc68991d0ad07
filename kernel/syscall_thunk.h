/*
 * Typed system-call thunks: how a row of kernel/syscall_table.def becomes a
 * call with the handler's C argument types. The trap hands over six raw
 * 64-bit registers; a thunk passes each to the handler's prototype, so C's
 * conversion "as if by assignment" narrows it to the declared type: an
 * `int` argument keeps the low 32 bits, sign-extended (GCC defines the
 * out-of-range signed conversion as modulo 2^32), an `unsigned int` keeps
 * them zero-extended, `long`/`uptr`/`size_t` keep all 64. This is what Linux
 * does: glibc loads an int into the 32-bit register, leaving the upper half
 * zero, so wait4(-1) arrives as 0xffffffff and must mean -1.
 * The dispatcher is kernel/syscall.c; the host test is syscall_thunk_test.c.
 */
#pragma once
#include "kernel/compiler.h"

/* A user-space address, as a system call receives it: never dereferenced,
 * only handed to the uaccess copy functions. */
typedef uint64_t uptr;

/* One dispatch-table slot. */
struct syscall_entry {
    long (*call)(const uint64_t *a);    /* the thunk; NULL: not implemented */
    const char *name;                   /* "wait4" */
    const char *proto;                  /* "(int pid, uptr status, ...)"; NULL: untyped */
};

/* SYSCALL_ARITY((int pid, uptr status)) is 2, SYSCALL_ARITY((void)) is 0. */
#define SYSCALL_CAT_(a, b) a##b
#define SYSCALL_CAT(a, b) SYSCALL_CAT_(a, b)
#define SYSCALL_SECOND_(a, b, ...) b
#define SYSCALL_SECOND(...) SYSCALL_SECOND_(__VA_ARGS__)
#define SYSCALL_FIRST_(a, ...) a
/* The first parameter pasted after SYSCALL_PROBE_ expands to "~, 1" only
 * when it is the single word void. */
#define SYSCALL_PROBE_void ~, 1
#define SYSCALL_IS_VOID(first) SYSCALL_SECOND(SYSCALL_CAT(SYSCALL_PROBE_, first), 0, ~)
#define SYSCALL_COUNT_(a1, a2, a3, a4, a5, a6, n, ...) n
#define SYSCALL_COUNT(...) SYSCALL_COUNT_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define SYSCALL_ARITY_IF_0(n) n
#define SYSCALL_ARITY_IF_1(n) 0
#define SYSCALL_ARITY_(...)                                                   \
    SYSCALL_CAT(SYSCALL_ARITY_IF_, SYSCALL_IS_VOID(SYSCALL_FIRST_(__VA_ARGS__, ~))) \
    (SYSCALL_COUNT(__VA_ARGS__))
#define SYSCALL_ARITY(args) SYSCALL_ARITY_ args

/* The first n registers, in the ABI's order (rdi rsi rdx r10 r8 r9). */
#define SYSCALL_REGS_0
#define SYSCALL_REGS_1 a[0]
#define SYSCALL_REGS_2 a[0], a[1]
#define SYSCALL_REGS_3 a[0], a[1], a[2]
#define SYSCALL_REGS_4 a[0], a[1], a[2], a[3]
#define SYSCALL_REGS_5 a[0], a[1], a[2], a[3], a[4]
#define SYSCALL_REGS_6 a[0], a[1], a[2], a[3], a[4], a[5]

/* Declare handler fn with the row's types (a mismatch with its prototype in
 * kernel/sys.h is then a compile error), and define the thunk that calls it
 * with the registers converted to those types. */
#define SYSCALL_DECLARE(fn, args) long fn args;
#define SYSCALL_THUNK(name, fn, args)                                         \
    static long syscall_thunk_##name(const uint64_t *a)                        \
    {                                                                          \
        (void)a;                                                               \
        return fn(SYSCALL_CAT(SYSCALL_REGS_, SYSCALL_ARITY(args)));            \
    }
/* The slot for a typed row. */
#define SYSCALL_SLOT(nr, name, args) [nr] = { syscall_thunk_##name, #name, #args },

/* A row in the old four-field form (no argument list): the handler takes
 * six raw registers, as before typed rows. Kept so that rows added on other
 * branches still build; scripts/gen-syscalls.py --check (lint) rejects them. */
#define SYSCALL_THUNK_UNTYPED(name, fn)                                         \
    static long syscall_thunk_##name(const uint64_t *a)                        \
    {                                                                          \
        typedef long (*raw_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t); \
        raw_fn volatile f = (raw_fn)(void (*)(void))fn; /* volatile: no call-type warning */ \
        return f(a[0], a[1], a[2], a[3], a[4], a[5]);                         \
    }
#define SYSCALL_SLOT_UNTYPED(nr, name) [nr] = { syscall_thunk_##name, #name, NULL },

/* SYSCALL(...) with five fields is a typed row, with four an untyped one. */
#define SYSCALL_PICK_(a1, a2, a3, a4, a5, which, ...) which
#define SYSCALL_PICK(typed, untyped, ...) SYSCALL_PICK_(__VA_ARGS__, typed, untyped, ~)

/* Format the arguments a of a call declared proto (a "(int pid, ...)"
 * string, or NULL for three raw registers) into buf for strace=: signed
 * types in decimal, after narrowing, everything else in hex. Returns buf. */
char *syscall_fmt_args(char *buf, size_t n, const char *proto, const uint64_t *a);
