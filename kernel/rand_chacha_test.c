/*
 * ChaCha20 against RFC 8439's published test vectors: the block function
 * (2.3.2), appendix A.1 test vector #1 (all-zero key and nonce), and the
 * encryption example of 2.4.2 (keystream from counter 1 over two blocks).
 */
#include "kernel/rand.h"
#include "tests/host/test.h"

static void
hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static void
key_0_to_31(uint32_t key[8])
{
    for (int i = 0; i < 8; i++)
        key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 | (uint32_t)(4 * i + 2) << 16 |
                 (uint32_t)(4 * i + 3) << 24;
}

static void
test_chacha_block_rfc8439_2_3_2(void)
{
    uint32_t key[8];
    key_0_to_31(key);
    const uint32_t nonce[3] = { 0x09000000, 0x4a000000, 0x00000000 };
    uint8_t out[64], want[64];
    rand_chacha_block(key, 1, nonce, out);
    hex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e", want, 64);
    EXPECT_TRUE(memcmp(out, want, 64) == 0);
}

static void
test_chacha_block_rfc8439_a1_zero_key(void)
{
    const uint32_t key[8] = { 0 }, nonce[3] = { 0 };
    uint8_t out[64], want[64];
    rand_chacha_block(key, 0, nonce, out);
    hex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
        "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586", want, 64);
    EXPECT_TRUE(memcmp(out, want, 64) == 0);
}

static void
test_chacha_encrypt_rfc8439_2_4_2(void)
{
    static const char plain[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                                "only one tip for the future, sunscreen would be it.";
    size_t n = sizeof(plain) - 1;       /* 114 bytes */
    uint32_t key[8];
    key_0_to_31(key);
    const uint32_t nonce[3] = { 0x00000000, 0x4a000000, 0x00000000 };
    uint8_t ks[128], want[114];
    rand_chacha_block(key, 1, nonce, ks);
    rand_chacha_block(key, 2, nonce, ks + 64);
    hex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
        "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
        "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
        "5af90bbf74a35be6b40b8eedf2785e42874d", want, n);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += (uint8_t)(plain[i] ^ ks[i]) != want[i];
    EXPECT_EQ(bad, 0);
}

void
tests_run(void)
{
    RUN(test_chacha_block_rfc8439_2_3_2);
    RUN(test_chacha_block_rfc8439_a1_zero_key);
    RUN(test_chacha_encrypt_rfc8439_2_4_2);
}
