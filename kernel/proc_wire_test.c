/*
 * Host tests of the home ops' encoding (kernel/proc_wire.c): values come
 * back as written, and a short, overlong or truncated message sets the
 * sticky -EBADMSG instead of reading past its end.
 */
#include <string.h>
#include "kernel/errno.h"
#include "kernel/proc_int.h"
#include "tests/host/test.h"

static void
test_wire_round_trip(void)
{
    uint8_t buf[64];
    char s[16];
    struct proc_enc e = { buf, 0, sizeof buf, 0 };
    proc_put_u32(&e, 0x01020304);
    proc_put_u64(&e, 0x1122334455667788ull);
    proc_put_str(&e, "sleep");
    EXPECT_EQ(e.err, 0);
    EXPECT_EQ(buf[0], 1);          /* big-endian */
    struct proc_dec d = { buf, e.len, 0, 0 };
    EXPECT_EQ(proc_get_u32(&d), 0x01020304);
    EXPECT_EQ(proc_get_u64(&d), 0x1122334455667788ull);
    proc_get_str(&d, s, sizeof s);
    EXPECT_STREQ(s, "sleep");
    EXPECT_EQ(d.err, 0);
}

static void
test_wire_short_message_is_refused(void)
{
    uint8_t buf[3] = { 0, 0, 0 };
    struct proc_dec d = { buf, sizeof buf, 0, 0 };
    EXPECT_EQ(proc_get_u32(&d), 0);
    EXPECT_EQ(d.err, -EBADMSG);
    EXPECT_EQ(proc_get_u32(&d), 0);    /* sticky */
}

static void
test_wire_string_longer_than_buffer_is_refused(void)
{
    uint8_t buf[64];
    char s[4];
    struct proc_enc e = { buf, 0, sizeof buf, 0 };
    proc_put_str(&e, "toolong");
    struct proc_dec d = { buf, e.len, 0, 0 };
    proc_get_str(&d, s, sizeof s);
    EXPECT_EQ(d.err, -EBADMSG);
    EXPECT_STREQ(s, "");
    uint8_t lie[4] = { 0, 0, 0, 200 };    /* says 200 bytes follow, none do */
    struct proc_dec d2 = { lie, sizeof lie, 0, 0 };
    char big[256];
    proc_get_str(&d2, big, sizeof big);
    EXPECT_EQ(d2.err, -EBADMSG);
}

static void
test_wire_full_buffer_is_an_error(void)
{
    uint8_t buf[6];
    struct proc_enc e = { buf, 0, sizeof buf, 0 };
    proc_put_u32(&e, 1);
    proc_put_u32(&e, 2);
    EXPECT_EQ(e.err, -EMSGSIZE);
    EXPECT_EQ(e.len, 4);
}

void
tests_run(void)
{
    RUN(test_wire_round_trip);
    RUN(test_wire_short_message_is_refused);
    RUN(test_wire_string_longer_than_buffer_is_refused);
    RUN(test_wire_full_buffer_is_an_error);
}
