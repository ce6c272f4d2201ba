/* SipHash-2-4, written from section 2 of the paper: four 64-bit state
 * words, two SipRounds per 8-byte message word, four after the last one.
 * Bytes are read one at a time, so the code needs no alignment and no
 * endianness test. */
#include "common/siphash.h"

static uint64_t rotl64(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

/* Little-endian load of n (at most 8) bytes into the low end of a word. */
static uint64_t load_le(const uint8_t *p, size_t n)
{
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)p[i] << (8 * i);
    return w;
}

/* One SipRound: the ARX network of figure 2.1 of the paper. */
static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl64(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl64(v[0], 32);
    v[2] += v[3];
    v[3] = rotl64(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl64(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl64(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl64(v[2], 32);
}

/* Compression of one message word: c = 2 rounds. */
static void sip_absorb(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    sip_round(v);
    sip_round(v);
    v[0] ^= m;
}

uint64_t ps__siphash24(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t k0 = load_le(key, 8), k1 = load_le(key + 8, 8);
    /* The initial constants spell "somepseudorandomlygeneratedbytes". */
    uint64_t v[4] = {k0 ^ UINT64_C(0x736f6d6570736575),
                     k1 ^ UINT64_C(0x646f72616e646f6d),
                     k0 ^ UINT64_C(0x6c7967656e657261),
                     k1 ^ UINT64_C(0x7465646279746573)};
    size_t whole = len - len % 8;

    for (size_t i = 0; i < whole; i += 8)
        sip_absorb(v, load_le(p + i, 8));
    /* The last word holds the 0 to 7 remaining bytes and, in its top
     * byte, the message length modulo 256. (No pointer arithmetic when
     * nothing remains: data may be NULL.) */
    uint64_t last = len % 8 ? load_le(p + whole, len % 8) : 0;
    sip_absorb(v, last | (uint64_t)(len & 0xff) << 56);

    /* Finalisation: d = 4 rounds. */
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}
