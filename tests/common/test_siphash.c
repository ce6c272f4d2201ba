/* SipHash-2-4 (src/common/siphash.c) against the 64 test vectors of the
 * reference implementation (key 00 01 .. 0f, messages 00, 00 01, ...,
 * 00 .. 3e), plus properties the probe cookies rely on. */
#include "ps_test.h"

#include <string.h>

#include "common/siphash.h"

/* vectors_sip64 of the reference code, read as little-endian words. */
static const uint64_t vectors[64] = {
    0x726fdb47dd0e0e31, 0x74f839c593dc67fd, 0x0d6c8009d9a94f5a, 0x85676696d7fb7e2d,
    0xcf2794e0277187b7, 0x18765564cd99a68d, 0xcbc9466e58fee3ce, 0xab0200f58b01d137,
    0x93f5f5799a932462, 0x9e0082df0ba9e4b0, 0x7a5dbbc594ddb9f3, 0xf4b32f46226bada7,
    0x751e8fbc860ee5fb, 0x14ea5627c0843d90, 0xf723ca908e7af2ee, 0xa129ca6149be45e5,
    0x3f2acc7f57c29bdb, 0x699ae9f52cbe4794, 0x4bc1b3f0968dd39c, 0xbb6dc91da77961bd,
    0xbed65cf21aa2ee98, 0xd0f2cbb02e3b67c7, 0x93536795e3a33e88, 0xa80c038ccd5ccec8,
    0xb8ad50c6f649af94, 0xbce192de8a85b8ea, 0x17d835b85bbb15f3, 0x2f2e6163076bcfad,
    0xde4daaaca71dc9a5, 0xa6a2506687956571, 0xad87a3535c49ef28, 0x32d892fad841c342,
    0x7127512f72f27cce, 0xa7f32346f95978e3, 0x12e0b01abb051238, 0x15e034d40fa197ae,
    0x314dffbe0815a3b4, 0x027990f029623981, 0xcadcd4e59ef40c4d, 0x9abfd8766a33735c,
    0x0e3ea96b5304a7d0, 0xad0c42d6fc585992, 0x187306c89bc215a9, 0xd4a60abcf3792b95,
    0xf935451de4f21df2, 0xa9538f0419755787, 0xdb9acddff56ca510, 0xd06c98cd5c0975eb,
    0xe612a3cb9ecba951, 0xc766e62cfcadaf96, 0xee64435a9752fe72, 0xa192d576b245165a,
    0x0a8787bf8ecb74b2, 0x81b3e73d20b49b6f, 0x7fa8220ba3b2ecea, 0x245731c13ca42499,
    0xb78dbfaf3a8d83bd, 0xea1ad565322a1a0b, 0x60e61c23a3795013, 0x6606d7e446282b93,
    0x6ca4ecb15c5f91e1, 0x9f626da15c9625f3, 0xe51b38608ef25f57, 0x958a324ceb064572,
};

static void reference_key(uint8_t key[16])
{
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
}

static void test_reference_vectors(void **state)
{
    uint8_t key[16], msg[64];
    (void)state;
    reference_key(key);
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    for (size_t len = 0; len < 64; len++) {
        uint64_t h = ps__siphash24(key, msg, len);
        if (h != vectors[len])
            fail_msg("length %zu: got %016llx, want %016llx", len,
                     (unsigned long long)h, (unsigned long long)vectors[len]);
    }
}

/* An empty message may come as NULL (no pointer arithmetic on it). */
static void test_empty_null(void **state)
{
    uint8_t key[16];
    (void)state;
    reference_key(key);
    assert_true(ps__siphash24(key, NULL, 0) == vectors[0]);
}

/* The input is read byte by byte: an unaligned copy hashes the same. */
static void test_unaligned(void **state)
{
    uint8_t key[16], buf[80];
    (void)state;
    reference_key(key);
    for (size_t shift = 1; shift < 8; shift++) {
        for (int i = 0; i < 40; i++)
            buf[shift + (size_t)i] = (uint8_t)i;
        assert_true(ps__siphash24(key, buf + shift, 40) == vectors[40]);
    }
}

/* Every key bit and every message bit changes the result (the cookie of a
 * probe must not survive a changed address or port). */
static void test_bits_matter(void **state)
{
    uint8_t key[16], msg[37];
    (void)state;
    reference_key(key);
    memset(msg, 0x5a, sizeof msg);
    uint64_t base = ps__siphash24(key, msg, sizeof msg);
    for (size_t bit = 0; bit < 8 * sizeof msg; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << bit % 8);
        assert_true(ps__siphash24(key, msg, sizeof msg) != base);
        msg[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    for (size_t bit = 0; bit < 128; bit++) {
        key[bit / 8] ^= (uint8_t)(1u << bit % 8);
        assert_true(ps__siphash24(key, msg, sizeof msg) != base);
        key[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    /* The length is hashed too: trailing zero bytes are not ignored. */
    uint8_t zeros[16] = {0};
    assert_true(ps__siphash24(key, zeros, 8) != ps__siphash24(key, zeros, 9));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_vectors),
        cmocka_unit_test(test_empty_null),
        cmocka_unit_test(test_unaligned),
        cmocka_unit_test(test_bits_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
