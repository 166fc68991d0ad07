/*
 * Tests of the typed system-call thunks (kernel/syscall_thunk.h) and of the
 * strace= formatting (syscall_fmt.c): raw 64-bit registers reach a handler
 * narrowed to its declared types, as Linux narrows them; the real table
 * declares the argument types glibc relies on.
 */
// TEST_SRCS: kernel/syscall_fmt.c kernel/lib_printf.c
#include "kernel/lib.h"
#include "kernel/syscall_thunk.h"
#include "tests/host/test.h"

static int64_t seen[6];
static int calls;

static long
h_mixed(int pid, uptr p, unsigned int u, long l, size_t n, int last)
{
    seen[0] = pid, seen[1] = (int64_t)p, seen[2] = u, seen[3] = l, seen[4] = (int64_t)n,
    seen[5] = last;
    calls++;
    return pid;
}

static long
h_void(void)
{
    calls++;
    return 42;
}

static long
h_raw(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    seen[0] = (int64_t)a0, seen[5] = (int64_t)a5;
    return 7;
}

/* A small table in the same two row forms kernel/syscall.c accepts. */
#define TEST_TABLE(X)                                                          \
    X(0, mixed, h_mixed, LOCAL,                                                \
      (int pid, uptr p, unsigned int u, long l, size_t n, int last))           \
    X(1, nothing, h_void, HOME, (void))                                        \
    X(2, raw, h_raw, LOCAL)
#define T_TYPED(nr, name, fn, where, args) SYSCALL_THUNK(name, fn, args)
#define T_UNTYPED(nr, name, fn, where) SYSCALL_THUNK_UNTYPED(name, fn)
#define T_ROW(...) SYSCALL_PICK(T_TYPED, T_UNTYPED, __VA_ARGS__)(__VA_ARGS__)
TEST_TABLE(T_ROW)
#undef T_TYPED
#undef T_UNTYPED
#define T_TYPED(nr, name, fn, where, args) SYSCALL_SLOT(nr, name, args)
#define T_UNTYPED(nr, name, fn, where) SYSCALL_SLOT_UNTYPED(nr, name)
static const struct syscall_entry tab[] = { TEST_TABLE(T_ROW) };

static void
test_thunk_int_minus_one_from_low_half(void)
{
    const uint64_t a[6] = { 0xffffffffu, 0, 0, 0, 0, 0 };
    EXPECT_EQ(tab[0].call(a), -1);
    EXPECT_EQ(seen[0], -1);
}

static void
test_thunk_int_drops_upper_half(void)
{
    const uint64_t a[6] = { 0x100000005ull, 0, 0x1ffffffffull, 0, 0, 0xdead00000003ull };
    EXPECT_EQ(tab[0].call(a), 5);
    EXPECT_EQ(seen[2], 0xffffffffll);           /* unsigned int: zero-extended */
    EXPECT_EQ(seen[5], 3);
}

static void
test_thunk_wide_types_keep_64_bits(void)
{
    const uint64_t a[6] = { 1, 0x7fff12345678ull, 2, (uint64_t)-5ll, 0xffffffff0ull, 0 };
    tab[0].call(a);
    EXPECT_EQ(seen[1], 0x7fff12345678ll);
    EXPECT_EQ(seen[3], -5);
    EXPECT_EQ(seen[4], 0xffffffff0ll);
}

static void
test_thunk_void_and_untyped_rows(void)
{
    const uint64_t a[6] = { 9, 0, 0, 0, 0, 0xffffffffffull };
    calls = 0;
    EXPECT_EQ(tab[1].call(a), 42);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(tab[2].call(a), 7);
    EXPECT_EQ(seen[5], 0xffffffffffll);
    EXPECT_TRUE(tab[2].proto == NULL);
    EXPECT_STREQ(tab[1].proto, "(void)");
    EXPECT_STREQ(tab[0].name, "mixed");
}

static void
test_thunk_arity(void)
{
    EXPECT_EQ(SYSCALL_ARITY((void)), 0);
    EXPECT_EQ(SYSCALL_ARITY((int fd)), 1);
    EXPECT_EQ(SYSCALL_ARITY((uptr path, int flags, unsigned int mode)), 3);
    EXPECT_EQ(SYSCALL_ARITY((long a, long b, long c, long d, long e, long f)), 6);
}

/* The real table: the calls whose int arguments glibc passes in 32 bits. */
struct row { const char *name, *proto; };
#define SYSCALL_TYPED_(nr, name, fn, where, args) { #name, #args },
#define SYSCALL_UNTYPED_(nr, name, fn, where) { #name, NULL },
#define SYSCALL(...) SYSCALL_PICK(SYSCALL_TYPED_, SYSCALL_UNTYPED_, __VA_ARGS__)(__VA_ARGS__)
static const struct row rows[] = {
#include "kernel/syscall_table.def"
};

static const char *
proto_of(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
        if (!strcmp(rows[i].name, name))
            return rows[i].proto;
    return "(missing)";
}

static void
test_table_declares_int_arguments(void)
{
    EXPECT_STREQ(proto_of("wait4"), "(int pid, uptr status, int options, uptr rusage)");
    EXPECT_STREQ(proto_of("kill"), "(int pid, int sig)");
    EXPECT_STREQ(proto_of("close"), "(int fd)");
    EXPECT_STREQ(proto_of("getpid"), "(void)");
}

static void
test_fmt_narrows_per_type(void)
{
    char buf[128];
    const uint64_t a[6] = { 0xffffffffu, 0x1000, 0x1ffffffffull, (uint64_t)-3ll, 16, 0 };
    EXPECT_STREQ(syscall_fmt_args(buf, sizeof buf,
                                  "(int pid, uptr status, unsigned int u, long off, size_t n)", a),
                 "-1, 0x1000, 4294967295, -3, 0x10");
    EXPECT_STREQ(syscall_fmt_args(buf, sizeof buf, "(void)", a), "");
    EXPECT_STREQ(syscall_fmt_args(buf, sizeof buf, NULL, a), "0xffffffff, 0x1000, 0x1ffffffff, ...");
    EXPECT_STREQ(syscall_fmt_args(buf, 6, "(int a, int b)", a), "-1, 4");
}

void
tests_run(void)
{
    RUN(test_thunk_int_minus_one_from_low_half);
    RUN(test_thunk_int_drops_upper_half);
    RUN(test_thunk_wide_types_keep_64_bits);
    RUN(test_thunk_void_and_untyped_rows);
    RUN(test_thunk_arity);
    RUN(test_table_declares_int_arguments);
    RUN(test_fmt_narrows_per_type);
}
