/* Every entry of this machine's /etc/services resolves through a registry
 * loaded with the built-in table and /etc/services, by name and by number.
 * The file is read here with a small parser of our own, independent of the
 * library's. Skipped when the machine has no /etc/services. */
#include "ps_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SYSTEM_SERVICES "/etc/services"

struct entry {
    char name[128];
    unsigned port;
    enum ps_proto proto;
    char aliases[16][128];
    size_t alias_count;
    size_t line;
};

static int proto_of(const char *s, enum ps_proto *out)
{
    static const char *const names[] = {"tcp", "udp", "sctp", "dccp", "ddp"};
    for (int i = 0; i < 5; i++)
        if (strcasecmp(s, names[i]) == 0) {
            *out = (enum ps_proto)i;
            return 0;
        }
    return -1;
}

/* Returns 1 for an entry, 0 for a blank or comment line. A line that is
 * neither fails the test: the file itself must be well formed. */
static int parse_entry(char *line, size_t lineno, struct entry *e)
{
    char *hash = strchr(line, '#'), *save = NULL;
    if (hash)
        *hash = '\0';
    const char *sep = " \t\r\n";
    char *name = strtok_r(line, sep, &save);
    if (!name)
        return 0;
    char *pp = strtok_r(NULL, sep, &save);
    if (!pp)
        fail_msg(SYSTEM_SERVICES ":%zu: no port/proto", lineno);
    char *slash = strchr(pp, '/'), *end;
    if (!slash)
        fail_msg(SYSTEM_SERVICES ":%zu: '%s' is not port/proto", lineno, pp);
    *slash = '\0';
    unsigned long port = strtoul(pp, &end, 10);
    if (*end || end == pp || port > 65535 || proto_of(slash + 1, &e->proto))
        fail_msg(SYSTEM_SERVICES ":%zu: bad port/proto", lineno);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->port = (unsigned)port;
    e->alias_count = 0;
    e->line = lineno;
    for (char *a; (a = strtok_r(NULL, sep, &save)) && e->alias_count < 16;)
        snprintf(e->aliases[e->alias_count++], sizeof e->aliases[0], "%s", a);
    return 1;
}

static int names_match(const struct ps_service *s, const char *name)
{
    if (strcasecmp(s->name, name) == 0)
        return 1;
    for (unsigned i = 0; i < s->alias_count; i++)
        if (strcasecmp(s->aliases[i], name) == 0)
            return 1;
    return 0;
}

/* name resolves to (proto, port) among its results. */
static int by_name(const struct ps_registry *reg, const char *name,
                   enum ps_proto proto, unsigned port)
{
    size_t n = ps_registry_find_name(reg, name, proto, NULL, 0);
    if (n == 0)
        return 0;
    const struct ps_service **out = calloc(n, sizeof *out);
    assert_non_null(out);
    assert_int_equal(ps_registry_find_name(reg, name, proto, out, n), n);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        assert_int_equal(out[i]->proto, proto);
        assert_true(names_match(out[i], name));
        found = out[i]->port <= port && port <= out[i]->port_end;
    }
    free((void *)out);
    return found;
}

/* (proto, port) resolves to a record called name (or with that alias). */
static int by_number(const struct ps_registry *reg, const char *name,
                     enum ps_proto proto, unsigned port)
{
    size_t n = ps_registry_find_port(reg, proto, port, NULL, 0);
    if (n == 0)
        return 0;
    const struct ps_service **out = calloc(n, sizeof *out);
    assert_non_null(out);
    assert_int_equal(ps_registry_find_port(reg, proto, port, out, n), n);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++)
        found = names_match(out[i], name);
    free((void *)out);
    return found;
}

static void every_entry_resolves(void **state)
{
    (void)state;
    FILE *f = fopen(SYSTEM_SERVICES, "r");
    if (!f) {
        print_message("[ SKIPPED  ] " SYSTEM_SERVICES " is not readable here\n");
        skip();
    }
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_add_builtin(reg), 0);
    assert_int_equal(ps_registry_load_file(reg, SYSTEM_SERVICES, PS_FORMAT_SERVICES,
                                           "services"), 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    const struct ps_source *src = ps_registry_source(reg, 1);
    assert_string_equal(src->label, "services");

    char line[4096];
    size_t lineno = 0, entries = 0, failures = 0;
    struct entry e;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!parse_entry(line, lineno, &e))
            continue;
        entries++;
        const char *pn = ps_proto_name(e.proto);
        if (!by_name(reg, e.name, e.proto, e.port)) {
            print_message("line %zu: name %s/%s does not give %u\n", e.line,
                          e.name, pn, e.port);
            failures++;
        }
        if (!by_number(reg, e.name, e.proto, e.port)) {
            print_message("line %zu: %u/%s does not give %s\n", e.line, e.port,
                          pn, e.name);
            failures++;
        }
        for (size_t i = 0; i < e.alias_count; i++) {
            if (!by_name(reg, e.aliases[i], e.proto, e.port) ||
                !by_number(reg, e.aliases[i], e.proto, e.port)) {
                print_message("line %zu: alias %s of %s/%s does not resolve\n",
                              e.line, e.aliases[i], e.name, pn);
                failures++;
            }
        }
    }
    fclose(f);
    print_message("%zu entries of " SYSTEM_SERVICES " checked\n", entries);
    assert_int_equal(failures, 0);
    assert_true(entries > 0);
    /* The library saw as many entries as this parser, and no bad line. */
    assert_int_equal(src->skipped, 0);
    assert_int_equal(src->records, entries);
    ps_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_entry_resolves),
    };
    return cmocka_run_group_tests_name("system_services", tests, NULL, NULL);
}
