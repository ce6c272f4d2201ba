/* ps_registry_search(): ranked full-text search. */
#include "ps_test.h"

#include <stdlib.h>
#include <string.h>

static const char corpus[] =
    "bio         7/tcp                 # Photographs quokkas everywhere\n"
    "animal      6/tcp                 # Feeds the quokka at noon\n"
    "thing       5/tcp  quokkas-alias  # Alias containing the word\n"
    "bigquokka   4/tcp                 # Name containing the word\n"
    "quokkad     3/tcp                 # Name starting with the word\n"
    "marsupial   2/tcp  quokka         # Alias equal to the word\n"
    "quokka      1/tcp                 # Name equal to the word\n"
    "unrelated   8/tcp                 # Nothing to see\n"
    "tie         20/udp                # tie quokkas\n"
    "tie         20/tcp                # tie quokkas\n"
    "tie         10/udp                # tie quokkas\n";

struct result {
    struct ps_match *m;
    size_t n;
    int rc;
};

static struct result search(const struct ps_registry *reg, size_t nwords, ...)
{
    const char *words[8];
    va_list ap;
    va_start(ap, nwords);
    for (size_t i = 0; i < nwords && i < 8; i++)
        words[i] = va_arg(ap, const char *);
    va_end(ap);
    struct result r = {(struct ps_match *)1, 12345, 0};
    r.rc = ps_registry_search(reg, words, nwords, &r.m, &r.n);
    return r;
}

static void ranking(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(corpus, PS_FORMAT_SERVICES);
    struct result r = search(reg, 1, "quokka");
    assert_int_equal(r.rc, 0);
    /* The seven kinds of match, best first, then the three ties. */
    static const char *const order[] = {"quokka", "marsupial", "quokkad",
        "bigquokka", "thing", "animal", "bio", "tie", "tie", "tie"};
    assert_int_equal(r.n, 10);
    for (size_t i = 0; i < r.n; i++) {
        if (strcmp(r.m[i].service->name, order[i]) != 0)
            fail_msg("rank %zu: got %s, expected %s", i, r.m[i].service->name,
                     order[i]);
        assert_true(r.m[i].score > 0);
    }
    /* Exact name above alias above prefix above part above description:
     * each kind scores strictly lower than the one before. */
    for (size_t i = 1; i < 7; i++)
        assert_true(r.m[i - 1].score > r.m[i].score);
    /* A word in a description outranks the same letters inside a word. */
    assert_true(r.m[5].score > r.m[6].score);
    free(r.m);
    ps_registry_free(reg);
}

static void equal_scores_ordered_by_port_then_proto(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(corpus, PS_FORMAT_SERVICES);
    struct result r = search(reg, 1, "tie");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.m[0].score, r.m[1].score);
    assert_int_equal(r.m[1].score, r.m[2].score);
    assert_int_equal(r.m[0].service->port, 10);
    assert_int_equal(r.m[1].service->port, 20);
    assert_int_equal(r.m[1].service->proto, PS_PROTO_TCP);
    assert_int_equal(r.m[2].service->port, 20);
    assert_int_equal(r.m[2].service->proto, PS_PROTO_UDP);
    free(r.m);
    ps_registry_free(reg);
}

static void words_ignore_case(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(corpus, PS_FORMAT_SERVICES);
    struct result a = search(reg, 1, "quokka"), b = search(reg, 1, "QuOKKa");
    assert_int_equal(b.rc, 0);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_ptr_equal(a.m[i].service, b.m[i].service);
        assert_int_equal(a.m[i].score, b.m[i].score);
    }
    struct result c = search(reg, 1, "PHOTOGRAPHS");
    assert_int_equal(c.n, 1);
    assert_string_equal(c.m[0].service->name, "bio");
    free(a.m);
    free(b.m);
    free(c.m);
    ps_registry_free(reg);
}

static void all_words_must_match(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(corpus, PS_FORMAT_SERVICES);
    struct result r = search(reg, 2, "quokka", "noon");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.m[0].service->name, "animal");
    struct result one = search(reg, 1, "quokka");
    /* Two matching words score more than one. */
    for (size_t i = 0; i < one.n; i++)
        if (one.m[i].service == r.m[0].service)
            assert_true(r.m[0].score > one.m[i].score);
    free(one.m);
    free(r.m);

    /* Words may match different fields of the same record. */
    r = search(reg, 2, "marsupial", "equal");
    assert_int_equal(r.n, 1);
    assert_string_equal(r.m[0].service->name, "marsupial");
    free(r.m);

    r = search(reg, 2, "quokka", "absent");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.n, 0);
    assert_null(r.m);

    r = search(reg, 1, "zzzz-nothing");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.n, 0);
    assert_null(r.m);
    ps_registry_free(reg);
}

static void bad_words(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(corpus, PS_FORMAT_SERVICES);
    struct result r = search(reg, 1, "");
    assert_int_equal(r.rc, PS_EINVAL);
    assert_null(r.m);
    assert_int_equal(r.n, 0);
    r = search(reg, 2, "quokka", "");
    assert_int_equal(r.rc, PS_EINVAL);
    assert_null(r.m);
    r = search(reg, 0);
    assert_int_equal(r.rc, PS_EINVAL);
    assert_null(r.m);
    r = search(reg, 2, "quokka", (const char *)NULL);
    assert_int_equal(r.rc, PS_EINVAL);
    ps_registry_free(reg);
}

static void searches_builtin_table(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_add_builtin(reg), 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    struct result r = search(reg, 1, "ssh");
    assert_int_equal(r.rc, 0);
    assert_true(r.n >= 2);
    assert_string_equal(r.m[0].service->name, "ssh");
    assert_int_equal(r.m[0].service->port, 22);
    assert_int_equal(r.m[0].service->proto, PS_PROTO_TCP);
    for (size_t i = 1; i < r.n; i++)
        assert_true(r.m[i - 1].score >= r.m[i].score);
    free(r.m);
    ps_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranking),
        cmocka_unit_test(equal_scores_ordered_by_port_then_proto),
        cmocka_unit_test(words_ignore_case),
        cmocka_unit_test(all_words_must_match),
        cmocka_unit_test(bad_words),
        cmocka_unit_test(searches_builtin_table),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
