/* Merging records from several sources, lookups by name and port, the
 * out/max contract, iteration, and the sealed state. */
#include "ps_test.h"

#include <stdlib.h>
#include <string.h>

static void same_service_merges(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, "svc 100/tcp x1 X2 # first description\n"
                      "other 100/tcp\n", PS_FORMAT_SERVICES, "a", 0);
    ps_test_load(reg, "SVC 100/tcp x2 x3 SVC # second description\n"
                      "svc 100/udp # same name, other transport\n"
                      "svc 101/tcp # same name, other port\n",
                 PS_FORMAT_SERVICES, "b", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    assert_int_equal(ps_registry_count(reg), 4);

    const struct ps_service *out[8];
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 100, out, 8), 2);
    const struct ps_service *s = out[0];
    assert_string_equal(s->name, "svc"); /* the first source's spelling */
    assert_int_equal(s->sources, 3u);    /* both source bits */
    assert_string_equal(ps_service_source(reg, s), "a");
    assert_string_equal(s->description, "first description");
    assert_int_equal(s->alias_count, 3); /* x1 X2 x3: x2 is X2, SVC is the name */
    assert_string_equal(s->aliases[0], "x1");
    assert_string_equal(s->aliases[1], "X2");
    assert_string_equal(s->aliases[2], "x3");
    assert_string_equal(out[1]->name, "other");
    assert_int_equal(out[1]->sources, 1u);

    s = ps_test_get(reg, PS_PROTO_UDP, 100, "svc");
    assert_int_equal(s->sources, 2u);
    assert_string_equal(ps_service_source(reg, s), "b");
    assert_int_equal(ps_test_get(reg, PS_PROTO_TCP, 101, "svc")->sources, 2u);

    /* Every record a source gave is counted, merged ones included. */
    assert_int_equal(ps_registry_source(reg, 0)->records, 2);
    assert_int_equal(ps_registry_source(reg, 1)->records, 3);
    ps_registry_free(reg);
}

static void first_nonempty_description_wins(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, "svc 100/tcp\n", PS_FORMAT_SERVICES, "a", 0);
    ps_test_load(reg, "svc 100/tcp # from b\n", PS_FORMAT_SERVICES, "b", 0);
    ps_test_load(reg, "svc 100/tcp # from c\n", PS_FORMAT_SERVICES, "c", 0);
    ps_test_load(reg, "svc 100/tcp 0.25 # from nmap\n", PS_FORMAT_NMAP, "n", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 100, "svc");
    assert_string_equal(s->description, "from b");
    assert_int_equal(s->sources, 0xfu);
    assert_float_equal(s->frequency, 0.25, 1e-6); /* from the nmap source */
    ps_registry_free(reg);
}

static void builtin_table_and_merge_with_it(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_add_builtin(reg), 0);
    const struct ps_source *b = ps_registry_source(reg, 0);
    assert_string_equal(b->label, "builtin");
    assert_null(b->path);
    assert_int_equal(b->skipped, 0);
    assert_true(b->records > 500);
    size_t before = ps_registry_count(reg);
    assert_true(before > 500);
    ps_test_load(reg, "ssh 22/tcp secure-shell # another description\n"
                      "pst-new 47001/tcp\n", PS_FORMAT_SERVICES, "services", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    assert_int_equal(ps_registry_count(reg), before + 1);

    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 22, "ssh");
    assert_int_equal(s->sources, 3u);
    assert_string_equal(ps_service_source(reg, s), "builtin");
    assert_string_not_equal(s->description, "another description");
    assert_true(ps_test_has_alias(s, "secure-shell"));
    ps_test_get(reg, PS_PROTO_UDP, 53, "domain");
    s = ps_test_get(reg, PS_PROTO_TCP, 6031, "x11");
    assert_int_equal(s->port, 6000);
    assert_int_equal(s->port_end, 6063);
    ps_registry_free(reg);
}

static void name_lookup_ignores_case(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(
        "ssh 22/tcp Secure-Shell\n"
        "ssh 22/udp\n", PS_FORMAT_SERVICES);
    const struct ps_service *out[4];
    static const char *const spellings[] = {"ssh", "SSH", "sSh"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ps_registry_find_name(reg, spellings[i], PS_PROTO_ANY, out, 4), 2);
        assert_int_equal(out[0]->proto, PS_PROTO_TCP);
        assert_int_equal(out[1]->proto, PS_PROTO_UDP);
    }
    assert_int_equal(ps_registry_find_name(reg, "secure-shell", PS_PROTO_ANY, out, 4), 1);
    assert_int_equal(out[0]->port, 22);
    assert_int_equal(ps_registry_find_name(reg, "SECURE-SHELL", PS_PROTO_TCP, out, 4), 1);
    assert_int_equal(ps_registry_find_name(reg, "secure-shell", PS_PROTO_UDP, out, 4), 0);
    assert_int_equal(ps_registry_find_name(reg, "ss", PS_PROTO_ANY, out, 4), 0);
    assert_int_equal(ps_registry_find_name(reg, "sshd", PS_PROTO_ANY, out, 4), 0);
    assert_int_equal(ps_registry_find_name(reg, "", PS_PROTO_ANY, out, 4), 0);
    ps_registry_free(reg);
}

