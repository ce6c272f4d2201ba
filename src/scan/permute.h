/* A pseudo-random permutation of 0..n-1, produced one element at a time in
 * O(1) memory: a walk of the multiplicative group of integers modulo a
 * prime p > n, from a random start with a random generator, skipping the
 * values that fall outside the range (zmap orders its probes the same
 * way). */
#ifndef PS_SCAN_PERMUTE_H
#define PS_SCAN_PERMUTE_H

#include <stdint.h>

/* splitmix64: the seed expander for everything random in a scan. */
static inline uint64_t ps__rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct ps__perm {
    uint64_t n;      /* elements: 0..n-1 */
    uint64_t prime;  /* smallest prime above n (2 for n <= 1) */
    uint64_t gen;    /* a generator of the group mod prime */
    uint64_t first;  /* the walk's start, in 1..prime-1 */
    uint64_t cur;    /* next group element to map, 0 when done */
};

/* Largest n supported: the prime must stay below 2^32 so that products
 * of two group elements fit 64 bits. */
#define PS__PERM_MAX_N 4000000000ull

/* Starts a permutation of 0..n-1 (n <= PS__PERM_MAX_N) drawn from *rng.
 * Returns 0, or -1 when n is too large. n == 0 gives an empty walk. */
int ps__perm_init(struct ps__perm *pm, uint64_t n, uint64_t *rng);

/* The next element: returns 1 and sets *out, or 0 when every element has
 * been produced. */
int ps__perm_next(struct ps__perm *pm, uint64_t *out);

/* Exposed for tests. */
uint64_t ps__next_prime(uint64_t n);
int ps__is_generator(uint64_t g, uint64_t prime);

#endif
