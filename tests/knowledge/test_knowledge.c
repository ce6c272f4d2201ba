/* The compiled knowledge base: lookups, the join with registry records,
 * and the invariants every entry must keep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>
#include <strings.h>

#include "portscope/portscope.h"

/* The entry at (proto, port) for service, or (service NULL) the first
 * entry for exactly that port rather than a range around it. */
static const struct ps_knowledge *one(enum ps_proto proto, unsigned port,
                                      const char *service)
{
    const struct ps_knowledge *k[16];
    size_t n = ps_knowledge_find_port(proto, port, k, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        if (service ? strcasecmp(k[i]->service, service) == 0
                    : k[i]->port == port && k[i]->port_end == port)
            return k[i];
    return NULL;
}

static void classic_entries(void **state)
{
    (void)state;
    const struct ps_knowledge *ftp = one(PS_PROTO_TCP, 21, "ftp");
    assert_non_null(ftp);
    assert_string_equal(ftp->category, "file-transfer");
    assert_true(ftp->risk >= PS_RISK_MEDIUM);
    assert_true(ftp->flags & PS_KFLAG_CLEARTEXT);
    assert_true(ftp->alternative[0] != '\0');
    assert_non_null(strstr(ftp->explain, "passive"));

    const struct ps_knowledge *telnet = one(PS_PROTO_TCP, 23, NULL);
    assert_non_null(telnet);
    assert_true(telnet->risk >= PS_RISK_HIGH);
    assert_non_null(strcasestr(telnet->alternative, "ssh"));

    const struct ps_knowledge *bo = one(PS_PROTO_UDP, 31337, NULL);
    assert_non_null(bo);
    assert_int_equal(bo->risk, PS_RISK_CRITICAL);
    assert_true(bo->flags & PS_KFLAG_MALWARE);
}

static void ranges_cover_every_port(void **state)
{
    (void)state;
    const struct ps_knowledge *k[16];
    size_t n = ps_knowledge_find_port(PS_PROTO_TCP, 6900, k, 16);
    int found = 0;
    for (size_t i = 0; i < n && i < 16; i++)
        if (k[i]->port <= 6900 && k[i]->port_end >= 6900 && k[i]->port != k[i]->port_end)
            found = 1;
    assert_true(found); /* BitTorrent's 6881-6999 */
    assert_int_equal(ps_knowledge_find_port(PS_PROTO_TCP, 65536, k, 16), 0);
    assert_int_equal(ps_knowledge_find_port(PS_PROTO_ANY, 21, NULL, 0) >= 1, 1);
}

static void joins_registry_records(void **state)
{
    (void)state;
    struct ps_registry *reg;
    assert_int_equal(ps_registry_new(&reg, NULL), 0);
    assert_int_equal(ps_registry_add_builtin(reg), 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    const struct ps_service *s[8];
    assert_true(ps_registry_find_name(reg, "telnet", PS_PROTO_TCP, s, 8) >= 1);
    const struct ps_knowledge *k = ps_knowledge_for(s[0]);
    assert_non_null(k);
    assert_int_equal(k->port, 23);
    /* A record on a port the knowledge base names for another service
     * gets no entry of that service. */
    assert_true(ps_registry_find_name(reg, "ssh", PS_PROTO_UDP, s, 8) <= 1);
    ps_registry_free(reg);
}

static void every_entry_is_complete(void **state)
{
    (void)state;
    size_t n, explained = 0;
    const struct ps_knowledge *all = ps_knowledge_all(&n);
    assert_true(n > 300);
    for (size_t i = 0; i < n; i++) {
        const struct ps_knowledge *k = &all[i];
        assert_true(k->title[0] != '\0');
        assert_true(k->use_count >= 1);
        assert_true(k->port <= k->port_end);
        assert_true(k->risk <= PS_RISK_CRITICAL);
        int known = 0;
        for (const char *const *c = ps_categories(); *c; c++)
            known |= strcmp(*c, k->category) == 0;
        assert_true(known);
        if (i > 0) { /* ordered by proto, then port */
            const struct ps_knowledge *p = &all[i - 1];
            assert_true(p->proto < k->proto || (p->proto == k->proto && p->port <= k->port));
        }
        explained += k->explain[0] != '\0';
    }
    assert_true(explained >= 40);
}

static void vocabulary(void **state)
{
    (void)state;
    enum ps_risk r;
    assert_int_equal(ps_risk_parse("HIGH", &r), 0);
    assert_int_equal(r, PS_RISK_HIGH);
    assert_int_equal(ps_risk_parse("severe", &r), PS_EINVAL);
    assert_string_equal(ps_risk_name(PS_RISK_CRITICAL), "critical");
    assert_string_equal(ps_kflag_name(PS_KFLAG_WORM_TARGET), "worm-target");
    assert_null(ps_kflag_name(3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classic_entries),
        cmocka_unit_test(ranges_cover_every_port),
        cmocka_unit_test(joins_registry_records),
        cmocka_unit_test(every_entry_is_complete),
        cmocka_unit_test(vocabulary),
    };
    return cmocka_run_group_tests_name("knowledge", tests, NULL, NULL);
}