static const char multi_text[] =
    "multi 300/udp\n"
    "multi 100/udp\n"
    "multi 200/sctp\n"
    "other 50/tcp multi\n"
    "multi 100/tcp\n"
    "multi 200/tcp\n";

static void name_results_ordered_by_port_then_proto(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(multi_text, PS_FORMAT_SERVICES);
    const struct ps_service *out[8];
    static const struct { unsigned port; enum ps_proto proto; } want[] = {
        {50, PS_PROTO_TCP}, {100, PS_PROTO_TCP}, {100, PS_PROTO_UDP},
        {200, PS_PROTO_TCP}, {200, PS_PROTO_SCTP}, {300, PS_PROTO_UDP}};
    assert_int_equal(ps_registry_find_name(reg, "MULTI", PS_PROTO_ANY, out, 8), 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(out[i]->port, want[i].port);
        assert_int_equal(out[i]->proto, want[i].proto);
    }
    assert_string_equal(out[0]->name, "other"); /* found by its alias */
    assert_int_equal(ps_registry_find_name(reg, "multi", PS_PROTO_UDP, out, 8), 2);
    assert_int_equal(out[0]->port, 100);
    assert_int_equal(out[1]->port, 300);
    ps_registry_free(reg);
}

static void max_limits_writes_and_total_is_returned(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(multi_text, PS_FORMAT_SERVICES);
    const struct ps_service *out[8];
    const struct ps_service *poison = (const struct ps_service *)&out;
    for (size_t i = 0; i < 8; i++)
        out[i] = poison;
    /* The total comes back; only max entries are written: the smallest. */
    assert_int_equal(ps_registry_find_name(reg, "multi", PS_PROTO_ANY, out, 3), 6);
    assert_int_equal(out[0]->port, 50);
    assert_int_equal(out[1]->port, 100);
    assert_int_equal(out[1]->proto, PS_PROTO_TCP);
    assert_int_equal(out[2]->port, 100);
    assert_int_equal(out[2]->proto, PS_PROTO_UDP);
    for (size_t i = 3; i < 8; i++)
        assert_ptr_equal(out[i], poison);
    assert_int_equal(ps_registry_find_name(reg, "multi", PS_PROTO_ANY, NULL, 0), 6);
    assert_int_equal(ps_registry_find_name(reg, "multi", PS_PROTO_ANY, out, 1), 6);
    assert_int_equal(out[0]->port, 50);

    for (size_t i = 0; i < 8; i++)
        out[i] = poison;
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 200, NULL, 0), 2);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 200, out, 1), 2);
    assert_int_equal(out[0]->proto, PS_PROTO_TCP); /* ANY: in proto order */
    assert_ptr_equal(out[1], poison);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 200, out, 8), 2);
    assert_int_equal(out[1]->proto, PS_PROTO_SCTP);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 70000, out, 8), 0);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_COUNT + 1, 200, out, 8), 0);
    ps_registry_free(reg);
}

static void port_results_in_source_order(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, "zeta 700/tcp\n", PS_FORMAT_SERVICES, "a", 0);
    ps_test_load(reg, "alpha 700/tcp\nzeta 700/tcp\n", PS_FORMAT_SERVICES, "b", 0);
    ps_test_load(reg, "mid 700/tcp\n", PS_FORMAT_SERVICES, "c", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    const struct ps_service *out[4];
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 700, out, 4), 3);
    assert_string_equal(out[0]->name, "zeta");
    assert_string_equal(out[1]->name, "alpha");
    assert_string_equal(out[2]->name, "mid");
    ps_registry_free(reg);
}

static int cmp_ptr(const void *a, const void *b)
{
    const struct ps_service *x = *(const struct ps_service *const *)a;
    const struct ps_service *y = *(const struct ps_service *const *)b;
    return x < y ? -1 : x > y;
}

