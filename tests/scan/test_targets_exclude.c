/* Scan targets (portscope/targets.h): the order of targets, iterators,
 * and exclusions. The helpers are in targets_test.h. */
#include "targets_test.h"

/* ---- Order and iterators ------------------------------------------------ */

static void test_order_and_iterators(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.5");
    add_ok(t, "198.18.0.1-3");
    add_ok(t, "2001:db8::1");
    add_ok(t, "198.18.0.2"); /* twice, produced twice */
    add_ok(t, "127.0.0.1");
    assert_int_equal(ps_targets_count(t), 7);
    expect_walk(t, "198.18.0.5 198.18.0.1 198.18.0.2 198.18.0.3 2001:db8::1 "
                "198.18.0.2 127.0.0.1");

    /* Two iterators at once do not disturb each other. */
    struct ps_target_iter *a = ps_target_iter_new(t), *b = ps_target_iter_new(t);
    assert_non_null(a);
    assert_non_null(b);
    struct ps_target ta, tb;
    char s1[64], s2[64];
    assert_int_equal(ps_target_iter_next(a, &ta), 1);
    assert_int_equal(ps_target_iter_next(a, &ta), 1);
    assert_int_equal(ps_target_iter_next(b, &tb), 1);
    assert_string_equal(fmt_ip(&ta.ip, s1), "198.18.0.1");
    assert_string_equal(fmt_ip(&tb.ip, s2), "198.18.0.5");
    assert_null(ta.name);
    assert_int_equal(ta.ip.family, AF_INET);
    /* An IPv4 address is its 4 bytes, then zeros. */
    static const uint8_t want[16] = {198, 18, 0, 1};
    assert_memory_equal(ta.ip.bytes, want, 16);
    ps_target_iter_free(a);
    for (int i = 0; i < 6; i++)
        assert_int_equal(ps_target_iter_next(b, &tb), 1);
    assert_string_equal(fmt_ip(&tb.ip, s2), "127.0.0.1");
    assert_int_equal(ps_target_iter_next(b, &tb), 0);
    ps_target_iter_free(b);

    /* An iterator freed half-way through a spec. */
    a = ps_target_iter_new(t);
    assert_int_equal(ps_target_iter_next(a, &ta), 1);
    ps_target_iter_free(a);
    ps_targets_free(t);

    /* An empty list. */
    t = new_list();
    assert_int_equal(ps_targets_count(t), 0);
    expect_walk(t, "");
    ps_targets_free(t);
}

/* ---- Exclusions --------------------------------------------------------- */

static void test_exclude_middle(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/28");
    exclude_ok(t, "198.18.0.4/30");
    assert_int_equal(ps_targets_count(t), 12);
    expect_walk(t, "198.18.0.0 198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.8 "
                "198.18.0.9 198.18.0.10 198.18.0.11 198.18.0.12 198.18.0.13 "
                "198.18.0.14 198.18.0.15");
    /* A second list, the exclusion first: the same result. */
    struct ps_targets *u = new_list();
    exclude_ok(u, "198.18.0.4/30");
    add_ok(u, "198.18.0.0/28");
    assert_int_equal(ps_targets_count(u), 12);
    char *wt = walk(t), *wu = walk(u);
    assert_string_equal(wt, wu);
    free(wt);
    free(wu);
    ps_targets_free(u);

    /* Both ends and a single address. */
    exclude_ok(t, "198.18.0.0,198.18.0.15,198.18.0.10");
    assert_int_equal(ps_targets_count(t), 9);
    expect_walk(t, "198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.8 198.18.0.9 "
                "198.18.0.11 198.18.0.12 198.18.0.13 198.18.0.14");
    ps_targets_free(t);

    /* The middle of a /24 as octet ranges. */
    t = new_list();
    add_ok(t, "198.18.0.0/24");
    exclude_ok(t, "198.18.0.64-191");
    assert_int_equal(ps_targets_count(t), 128);
    struct ps_target_iter *it = ps_target_iter_new(t);
    struct ps_target tg;
    char a[64];
    for (int i = 0; i < 64; i++)
        assert_int_equal(ps_target_iter_next(it, &tg), 1);
    assert_string_equal(fmt_ip(&tg.ip, a), "198.18.0.63");
    assert_int_equal(ps_target_iter_next(it, &tg), 1);
    assert_string_equal(fmt_ip(&tg.ip, a), "198.18.0.192");
    ps_target_iter_free(it);
    assert_int_equal(walk_count(t, NULL), 128);
    ps_targets_free(t);
}

