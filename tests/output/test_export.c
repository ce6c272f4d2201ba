/* ps_registry_export() in the three formats, to memory streams. */
#include "ps_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char fixture[] =
    "ssh         22/tcp   secure-shell  # The Secure Shell\n"
    "domain      53/udp   dns nameserver # Domain Name System\n"
    "bare        99/sctp\n"
    "pst-quote   47004/tcp              # Has \"quotes\", and a comma\n"
    "pst-alpha   47001/udp  pst-a\n"
    "pst-alpha   47001/tcp  pst-a       # Alpha\n"
    "dyn         50000/dccp             # Dynamic class\n";

/* Exports reg in fmt; returns the malloc'd text. */
static char *export(const struct ps_registry *reg, enum ps_export_format fmt,
                    int expect_rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    int rc = ps_registry_export(reg, fmt, mem);
    assert_int_equal(fclose(mem), 0);
    if (rc != expect_rc)
        fail_msg("export: got %s, expected %s", ps_err_name(rc), ps_err_name(expect_rc));
    assert_non_null(buf);
    assert_int_equal(strlen(buf), len);
    return buf;
}

static void assert_same_records(const struct ps_registry *a,
                                const struct ps_registry *b)
{
    struct ps_registry_iter ia = {0}, ib = {0};
    const struct ps_service *x, *y;
    size_t n = 0;
    while ((x = ps_registry_next(a, &ia))) {
        y = ps_registry_next(b, &ib);
        if (!y)
            fail_msg("record %zu (%s %u) missing after the round trip", n, x->name, x->port);
        assert_string_equal(y->name, x->name);
        assert_int_equal(y->port, x->port);
        assert_int_equal(y->port_end, x->port_end);
        assert_int_equal(y->proto, x->proto);
        assert_string_equal(y->description, x->description);
        assert_int_equal(y->alias_count, x->alias_count);
        for (unsigned i = 0; i < x->alias_count; i++)
            assert_string_equal(y->aliases[i], x->aliases[i]);
        n++;
    }
    assert_null(ps_registry_next(b, &ib));
    assert_int_equal(ps_registry_count(a), ps_registry_count(b));
}

static void services_round_trip(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(fixture, PS_FORMAT_SERVICES);
    char *text = export(reg, PS_EXPORT_SERVICES, 0);
    assert_int_equal(text[0], '#');
    assert_non_null(strstr(text, "\nssh             22/tcp secure-shell\t# The Secure Shell\n"));

    struct ps_registry *back = ps_test_registry(NULL);
    ps_test_load(back, text, PS_FORMAT_AUTO, "back", 0);
    assert_int_equal(ps_registry_source(back, 0)->format, PS_FORMAT_SERVICES);
    assert_int_equal(ps_registry_source(back, 0)->skipped, 0);
    assert_int_equal(ps_registry_seal(back), 0);
    assert_same_records(reg, back);

    /* And exporting the copy gives the same text again. */
    char *again = export(back, PS_EXPORT_SERVICES, 0);
    assert_string_equal(again, text);
    free(again);
    free(text);
    ps_registry_free(back);
    ps_registry_free(reg);
}

static void services_expands_ranges_and_drops_unnamed(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(
        "service name,port number,transport protocol,Description\n"
        ",0,tcp,Reserved\n"
        "wide,100-102,tcp,Wide one\n"
        "narrow,103,udp,\n", PS_FORMAT_IANA);
    char *text = export(reg, PS_EXPORT_SERVICES, 0);
    assert_non_null(strstr(text, "\nwide            100/tcp\t# Wide one\n"
                                 "wide            101/tcp\t# Wide one\n"
                                 "wide            102/tcp\t# Wide one\n"
                                 "narrow          103/udp\n"));
    assert_null(strstr(text, "Reserved"));
    assert_null(strstr(text, " 0/tcp"));
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 2 + 4); /* two comment lines, four entries */
    free(text);
    ps_registry_free(reg);
}

/* Splits one RFC 4180 record starting at *p into fields (at most max);
 * returns the field count and moves *p past the line. */
