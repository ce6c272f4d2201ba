/* IANA service-names-port-numbers CSV. Small inline CSVs check each rule;
 * one test loads the real file when $PS_IANA_CSV names one. */
#include "ps_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER                                                                 \
    "service name,port number,transport protocol,Description,Assignee,"        \
    "Contact,Registration Date,Modification Date,Reference,Service Code,"      \
    "Unauthorized Use Reported,Assignment Notes\n"

static struct ps_registry *load_iana(const char *csv, int expect_rc)
{
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, csv, PS_FORMAT_IANA, "iana", expect_rc);
    assert_int_equal(ps_registry_seal(reg), 0);
    return reg;
}

static void header_skipped(void **state)
{
    (void)state;
    struct ps_registry *reg = load_iana(HEADER
        "ssh,22,tcp,The Secure Shell (SSH) Protocol,[RFC4251],,,,,,,\n", 0);
    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_int_equal(src->format, PS_FORMAT_IANA);
    assert_int_equal(src->lines, 2);
    assert_int_equal(src->skipped, 0);
    assert_int_equal(src->records, 1);
    assert_int_equal(ps_registry_count(reg), 1);
    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 22, "ssh");
    assert_string_equal(s->description, "The Secure Shell (SSH) Protocol");
    assert_int_equal(s->alias_count, 0);
    assert_true(s->frequency < 0);
    assert_int_equal(ps_registry_find_name(reg, "Service Name", PS_PROTO_ANY, NULL, 0), 0);
    ps_registry_free(reg);
}

static void quoted_multiline_description_folded(void **state)
{
    (void)state;
    struct ps_registry *reg = load_iana(HEADER
        "multi,1000,tcp,\"First line\n   second line\r\n\n\tthird, with \"\"quotes\"\"\",,,,,,,,\n"
        "after,1001,udp,\"  padded  \",,,,,,,,\n", 0);
    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 1000, "multi");
    assert_string_equal(s->description,
                        "First line second line third, with \"quotes\"");
    assert_null(strchr(s->description, '\n'));
    /* The quoted newlines did not start new rows. */
    s = ps_test_get(reg, PS_PROTO_UDP, 1001, "after");
    assert_string_equal(s->description, "padded");
    assert_int_equal(ps_registry_source(reg, 0)->skipped, 0);
    assert_int_equal(ps_registry_count(reg), 2);
    ps_registry_free(reg);
}

static void ranges_reachable_from_every_port(void **state)
{
    (void)state;
    struct ps_registry *reg = load_iana(HEADER
        "x11,6000-6063,tcp,X Window System,,,,,,,,\n", 0);
    assert_int_equal(ps_registry_count(reg), 1);
    static const unsigned inside[] = {6000, 6001, 6031, 6062, 6063};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        const struct ps_service *s = ps_test_find(reg, PS_PROTO_TCP, inside[i], "x11");
        if (!s)
            fail_msg("x11 not found at %u", inside[i]);
        assert_int_equal(s->port, 6000);
        assert_int_equal(s->port_end, 6063);
    }
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 5999, NULL, 0), 0);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 6064, NULL, 0), 0);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_UDP, 6031, NULL, 0), 0);
    ps_registry_free(reg);
}

static void rows_without_port_and_unassigned_skipped(void **state)
{
    (void)state;
    struct ps_registry *reg = load_iana(HEADER
        "dnssd-only,,tcp,Registered for DNS-SD only,,,,,,,,\n"
        "dnssd-bare,,,,,,,,,,,\n"
        ",4,,Unassigned,,,,,,,,\n"
        ",47001-47807,,Unassigned,,,,,,,,\n"
        "real,5,tcp,Real one,,,,,,,,\n", 0);
    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_int_equal(src->skipped, 0); /* passed over, not malformed */
    assert_int_equal(src->lines, 6);
    assert_int_equal(ps_registry_count(reg), 1);
    assert_int_equal(ps_registry_find_name(reg, "dnssd-only", PS_PROTO_ANY, NULL, 0), 0);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 4, NULL, 0), 0);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 47500, NULL, 0), 0);
    ps_test_get(reg, PS_PROTO_TCP, 5, "real");
    ps_registry_free(reg);
}