static void iteration_visits_each_record_once_in_order(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_add_builtin(reg), 0);
    ps_test_load(reg, "service name,port number,transport protocol,Description\n"
                      ",65535,,Reserved\n"
                      "zero,0,tcp,Port zero\n"
                      "wide,60000-65535,udp,Wide range\n",
                 PS_FORMAT_IANA, "iana", 0);
    ps_test_load(reg, multi_text, PS_FORMAT_SERVICES, "multi", 0);
    assert_int_equal(ps_registry_seal(reg), 0);

    size_t total = ps_registry_count(reg), n = 0;
    const struct ps_service **seen = calloc(total + 1, sizeof *seen);
    assert_non_null(seen);
    struct ps_registry_iter it;
    memset(&it, 0, sizeof it);
    const struct ps_service *s, *prev = NULL;
    while ((s = ps_registry_next(reg, &it))) {
        assert_true(n < total);
        seen[n++] = s;
        if (prev) {
            assert_true(prev->port <= s->port);
            if (prev->port == s->port)
                assert_true(prev->proto <= s->proto);
        }
        prev = s;
    }
    assert_int_equal(n, total);
    assert_null(ps_registry_next(reg, &it)); /* stays at the end */
    qsort(seen, n, sizeof *seen, cmp_ptr);
    for (size_t i = 1; i < n; i++)
        assert_ptr_not_equal(seen[i - 1], seen[i]);
    /* The first is port 0, the last port 65535. */
    memset(&it, 0, sizeof it);
    assert_int_equal(ps_registry_next(reg, &it)->port, 0);
    assert_int_equal(prev->port, 65535);
    free(seen);
    ps_registry_free(reg);
}

static void sealed_registry_is_read_only(void **state)
{
    (void)state;
    char path[4096];
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, "svc 100/tcp\n", PS_FORMAT_SERVICES, "a", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    assert_int_equal(ps_registry_seal(reg), PS_ESTATE);
    ps_test_load(reg, "late 101/tcp\n", PS_FORMAT_SERVICES, "late", PS_ESTATE);
    ps_test_data_path("services.txt", path, sizeof path);
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_AUTO, NULL), PS_ESTATE);
    assert_int_equal(ps_registry_add_builtin(reg), PS_ESTATE);
    assert_int_equal(ps_registry_source_count(reg), 1);
    assert_int_equal(ps_registry_count(reg), 1);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 101, NULL, 0), 0);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 100, NULL, 0), 1);
    ps_registry_free(reg);
}

static void unsealed_registry_answers_nothing(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, "svc 100/tcp\n", PS_FORMAT_SERVICES, "a", 0);
    assert_int_equal(ps_registry_count(reg), 1);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 100, NULL, 0), 0);
    assert_int_equal(ps_registry_find_name(reg, "svc", PS_PROTO_ANY, NULL, 0), 0);
    struct ps_registry_iter it = {0};
    assert_null(ps_registry_next(reg, &it));
    const char *words[] = {"svc"};
    struct ps_match *m = (struct ps_match *)1;
    size_t n = 99;
    assert_int_equal(ps_registry_search(reg, words, 1, &m, &n), PS_ESTATE);
    assert_null(m);
    assert_int_equal(n, 0);
    ps_registry_free(reg);
    ps_registry_free(NULL);
}

static void bad_arguments_and_source_limit(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_load_buffer(reg, "a 1/tcp\n", 8, PS_FORMAT_SERVICES, NULL), PS_EINVAL);
    assert_int_equal(ps_registry_load_buffer(reg, NULL, 8, PS_FORMAT_SERVICES, "x"), PS_EINVAL);
    assert_int_equal(ps_registry_load_buffer(NULL, "a 1/tcp\n", 8, PS_FORMAT_SERVICES, "x"), PS_EINVAL);
    assert_int_equal(ps_registry_source_count(reg), 0);
    char text[32], label[16];
    for (unsigned i = 0; i < PS_SOURCES_MAX; i++) {
        snprintf(text, sizeof text, "s%u %u/tcp\n", i, 1000 + i);
        snprintf(label, sizeof label, "src%u", i);
        ps_test_load(reg, text, PS_FORMAT_SERVICES, label, 0);
    }
    ps_test_load(reg, "extra 2000/tcp\n", PS_FORMAT_SERVICES, "one-too-many", PS_ELIMIT);
    assert_int_equal(ps_registry_source_count(reg), PS_SOURCES_MAX);
    assert_null(ps_registry_source(reg, PS_SOURCES_MAX));
    assert_int_equal(ps_registry_seal(reg), 0);
    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 1000 + 31, "s31");
    assert_int_equal(s->sources, 1u << 31);
    assert_string_equal(ps_service_source(reg, s), "src31");
    assert_null(ps_test_find(reg, PS_PROTO_TCP, 2000, "extra"));
    ps_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_service_merges),
        cmocka_unit_test(first_nonempty_description_wins),
        cmocka_unit_test(builtin_table_and_merge_with_it),
        cmocka_unit_test(name_lookup_ignores_case),
        cmocka_unit_test(name_results_ordered_by_port_then_proto),
        cmocka_unit_test(max_limits_writes_and_total_is_returned),
        cmocka_unit_test(port_results_in_source_order),
        cmocka_unit_test(iteration_visits_each_record_once_in_order),
        cmocka_unit_test(sealed_registry_is_read_only),
        cmocka_unit_test(unsealed_registry_answers_nothing),
        cmocka_unit_test(bad_arguments_and_source_limit),
    };
    return cmocka_run_group_tests_name("merge", tests, NULL, NULL);
}