static size_t csv_split(const char **p, char fields[][256], size_t max)
{
    const char *s = *p;
    size_t n = 0;
    for (;;) {
        char *out = fields[n < max ? n : max - 1];
        size_t len = 0;
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"')
                    s++; /* doubled quote */
                if (len < 255)
                    out[len++] = *s;
            }
            assert_int_equal(*s, '"');
            s++;
        } else {
            while (*s && *s != ',' && *s != '\n')
                if (len < 255)
                    out[len++] = *s++;
        }
        out[len] = '\0';
        n++;
        if (*s == ',') {
            s++;
            continue;
        }
        assert_int_equal(*s, '\n');
        *p = s + 1;
        return n;
    }
}

static void csv_header_and_quoting(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, fixture, PS_FORMAT_SERVICES, "test", 0);
    ps_test_load(reg, "ssh 22/tcp 0.182286 # nmap\n", PS_FORMAT_NMAP, "nmap", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    char *text = export(reg, PS_EXPORT_CSV, 0);
    static const char header[] = "\"port\",\"port_end\",\"proto\",\"name\",\"aliases\","
        "\"description\",\"source\",\"class\",\"frequency\"\n";
    assert_memory_equal(text, header, strlen(header));
    assert_non_null(strstr(text, "\n\"47004\",\"47004\",\"tcp\",\"pst-quote\",\"\","
                                 "\"Has \"\"quotes\"\", and a comma\",\"test\",\"user\",\"\"\n"));

    const char *p = text;
    char f[12][256];
    assert_int_equal(csv_split(&p, f, 12), 9);
    assert_string_equal(f[0], "port");
    assert_string_equal(f[8], "frequency");
    size_t rows = 0;
    int saw_quote = 0, saw_ssh = 0;
    while (*p) {
        assert_int_equal(csv_split(&p, f, 12), 9);
        rows++;
        if (strcmp(f[3], "pst-quote") == 0) {
            assert_string_equal(f[5], "Has \"quotes\", and a comma");
            saw_quote = 1;
        }
        if (strcmp(f[3], "ssh") == 0) {
            assert_string_equal(f[0], "22");
            assert_string_equal(f[1], "22");
            assert_string_equal(f[4], "secure-shell");
            assert_string_equal(f[6], "test");
            assert_string_equal(f[7], "system");
            assert_string_equal(f[8], "0.182286");
            saw_ssh = 1;
        }
        if (strcmp(f[3], "domain") == 0)
            assert_string_equal(f[4], "dns nameserver");
        if (strcmp(f[3], "dyn") == 0)
            assert_string_equal(f[7], "dynamic");
    }
    assert_int_equal(rows, ps_registry_count(reg));
    assert_true(saw_quote && saw_ssh);
    free(text);
    ps_registry_free(reg);
}

static void json_lines_have_the_keys(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, fixture, PS_FORMAT_SERVICES, "test", 0);
    ps_test_load(reg, "service name,port number,transport protocol,Description\n"
                      "wide,6000-6063,tcp,A range\n"
                      "ssh,22,tcp,From IANA\n", PS_FORMAT_IANA, "iana", 0);
    ps_test_load(reg, "ssh 22/tcp 0.182286 # nmap\n", PS_FORMAT_NMAP, "nmap", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    char *text = export(reg, PS_EXPORT_JSON, 0);

    static const char *const required[] = {"port", "proto", "name", "aliases",
        "description", "source", "sources", "class"};
    size_t lines = 0;
    int saw_range = 0, saw_ssh = 0;
    for (char *line = text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (!o)
            fail_msg("line %zu is not JSON (%s): %s", lines + 1, err.text, line);
        assert_true(json_is_object(o));
        for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
            if (!json_object_get(o, required[k]))
                fail_msg("line %zu has no \"%s\": %s", lines + 1, required[k], line);
        assert_true(json_is_integer(json_object_get(o, "port")));
        assert_true(json_is_array(json_object_get(o, "aliases")));
        assert_true(json_is_array(json_object_get(o, "sources")));
        const char *name = json_string_value(json_object_get(o, "name"));
        assert_non_null(name);
        json_t *end = json_object_get(o, "port_end");
        if (strcmp(name, "wide") == 0) {
            assert_int_equal(json_integer_value(json_object_get(o, "port")), 6000);
            assert_non_null(end);
            assert_int_equal(json_integer_value(end), 6063);
            assert_string_equal(json_string_value(json_object_get(o, "class")), "user");
            saw_range = 1;
        } else {
            assert_null(end); /* port_end only for ranges */
        }
        if (strcmp(name, "ssh") == 0) {
            saw_ssh = 1;
            assert_string_equal(json_string_value(json_object_get(o, "proto")), "tcp");
            assert_string_equal(json_string_value(json_object_get(o, "description")),
                                "The Secure Shell");
            assert_string_equal(json_string_value(json_object_get(o, "source")), "test");
            json_t *src = json_object_get(o, "sources");
            assert_int_equal(json_array_size(src), 3);
            assert_string_equal(json_string_value(json_array_get(src, 1)), "iana");
            json_t *al = json_object_get(o, "aliases");
            assert_int_equal(json_array_size(al), 1);
            assert_string_equal(json_string_value(json_array_get(al, 0)), "secure-shell");
            assert_float_equal(json_number_value(json_object_get(o, "frequency")),
                               0.182286, 1e-6);
        } else {
            assert_null(json_object_get(o, "frequency"));
        }
        json_decref(o);
        lines++;
    }
    assert_int_equal(lines, ps_registry_count(reg));
    assert_true(saw_range && saw_ssh);
    free(text);
    ps_registry_free(reg);
}