static void reserved_rows(void **state)
{
    (void)state;
    struct ps_registry *reg = load_iana(HEADER
        ",0,tcp,Reserved,,,,,,,,\n"
        ",1023,,Reserved,,,,,,,,\n"
        ",49000-49001,,Reserved,,,,,,,,\n", 0);
    /* With a transport: one record; without: one for TCP, one for UDP. */
    assert_int_equal(ps_registry_count(reg), 1 + 2 + 2);
    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 0, "");
    assert_string_equal(s->description, "Reserved");
    assert_null(ps_test_find(reg, PS_PROTO_UDP, 0, ""));
    ps_test_get(reg, PS_PROTO_TCP, 1023, "");
    ps_test_get(reg, PS_PROTO_UDP, 1023, "");
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_SCTP, 1023, NULL, 0), 0);
    s = ps_test_get(reg, PS_PROTO_UDP, 49001, "");
    assert_int_equal(s->port, 49000);
    assert_int_equal(s->port_end, 49001);
    /* An empty name is no name: name lookups never find these. */
    assert_int_equal(ps_registry_find_name(reg, "", PS_PROTO_ANY, NULL, 0), 0);
    assert_int_equal(ps_registry_find_name(reg, "Reserved", PS_PROTO_ANY, NULL, 0), 0);
    ps_registry_free(reg);
}

static void sctp_and_dccp_rows(void **state)
{
    (void)state;
    struct ps_registry *reg = load_iana(HEADER
        "ssh,22,sctp,SSH over SCTP,,,,,,,,\n"
        "discard,9,dccp,Discard over DCCP,,,,,,,,\n"
        "upper,10,TCP,Transport in capitals,,,,,,,,\n", 0);
    ps_test_get(reg, PS_PROTO_SCTP, 22, "ssh");
    ps_test_get(reg, PS_PROTO_DCCP, 9, "discard");
    ps_test_get(reg, PS_PROTO_TCP, 10, "upper");
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 22, NULL, 0), 0);
    assert_int_equal(ps_registry_count(reg), 3);
    ps_registry_free(reg);
}

static void bad_rows_counted(void **state)
{
    (void)state;
    char longname[PS_NAME_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    char csv[2048];
    snprintf(csv, sizeof csv, HEADER
             "good,100,tcp,Good,,,,,,,,\n"
             "badport,70000,tcp,Port too big,,,,,,,,\n"
             "notnum,12ab,udp,Not a number,,,,,,,,\n"
             "rev,200-100,tcp,Reversed range,,,,,,,,\n"
             "half,300-,tcp,Half range,,,,,,,,\n"
             "proto,400,icmp,Unknown transport,,,,,,,,\n"
             "%s,500,tcp,Name too long,,,,,,,,\n"
             "lonely\n"
             "good2,101,udp,Good too,,,,,,,,\n", longname);
    struct ps_test_log log;
    ps_test_log_init(&log);
    struct ps_registry *reg = ps_test_registry(&log.logger);
    ps_test_load(reg, csv, PS_FORMAT_IANA, "iana", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_int_equal(src->lines, 10);
    assert_int_equal(src->skipped, 7);
    assert_int_equal(src->first_bad_line, 3);
    assert_int_equal(src->records, 2);
    assert_int_equal(ps_registry_count(reg), 2);
    assert_int_equal(log.warnings, 7);
    assert_non_null(strstr(log.text, "iana:3:"));
    ps_test_get(reg, PS_PROTO_TCP, 100, "good");
    ps_test_get(reg, PS_PROTO_UDP, 101, "good2");
    ps_registry_free(reg);
}

/* first_bad_line counts physical lines: a quoted description spanning
 * lines moves the rows after it down. */
static void bad_row_line_after_multiline_row(void **state)
{
    (void)state;
    struct ps_test_log log;
    ps_test_log_init(&log);
    struct ps_registry *reg = ps_test_registry(&log.logger);
    ps_test_load(reg, HEADER
                 "multi,1000,tcp,\"two\nlines\",,,,,,,,\n"
                 "bad,99999,tcp,Port too big,,,,,,,,\n", PS_FORMAT_IANA, "iana", 0);
    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_int_equal(src->skipped, 1);
    assert_int_equal(src->first_bad_line, 4);
    assert_non_null(strstr(log.text, "iana:4:"));
    ps_registry_free(reg);
}

static void only_bad_rows_is_a_parse_error(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, HEADER "x,99999,tcp,Bad,,,,,,,,\n", PS_FORMAT_IANA,
                 "iana", PS_EPARSE);
    ps_registry_free(reg);
}

/* ps_format_detect() accepts a UTF-8 byte order mark before the header;
 * the parser must then not take the header for a data row. */
static void byte_order_mark(void **state)
{
    (void)state;
    struct ps_registry *reg = load_iana("\xEF\xBB\xBF" HEADER
                                        "ssh,22,tcp,SSH,,,,,,,,\n", 0);
    ps_test_get(reg, PS_PROTO_TCP, 22, "ssh");
    assert_int_equal(ps_registry_source(reg, 0)->skipped, 0);
    ps_registry_free(reg);
}

static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2
              : (*s & 0xf8) == 0xf0 ? 3 : -1;
        if (n < 0)
            return 0;
        for (s++; n-- > 0; s++)
            if ((*s & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

/* BUG: parse_iana.c cuts fields at 511 bytes (FIELD_CAP) wherever that
 * falls, also inside a UTF-8 character: the description is then invalid
 * UTF-8, and JSON output (lookup --json, export) prints it as null. */
static void long_description_cut_between_characters(void **state)
{
    (void)state;
    /* Regression test (was a bug): "long IANA descriptions are cut inside a UTF-8 character". */
    char csv[1024], desc[600];
    memset(desc, 'a', 510);
    strcpy(desc + 510, "\xc3\xa9\xc3\xa9\xc3\xa9"); /* "ééé" */
    snprintf(csv, sizeof csv, HEADER "long,47500,tcp,%s,,,,,,,,\n", desc);
    struct ps_registry *reg = load_iana(csv, 0);
    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 47500, "long");
    assert_true(strlen(s->description) >= 510);
    assert_memory_equal(s->description, desc, 510);
    assert_true(valid_utf8((const unsigned char *)s->description));
    ps_registry_free(reg);
}

static void label_defaults_to_iana_for_files(void **state)
{
    (void)state;
    char path[4096];
    ps_test_data_path("iana-small.csv", path, sizeof path);
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_AUTO, NULL), 0);
    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_string_equal(src->label, "iana");
    assert_string_equal(src->path, path);
    assert_int_equal(src->format, PS_FORMAT_IANA);
    assert_int_equal(src->skipped, 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    /* The fixture's two-line quoted description (CRLF file). */
    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 47040, "pst-iana");
    assert_string_equal(s->description,
                        "Portscope test service described on two lines");
    s = ps_test_get(reg, PS_PROTO_UDP, 47040, "pst-iana");
    assert_string_equal(s->description, "A \"quoted\" word, and a comma");
    s = ps_test_get(reg, PS_PROTO_TCP, 47102, "pst-xrange");
    assert_int_equal(s->port_end, 47103);
    ps_registry_free(reg);
}

