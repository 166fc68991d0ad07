/*
 * Host tests of the client's directory read-ahead (fs/fs_rmt_dirbuf.c): a
 * listing goes on from a kept reply (dot entries skipped, the directory's
 * end seen), a listing's start always asks the server and drops the
 * directory's older replies, a name changed
 * through this node or an old reply makes it ask again, and a reply of
 * another directory or one that stops short answers nothing.
 */
// TEST_SRCS: fs/fsproto.c kernel/wire.c tests/host/fake_sync.c
#include "fs/fs_rmt.h"
#include "tests/host/test.h"

static uint64_t fake_now;

uint64_t
arch_time_ns(void)
{
    return fake_now;
}

/* A reply from cookie `from`: entries named by names, entry i at cookie
 * from + i, its next from + i + 1. */
static size_t
reply(uint8_t *buf, uint64_t from, const char *const *names, int n)
{
    size_t used = 0;
    for (int i = 0; i < n; i++)
        used += fsproto_dirent_put(buf + used, FS_RMT_DIRBUF_BYTES - used, from + i + 1,
                                   100 + (uint32_t)(from + i), 8, names[i], strlen(names[i]));
    return used;
}

static const struct fsproto_fh dir = { 7, 1 }, other = { 8, 1 };
static const char *const names[] = { ".", "..", "a", "b", "c" };

static void
test_dirbuf_a_listing_goes_on_from_the_kept_reply(void)
{
    uint8_t buf[FS_RMT_DIRBUF_BYTES];
    struct fs_dirent de;
    fake_now = 1000;
    fs_rmt_dirbuf_changed();
    fs_rmt_dirbuf_put(dir, 0, buf, reply(buf, 0, names, 5), true);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 0, &de), -1);     /* a new listing asks */
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 3, &de), 0);      /* "a" was at 2: next is 3 */
    EXPECT_TRUE(strcmp(de.name, "b") == 0);
    EXPECT_EQ(de.next, 4);
    EXPECT_EQ(de.ino, 103);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 4, &de), 0);
    EXPECT_TRUE(strcmp(de.name, "c") == 0);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 5, &de), 1);      /* the directory's end */
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 1, &de), 0);      /* from "..": skipped */
    EXPECT_TRUE(strcmp(de.name, "a") == 0);
    EXPECT_EQ(fs_rmt_dirbuf_get(other, 3, &de), -1);   /* another directory */
}

static void
test_dirbuf_a_reply_that_stops_short_answers_nothing_past_it(void)
{
    uint8_t buf[FS_RMT_DIRBUF_BYTES];
    struct fs_dirent de;
    fake_now = 1000;
    fs_rmt_dirbuf_changed();
    fs_rmt_dirbuf_put(dir, 10, buf, reply(buf, 10, names + 2, 2), false);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 11, &de), 0);
    EXPECT_TRUE(strcmp(de.name, "b") == 0);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 12, &de), -1);    /* past it, not the end */
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 5, &de), -1);     /* before it */
}

static void
test_dirbuf_a_change_or_age_makes_it_ask_again(void)
{
    uint8_t buf[FS_RMT_DIRBUF_BYTES];
    struct fs_dirent de;
    fake_now = 1000;
    fs_rmt_dirbuf_put(dir, 0, buf, reply(buf, 0, names, 5), true);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 3, &de), 0);
    fs_rmt_dirbuf_changed();
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 3, &de), -1);
    fs_rmt_dirbuf_put(dir, 0, buf, reply(buf, 0, names, 5), true);
    fake_now += 3000000000ull;
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 3, &de), -1);
    uint64_t hit, miss;
    fs_rmt_dirbuf_stats(&hit, &miss);
    EXPECT_TRUE(hit >= 1 && miss >= 2);
}

