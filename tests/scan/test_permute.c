/* The probe order (src/scan/permute.c): every element exactly once, for
 * sizes around primes and batch bounds; seeds change the order; the
 * generator test agrees with brute force. */
#include "ps_test.h"

#include <stdlib.h>
#include <string.h>

#include "scan/permute.h"

/* Walks a permutation of n and checks it is a bijection on 0..n-1. */
static void check_bijection(uint64_t n, uint64_t seed)
{
    struct ps__perm pm;
    uint64_t rng = seed, v, count = 0;
    uint8_t *seen = calloc(n ? n : 1, 1);

    assert_non_null(seen);
    assert_int_equal(ps__perm_init(&pm, n, &rng), 0);
    while (ps__perm_next(&pm, &v)) {
        if (v >= n)
            fail_msg("n=%llu: value %llu out of range", (unsigned long long)n,
                     (unsigned long long)v);
        if (seen[v])
            fail_msg("n=%llu: value %llu twice", (unsigned long long)n,
                     (unsigned long long)v);
        seen[v] = 1;
        count++;
    }
    assert_int_equal(count, n);
    assert_int_equal(ps__perm_next(&pm, &v), 0); /* stays finished */
    free(seen);
}

static void test_bijection_sizes(void **state)
{
    static const uint64_t sizes[] = {0, 1, 2, 3, 4, 5, 6, 7, 10, 100, 1000,
                                     65535, 65536, 65537, 100003, 1u << 21};
    (void)state;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (uint64_t seed = 1; seed <= 3; seed++)
            check_bijection(sizes[i], seed * 7919);
}

static void first_values(uint64_t seed, uint64_t *out, size_t k)
{
    struct ps__perm pm;
    uint64_t rng = seed;
    assert_int_equal(ps__perm_init(&pm, 65535, &rng), 0);
    for (size_t i = 0; i < k; i++)
        assert_int_equal(ps__perm_next(&pm, &out[i]), 1);
}

static void test_seed_changes_order(void **state)
{
    uint64_t a[32], b[32], c[32];
    (void)state;
    first_values(1, a, 32);
    first_values(1, b, 32);
    first_values(2, c, 32);
    assert_memory_equal(a, b, sizeof a);          /* same seed, same order */
    assert_true(memcmp(a, c, sizeof a) != 0);     /* other seed, other order */
    /* Not the identity order: a scan must not walk ports in sequence. */
    int ascending = 1;
    for (size_t i = 1; i < 32; i++)
        ascending &= a[i] == a[i - 1] + 1;
    assert_false(ascending);
}

static void test_next_prime(void **state)
{
    (void)state;
    assert_int_equal(ps__next_prime(1), 2);
    assert_int_equal(ps__next_prime(2), 3);
    assert_int_equal(ps__next_prime(65535), 65537);
    assert_int_equal(ps__next_prime(65537), 65539);
    assert_int_equal(ps__next_prime(100), 101);
}

/* Brute force: g generates iff its powers reach every element. */
static int brute_generator(uint64_t g, uint64_t p)
{
    uint64_t x = 1, steps = 0;
    do {
        x = x * g % p;
        steps++;
    } while (x != 1 && steps < p);
    return steps == p - 1;
}

static void test_generator(void **state)
{
    static const uint64_t primes[] = {3, 5, 7, 11, 13, 101, 257, 65537};
    (void)state;
    for (size_t i = 0; i < sizeof primes / sizeof primes[0]; i++)
        for (uint64_t g = 2; g < primes[i] && g < 300; g++)
            assert_int_equal(ps__is_generator(g, primes[i]),
                             brute_generator(g, primes[i]));
}

static void test_too_large(void **state)
{
    struct ps__perm pm;
    uint64_t rng = 1;
    (void)state;
    assert_int_equal(ps__perm_init(&pm, PS__PERM_MAX_N + 1, &rng), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bijection_sizes),
        cmocka_unit_test(test_seed_changes_order),
        cmocka_unit_test(test_next_prime),
        cmocka_unit_test(test_generator),
        cmocka_unit_test(test_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
