/*
 * Tests of the wire cursor (wire.c): big-endian layout, strings, overruns
 * remembered (never a read or write past the buffer), bad strings.
 */
#include "kernel/wire.h"
#include "tests/host/test.h"

static void
test_wire_round_trip(void)
{
    uint8_t buf[64];
    struct wire w;
    wire_init_put(&w, buf, sizeof(buf));
    wire_put_u8(&w, 0xab);
    wire_put_u16(&w, 0x1234);
    wire_put_u32(&w, 0xdeadbeef);
    wire_put_u64(&w, 0x0102030405060708ull);
    wire_put_str(&w, "name");
    EXPECT_TRUE(wire_ok(&w));
    EXPECT_EQ(wire_used(&w), 1 + 2 + 4 + 8 + 2 + 4);
    EXPECT_EQ(buf[1], 0x12);                 /* big-endian */
    EXPECT_EQ(buf[7], 0x01);
    char s[8];
    wire_init_get(&w, buf, wire_used(&w));
    EXPECT_EQ(wire_get_u8(&w), 0xab);
    EXPECT_EQ(wire_get_u16(&w), 0x1234);
    EXPECT_EQ(wire_get_u32(&w), 0xdeadbeef);
    EXPECT_TRUE(wire_get_u64(&w) == 0x0102030405060708ull);
    EXPECT_EQ(wire_get_str(&w, s, sizeof(s)), 4);
    EXPECT_STREQ(s, "name");
    EXPECT_TRUE(wire_ok(&w));
    EXPECT_EQ(wire_left(&w), 0);
}

static void
test_wire_overruns(void)
{
    uint8_t buf[5];
    struct wire w;
    wire_init_put(&w, buf, sizeof(buf));
    wire_put_u32(&w, 1);
    wire_put_u32(&w, 2);                      /* does not fit: remembered */
    wire_put_u8(&w, 3);                       /* and nothing after it is written */
    EXPECT_TRUE(!wire_ok(&w));
    EXPECT_EQ(wire_used(&w), 4);
    wire_init_get(&w, buf, 3);
    EXPECT_EQ(wire_get_u32(&w), 0);
    EXPECT_TRUE(!wire_ok(&w));
    EXPECT_TRUE(wire_get_ref(&w, 1) == NULL);
}

static void
test_wire_bad_strings(void)
{
    uint8_t buf[16] = { 0, 3, 'a', 0, 'b' };  /* a NUL inside */
    char s[8];
    struct wire w;
    wire_init_get(&w, buf, 5);
    wire_get_str(&w, s, sizeof(s));
    EXPECT_TRUE(!wire_ok(&w));
    EXPECT_STREQ(s, "");
    uint8_t big[16] = { 0, 9, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i' };
    wire_init_get(&w, big, 11);
    wire_get_str(&w, s, sizeof(s));           /* longer than the room */
    EXPECT_TRUE(!wire_ok(&w));
    uint8_t shortlen[4] = { 0, 200, 'a', 'b' };
    wire_init_get(&w, shortlen, 4);
    wire_get_str(&w, s, sizeof(s));           /* length past the end */
    EXPECT_TRUE(!wire_ok(&w));
}

void
tests_run(void)
{
    RUN(test_wire_round_trip);
    RUN(test_wire_overruns);
    RUN(test_wire_bad_strings);
}