static void json_invalid_utf8_becomes_null(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed("cafe 5000/tcp # caf\xe9 au lait\n",
                                             PS_FORMAT_SERVICES);
    char *text = export(reg, PS_EXPORT_JSON, 0);
    json_error_t err;
    json_t *o = json_loads(text, JSON_DISABLE_EOF_CHECK, &err);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "name")), "cafe");
    assert_true(json_is_null(json_object_get(o, "description")));
    json_decref(o);
    free(text);
    ps_registry_free(reg);
}

static void empty_registry(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_seal(reg), 0);
    char *text = export(reg, PS_EXPORT_JSON, 0);
    assert_string_equal(text, "");
    free(text);
    text = export(reg, PS_EXPORT_CSV, 0);
    assert_string_equal(text, "\"port\",\"port_end\",\"proto\",\"name\",\"aliases\","
                              "\"description\",\"source\",\"class\",\"frequency\"\n");
    free(text);
    text = export(reg, PS_EXPORT_SERVICES, 0);
    assert_int_equal(text[0], '#');
    assert_null(strstr(text, "/tcp"));
    free(text);
    ps_registry_free(reg);
}

static void errors(void **state)
{
    (void)state;
    enum ps_export_format fmt;
    assert_int_equal(ps_export_format_parse("services", &fmt), 0);
    assert_int_equal(fmt, PS_EXPORT_SERVICES);
    assert_int_equal(ps_export_format_parse("csv", &fmt), 0);
    assert_int_equal(fmt, PS_EXPORT_CSV);
    assert_int_equal(ps_export_format_parse("json", &fmt), 0);
    assert_int_equal(fmt, PS_EXPORT_JSON);
    assert_int_equal(ps_export_format_parse("xml", &fmt), PS_EINVAL);
    assert_int_equal(ps_export_format_parse("", &fmt), PS_EINVAL);

    /* Not sealed yet. */
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, fixture, PS_FORMAT_SERVICES, "test", 0);
    free(export(reg, PS_EXPORT_JSON, PS_ESTATE));
    assert_int_equal(ps_registry_seal(reg), 0);
    free(export(reg, (enum ps_export_format)7, PS_EINVAL));

    /* A stream that cannot be written. */
    char small[4];
    FILE *ro = fmemopen(small, sizeof small, "r");
    assert_non_null(ro);
    assert_int_equal(ps_registry_export(reg, PS_EXPORT_CSV, ro), PS_EIO);
    fclose(ro);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        assert_int_equal(ps_registry_export(reg, PS_EXPORT_SERVICES, full), PS_EIO);
        fclose(full);
    }
    ps_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(services_round_trip),
        cmocka_unit_test(services_expands_ranges_and_drops_unnamed),
        cmocka_unit_test(csv_header_and_quoting),
        cmocka_unit_test(json_lines_have_the_keys),
        cmocka_unit_test(json_invalid_utf8_becomes_null),
        cmocka_unit_test(empty_registry),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