static void test_exclude_everything(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/24");
    add_ok(t, "198.18.5.1-9");
    add_ok(t, "198.18.7,9.*");
    exclude_ok(t, "198.18.0.0/16");
    assert_int_equal(ps_targets_count(t), 0);
    expect_walk(t, "");
    ps_targets_free(t);

    /* All of IPv4 minus all of IPv4, in one jump. */
    t = new_list();
    add_ok(t, "0.0.0.0/0");
    add_ok(t, "198.18.0.1");
    add_ok(t, "2001:db8::1"); /* not an IPv4 address: stays */
    exclude_ok(t, "*.*.*.*");
    assert_int_equal(ps_targets_count(t), 1);
    expect_walk(t, "2001:db8::1");
    ps_targets_free(t);
}

static void test_exclude_overlapping(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/24");
    exclude_ok(t, "198.18.0.10-20,198.18.0.15-30,198.18.0.31,198.18.0.12");
    assert_int_equal(ps_targets_count(t), 256 - 22);
    exclude_ok(t, "198.18.0.0/27"); /* covers the earlier ones */
    exclude_ok(t, "198.18.0.32/27");
    exclude_ok(t, "198.18.0.0/26"); /* and again */
    assert_int_equal(ps_targets_count(t), 192);
    expect_first(t, 1, "198.18.0.64");
    assert_int_equal(walk_count(t, NULL), 192);

    /* Adjacent exclusions merge; specs repeated are excluded each time. */
    add_ok(t, "198.18.0.60-70");
    assert_int_equal(ps_targets_count(t), 192 + 7);
    ps_targets_free(t);
}

static void test_exclude_octets_and_cidr(void **state)
{
    (void)state;
    /* Octet-range targets with CIDR and single exclusions. */
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0-3.1-10");
    exclude_ok(t, "198.18.1.0/24,198.18.2.5,198.18.3.10-200");
    assert_int_equal(ps_targets_count(t), 40 - 10 - 1 - 1);
    char *w = walk(t);
    assert_null(strstr(w, "198.18.1."));
    assert_null(strstr(w, "198.18.2.5 "));
    assert_null(strstr(w, "198.18.3.10"));
    assert_non_null(strstr(w, "198.18.2.4 198.18.2.6"));
    free(w);
    assert_int_equal(walk_count(t, NULL), 28);
    ps_targets_free(t);

    /* A CIDR block minus octet ranges: every .0 and .255 of a /16. */
    t = new_list();
    add_ok(t, "198.18.0.0/16");
    exclude_ok(t, "198.18.*.0");
    exclude_ok(t, "198.18.*.255");
    assert_int_equal(ps_targets_count(t), 65536 - 512);
    struct ps_target_iter *it = ps_target_iter_new(t);
    struct ps_target tg;
    uint64_t n = 0;
    while (ps_target_iter_next(it, &tg) == 1) {
        assert_int_not_equal(tg.ip.bytes[3], 0);
        assert_int_not_equal(tg.ip.bytes[3], 255);
        n++;
    }
    ps_target_iter_free(it);
    assert_int_equal(n, 65536 - 512);
    ps_targets_free(t);

    /* Octet ranges minus octet ranges. */
    t = new_list();
    add_ok(t, "198.18.1-4.1-4");
    exclude_ok(t, "198.18.2-3.2-3");
    assert_int_equal(ps_targets_count(t), 12);
    expect_walk(t, "198.18.1.1 198.18.1.2 198.18.1.3 198.18.1.4 198.18.2.1 "
                "198.18.2.4 198.18.3.1 198.18.3.4 198.18.4.1 198.18.4.2 "
                "198.18.4.3 198.18.4.4");
    ps_targets_free(t);

    /* IPv6: the middle of a /120; IPv4 exclusions leave IPv6 alone. */
    t = new_list();
    add_ok(t, "2001:db8::/120");
    add_ok(t, "::ffff:198.18.0.1");
    exclude_ok(t, "2001:db8::80/121,198.18.0.0/15");
    assert_int_equal(ps_targets_count(t), 129);
    struct ps_ip last;
    char a[64];
    assert_int_equal(walk_count(t, &last), 129);
    assert_string_equal(fmt_ip(&last, a), "::ffff:198.18.0.1");
    exclude_ok(t, "2001:db8::/96");
    assert_int_equal(ps_targets_count(t), 1);
    ps_targets_free(t);
}