static void real_iana_file(void **state)
{
    (void)state;
    const char *path = getenv("PS_IANA_CSV");
    if (!path || !*path || access(path, R_OK) != 0) {
        print_message("[ SKIPPED  ] real IANA CSV not found (PS_IANA_CSV=%s)\n",
                      path ? path : "unset");
        skip();
    }
    struct ps_test_log log;
    ps_test_log_init(&log);
    struct ps_registry *reg = ps_test_registry(&log.logger);
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_AUTO, NULL), 0);
    assert_int_equal(ps_registry_seal(reg), 0);

    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_string_equal(src->label, "iana");
    assert_int_equal(src->format, PS_FORMAT_IANA);
    if (src->skipped != 0)
        fail_msg("%zu rows skipped, first at row %zu:\n%s", src->skipped,
                 src->first_bad_line, log.text);
    assert_true(src->lines > 10000);
    assert_true(src->records > 10000);
    assert_true(ps_registry_count(reg) > 10000);

    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 22, "ssh");
    assert_true(strlen(s->description) > 0);
    ps_test_get(reg, PS_PROTO_UDP, 53, "domain");
    ps_test_get(reg, PS_PROTO_TCP, 443, "https");
    ps_test_get(reg, PS_PROTO_TCP, 0, ""); /* Reserved */
    /* X11 is registered as the range 6000-6063. */
    s = ps_test_get(reg, PS_PROTO_TCP, 6031, "x11");
    assert_int_equal(s->port, 6000);
    assert_int_equal(s->port_end, 6063);
    assert_null(ps_test_find(reg, PS_PROTO_TCP, 6064, "x11"));
    const struct ps_service *out[8];
    assert_true(ps_registry_find_name(reg, "ssh", PS_PROTO_ANY, out, 8) >= 2);
    assert_int_equal(out[0]->port, 22);
    ps_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_skipped),
        cmocka_unit_test(quoted_multiline_description_folded),
        cmocka_unit_test(ranges_reachable_from_every_port),
        cmocka_unit_test(rows_without_port_and_unassigned_skipped),
        cmocka_unit_test(reserved_rows),
        cmocka_unit_test(sctp_and_dccp_rows),
        cmocka_unit_test(bad_rows_counted),
        cmocka_unit_test(bad_row_line_after_multiline_row),
        cmocka_unit_test(only_bad_rows_is_a_parse_error),
        cmocka_unit_test(byte_order_mark),
        cmocka_unit_test(long_description_cut_between_characters),
        cmocka_unit_test(label_defaults_to_iana_for_files),
        cmocka_unit_test(real_iana_file),
    };
    return cmocka_run_group_tests_name("iana", tests, NULL, NULL);
}
