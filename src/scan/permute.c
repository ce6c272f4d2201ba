/* Cyclic-group permutations (permute.h). */
#include <stddef.h>

#include "scan/permute.h"

static int is_prime(uint64_t n)
{
    if (n < 2)
        return 0;
    for (uint64_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

uint64_t ps__next_prime(uint64_t n)
{
    uint64_t p = n + 1;

    while (!is_prime(p))
        p++;
    return p;
}

static uint64_t pow_mod(uint64_t base, uint64_t exp, uint64_t mod)
{
    uint64_t result = 1;

    base %= mod;
    while (exp) {
        if (exp & 1)
            result = result * base % mod;
        base = base * base % mod;
        exp >>= 1;
    }
    return result;
}

/* g generates the group mod prime iff g^((prime-1)/q) != 1 for every prime
 * factor q of prime-1. */
int ps__is_generator(uint64_t g, uint64_t prime)
{
    uint64_t order = prime - 1, rest = order;

    if (prime == 2)
        return g == 1;
    if (g < 2 || g >= prime)
        return 0;
    for (uint64_t q = 2; q * q <= rest; q++) {
        if (rest % q)
            continue;
        if (pow_mod(g, order / q, prime) == 1)
            return 0;
        while (rest % q == 0)
            rest /= q;
    }
    if (rest > 1 && pow_mod(g, order / rest, prime) == 1)
        return 0;
    return 1;
}

int ps__perm_init(struct ps__perm *pm, uint64_t n, uint64_t *rng)
{
    if (n > PS__PERM_MAX_N)
        return -1;
    pm->n = n;
    pm->prime = n <= 1 ? 2 : ps__next_prime(n);
    if (pm->prime == 2) {
        pm->gen = 1;
    } else {
        /* About a third of candidates are generators for typical primes,
         * so this ends after a few draws. */
        do
            pm->gen = 2 + ps__rng_next(rng) % (pm->prime - 2);
        while (!ps__is_generator(pm->gen, pm->prime));
    }
    pm->first = 1 + ps__rng_next(rng) % (pm->prime - 1);
    pm->cur = n ? pm->first : 0;
    return 0;
}

int ps__perm_next(struct ps__perm *pm, uint64_t *out)
{
    while (pm->cur) {
        uint64_t value = pm->cur - 1;

        pm->cur = pm->cur * pm->gen % pm->prime;
        if (pm->cur == pm->first)
            pm->cur = 0;  /* back at the start: the walk is complete */
        if (value < pm->n) {
            *out = value;
            return 1;
        }
    }
    return 0;
}