static void test_exclude_is_fast(void **state)
{
    (void)state;
    /* All of IPv4 minus everything but the last /24: the iterator must
     * jump over excluded blocks, not test 2^32 addresses one by one. */
    struct ps_targets *t = new_list();
    add_ok(t, "0.0.0.0/0");
    char list[1024] = "";
    uint32_t base = 0;
    for (int p = 1; p <= 24; p++) {
        char item[40];
        snprintf(item, sizeof item, "%s%u.%u.%u.%u/%d", p > 1 ? "," : "",
                 base >> 24, (base >> 16) & 255, (base >> 8) & 255, base & 255,
                 p);
        strcat(list, item);
        base |= UINT32_C(1) << (32 - p);
    }
    exclude_ok(t, list);
    assert_int_equal(ps_targets_count(t), 256);
    struct ps_ip last;
    char a[64];
    assert_int_equal(walk_count(t, &last), 256);
    assert_string_equal(fmt_ip(&last, a), "255.255.255.255");
    expect_first(t, 1, "255.255.255.0");
    ps_targets_free(t);

    /* A /8 minus a /16 (both pure parse strings) and a /12 walked. */
    t = new_list();
    add_ok(t, "198.0.0.0/8");
    exclude_ok(t, "198.18.0.0/16");
    assert_int_equal(ps_targets_count(t), (UINT64_C(1) << 24) - 65536);
    ps_targets_free(t);
    t = new_list();
    add_ok(t, "198.16.0.0/12");
    exclude_ok(t, "198.18.0.0/16");
    assert_int_equal(ps_targets_count(t), (UINT64_C(1) << 20) - 65536);
    assert_int_equal(walk_count(t, NULL), (UINT64_C(1) << 20) - 65536);
    ps_targets_free(t);

    /* Many small exclusions (every other address of a /16). */
    t = new_list();
    add_ok(t, "198.18.0.0/16");
    size_t cap = 32768 * 16;
    char *big = malloc(cap), *p = big;
    assert_non_null(big);
    for (unsigned i = 0; i < 65536; i += 2)
        p += sprintf(p, "%s198.18.%u.%u", i ? "," : "", i >> 8, i & 255);
    exclude_ok(t, big);
    free(big);
    assert_int_equal(ps_targets_count(t), 32768);
    expect_first(t, 3, "198.18.0.1 198.18.0.3 198.18.0.5");
    assert_int_equal(walk_count(t, NULL), 32768);
    ps_targets_free(t);
}

static void test_exclude_errors(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/24");
    exclude_ok(t, "198.18.0.0/25");
    char err[256];
    check_err("empty item", ps_targets_exclude(t, "198.18.0.200,,198.18.0.201",
                                               err, sizeof err),
              PS_EPARSE, err, "item 2 is empty");
    check_err("trailing comma", ps_targets_exclude(t, "198.18.0.200,", err,
                                                   sizeof err),
              PS_EPARSE, err, "item 2 is empty");
    check_err("empty", ps_targets_exclude(t, "", err, sizeof err), PS_EPARSE,
              err, "item 1 is empty");
    check_err("bad", ps_targets_exclude(t, "198.18.0.200,198.18.0.300", err,
                                        sizeof err),
              PS_ERANGE, err, "198.18.0.300: octet 4 is above 255");
    check_err("v6", ps_targets_exclude(t, "198.18.0.200,2001:db8::/64", err,
                                       sizeof err),
              PS_ERANGE, err, "more than 2^32");
    check_err("host", ps_targets_exclude(t, "web.test", err, sizeof err),
              PS_EUNSUPP, err, "name resolution is off");
    check_err("split", ps_targets_exclude(t, "*.*.*.1", err, sizeof err),
              PS_ELIMIT, err, "*.*.*.1: excluding it takes more than 65536");
    /* Nothing of the failed lists was applied. */
    assert_int_equal(ps_targets_count(t), 128);
    expect_first(t, 1, "198.18.0.128");
    /* 256 splits are fine. */
    exclude_ok(t, "*.*.255.1");
    assert_int_equal(ps_targets_count(t), 128);
    ps_targets_free(t);

    /* Hostnames in exclusions, through the fake resolver. */
    struct fake f;
    t = fake_list(0, &f, NULL);
    add_ok(t, "198.18.1.8/29");
    exclude_ok(t, "web.test,v4only.test/31");
    assert_int_equal(ps_targets_count(t), 5);
    expect_walk(t, "198.18.1.8 198.18.1.9 198.18.1.11 198.18.1.14 198.18.1.15");
    check_err("missing", ps_targets_exclude(t, "missing.test", err, sizeof err),
              PS_ENOENT, err, "missing.test: hostname does not resolve");
    ps_targets_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_iterators),
        cmocka_unit_test(test_exclude_middle),
        cmocka_unit_test(test_exclude_everything),
        cmocka_unit_test(test_exclude_overlapping),
        cmocka_unit_test(test_exclude_octets_and_cidr),
        cmocka_unit_test(test_exclude_is_fast),
        cmocka_unit_test(test_exclude_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