static void
test_dirbuf_many_directories_keep_the_recent_ones(void)
{
    uint8_t buf[FS_RMT_DIRBUF_BYTES];
    struct fs_dirent de;
    fake_now = 1000;
    fs_rmt_dirbuf_changed();
    for (uint32_t i = 0; i < 20; i++)
        fs_rmt_dirbuf_put((struct fsproto_fh){ 100 + i, 1 }, 0, buf, reply(buf, 0, names, 5),
                          true);
    EXPECT_EQ(fs_rmt_dirbuf_get((struct fsproto_fh){ 119, 1 }, 3, &de), 0);
    EXPECT_EQ(fs_rmt_dirbuf_get((struct fsproto_fh){ 100, 1 }, 3, &de), -1);
}

/* The failure CI saw: a listing went on from a reply kept from the one
 * before it, and showed a name another node had removed in between. */
static void
test_dirbuf_a_new_listing_drops_the_older_replies(void)
{
    static const char *const first[] = { ".", "..", "a", "b" };
    static const char *const more_old[] = { "f7", "f8" };
    static const char *const more_new[] = { "f7", "g0" };
    uint8_t buf[FS_RMT_DIRBUF_BYTES];
    struct fs_dirent de;
    fake_now = 1000;
    fs_rmt_dirbuf_changed();
    fs_rmt_dirbuf_put(dir, 0, buf, reply(buf, 0, first, 4), false);
    fs_rmt_dirbuf_put(dir, 4, buf, reply(buf, 4, more_old, 2), true);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 5, &de), 0);
    EXPECT_TRUE(strcmp(de.name, "f8") == 0);
    /* The next listing starts: its continuation is not the old one's. */
    fs_rmt_dirbuf_put(dir, 0, buf, reply(buf, 0, first, 4), false);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 3, &de), 0);
    EXPECT_TRUE(strcmp(de.name, "b") == 0);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 5, &de), -1);     /* asks the server */
    fs_rmt_dirbuf_put(dir, 4, buf, reply(buf, 4, more_new, 2), true);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 5, &de), 0);
    EXPECT_TRUE(strcmp(de.name, "g0") == 0);
    /* Another directory's replies stay. */
    fs_rmt_dirbuf_put(other, 0, buf, reply(buf, 0, names, 5), true);
    fs_rmt_dirbuf_put(dir, 0, buf, reply(buf, 0, first, 4), false);
    EXPECT_EQ(fs_rmt_dirbuf_get(other, 3, &de), 0);
    EXPECT_TRUE(strcmp(de.name, "b") == 0);
}

/* A reply at a cookie already kept takes its slot: one directory listed
 * over and over does not push the others out. */
static void
test_dirbuf_a_reply_at_a_kept_cookie_takes_its_slot(void)
{
    uint8_t buf[FS_RMT_DIRBUF_BYTES];
    struct fs_dirent de;
    fake_now = 1000;
    fs_rmt_dirbuf_changed();
    for (uint32_t i = 0; i < 7; i++)
        fs_rmt_dirbuf_put((struct fsproto_fh){ 100 + i, 1 }, 0, buf, reply(buf, 0, names, 5),
                          true);
    for (int k = 0; k < 20; k++)
        fs_rmt_dirbuf_put(dir, 10, buf, reply(buf, 10, names + 2, 2), false);
    for (uint32_t i = 0; i < 7; i++)
        EXPECT_EQ(fs_rmt_dirbuf_get((struct fsproto_fh){ 100 + i, 1 }, 3, &de), 0);
    EXPECT_EQ(fs_rmt_dirbuf_get(dir, 11, &de), 0);
}

void
tests_run(void)
{
    RUN(test_dirbuf_a_listing_goes_on_from_the_kept_reply);
    RUN(test_dirbuf_a_reply_that_stops_short_answers_nothing_past_it);
    RUN(test_dirbuf_a_change_or_age_makes_it_ask_again);
    RUN(test_dirbuf_many_directories_keep_the_recent_ones);
    RUN(test_dirbuf_a_new_listing_drops_the_older_replies);
    RUN(test_dirbuf_a_reply_at_a_kept_cookie_takes_its_slot);
}
