/* /etc/services and nmap-services parsing, and format detection. */
#include "ps_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char services_text[] =
    "# A comment line, then a blank one\n"
    "\n"
    "ssh             22/tcp                          # The Secure Shell (SSH) Protocol\n"
    "smtp            25/tcp          mail\n"
    "domain          53/udp          dns nameserver  #   Domain Name Server   \n"
    "tight           7000/udp        t1 t2#no space before the hash\n"
    "   indented\t7001/tcp\tind\t# tabs and indent\r\n"
    "delta           7002/sctp\n"
    "apple           7003/ddp        # AppleTalk\n"
    "last            7004/dccp       # no final newline";

static void names_aliases_descriptions(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_sealed(services_text, PS_FORMAT_SERVICES);
    assert_int_equal(ps_registry_count(reg), 8);

    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 22, "ssh");
    assert_string_equal(s->description, "The Secure Shell (SSH) Protocol");
    assert_int_equal(s->alias_count, 0);
    assert_int_equal(s->port_end, 22);
    assert_true(s->frequency < 0);
    assert_string_equal(ps_service_source(reg, s), "test");
    assert_int_equal(s->sources, 1u);

    s = ps_test_get(reg, PS_PROTO_TCP, 25, "smtp");
    assert_int_equal(s->alias_count, 1);
    assert_string_equal(s->aliases[0], "mail");
    assert_string_equal(s->description, "");

    s = ps_test_get(reg, PS_PROTO_UDP, 53, "domain");
    assert_int_equal(s->alias_count, 2);
    assert_string_equal(s->aliases[0], "dns");
    assert_string_equal(s->aliases[1], "nameserver");
    assert_string_equal(s->description, "Domain Name Server"); /* trimmed */
    assert_null(ps_test_find(reg, PS_PROTO_TCP, 53, "domain"));

    s = ps_test_get(reg, PS_PROTO_UDP, 7000, "tight");
    assert_int_equal(s->alias_count, 2);
    assert_string_equal(s->aliases[1], "t2");
    assert_string_equal(s->description, "no space before the hash");

    s = ps_test_get(reg, PS_PROTO_TCP, 7001, "indented");
    assert_true(ps_test_has_alias(s, "ind"));
    assert_string_equal(s->description, "tabs and indent"); /* no '\r' */

    ps_test_get(reg, PS_PROTO_SCTP, 7002, "delta");
    ps_test_get(reg, PS_PROTO_DDP, 7003, "apple");
    s = ps_test_get(reg, PS_PROTO_DCCP, 7004, "last");
    assert_string_equal(s->description, "no final newline");

    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_string_equal(src->label, "test");
    assert_null(src->path);
    assert_int_equal(src->format, PS_FORMAT_SERVICES);
    assert_int_equal(src->lines, 10);
    assert_int_equal(src->records, 8);
    assert_int_equal(src->skipped, 0);
    assert_int_equal(src->first_bad_line, 0);
    ps_registry_free(reg);
}

static void malformed_lines_skipped_and_counted(void **state)
{
    (void)state;
    static const char text[] =
        "good1           100/tcp\n"
        "x11             6000-6063/tcp   # ranges are not services syntax\n"
        "good2           101/tcp\n"
        "b#d             102/tcp\n"
        "lonely\n"
        "big             70000/tcp\n"
        "weird           103/xyz\n"
        "noport          abc/tcp\n"
        "noproto         104\n"
        "good3           105/udp\n";
    struct ps_test_log log;
    ps_test_log_init(&log);
    struct ps_registry *reg = ps_test_registry(&log.logger);
    ps_test_load(reg, text, PS_FORMAT_SERVICES, "mixed", 0);
    assert_int_equal(ps_registry_seal(reg), 0);

    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_int_equal(src->lines, 10);
    assert_int_equal(src->records, 3);
    assert_int_equal(src->skipped, 7);
    assert_int_equal(src->first_bad_line, 2);
    assert_int_equal(ps_registry_count(reg), 3);
    ps_test_get(reg, PS_PROTO_TCP, 100, "good1");
    ps_test_get(reg, PS_PROTO_TCP, 101, "good2");
    ps_test_get(reg, PS_PROTO_UDP, 105, "good3");
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 6000, NULL, 0), 0);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 102, NULL, 0), 0);

    /* One warning per bad line, naming the source and the line. */
    assert_int_equal(log.warnings, 7);
    assert_non_null(strstr(log.text, "mixed:2:"));
    assert_non_null(strstr(log.text, "mixed:9:"));
    assert_null(strstr(log.text, "mixed:1:"));
    ps_registry_free(reg);
}

static void nothing_usable_is_a_parse_error(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, "not a services file\nat all\n", PS_FORMAT_SERVICES,
                 "junk", PS_EPARSE);
    /* Comments and blank lines only: empty, but not an error. */
    ps_test_load(reg, "# nothing here\n\n   \n", PS_FORMAT_SERVICES, "empty", 0);
    ps_test_load(reg, "", PS_FORMAT_SERVICES, "zero", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    assert_int_equal(ps_registry_count(reg), 0);
    int empty = ps_test_source_index(reg, "empty");
    assert_true(empty >= 0);
    assert_int_equal(ps_registry_source(reg, (size_t)empty)->skipped, 0);
    assert_int_equal(ps_registry_source(reg, (size_t)empty)->records, 0);
    ps_registry_free(reg);
}

static void long_names_and_many_aliases(void **state)
{
    (void)state;
    char text[2048], longname[PS_NAME_MAX + 2];
    memset(longname, 'L', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0'; /* 64 characters: too long */
    snprintf(text, sizeof text,
             "%s 200/tcp\n"
             "ok 201/tcp %s short\n"
             "many 202/tcp a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11 a12 a13 a14 a15 a16 "
             "a17 a18 # many aliases\n"
             "self 203/tcp SELF Self other self\n",
             longname, longname);
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, text, PS_FORMAT_SERVICES, "t", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    assert_int_equal(ps_registry_source(reg, 0)->skipped, 1);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_TCP, 200, NULL, 0), 0);

    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 201, "ok");
    assert_int_equal(s->alias_count, 1); /* the over-long alias is dropped */
    assert_string_equal(s->aliases[0], "short");

    s = ps_test_get(reg, PS_PROTO_TCP, 202, "many");
    assert_int_equal(s->alias_count, 16);
    assert_true(ps_test_has_alias(s, "a16"));
    assert_false(ps_test_has_alias(s, "a17"));
    assert_string_equal(s->description, "many aliases");

    /* Aliases equal to the name (any case) are not kept. */
    s = ps_test_get(reg, PS_PROTO_TCP, 203, "self");
    assert_int_equal(s->alias_count, 1);
    assert_string_equal(s->aliases[0], "other");
    for (unsigned i = 0; i < s->alias_count; i++)
        assert_string_not_equal(s->aliases[i], s->name);
    ps_registry_free(reg);
}

static void buffer_length_is_respected(void **state)
{
    (void)state;
    static const char text[] = "aaa 1/tcp\nbbb 2/tcp\n";
    struct ps_registry *reg = ps_test_registry(NULL);
    /* Only the first line is inside len; the buffer need not end there. */
    assert_int_equal(ps_registry_load_buffer(reg, text, 10, PS_FORMAT_SERVICES, "a"), 0);
    /* An embedded NUL ends its line; the next line is still read. */
    static const char nul[] = "ccc 3/tcp\0garbage 4/tcp\nddd 5/tcp\n";
    assert_int_equal(ps_registry_load_buffer(reg, nul, sizeof nul - 1,
                                             PS_FORMAT_SERVICES, "b"), 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    ps_test_get(reg, PS_PROTO_TCP, 1, "aaa");
    assert_null(ps_test_find(reg, PS_PROTO_TCP, 2, "bbb"));
    ps_test_get(reg, PS_PROTO_TCP, 3, "ccc");
    assert_null(ps_test_find(reg, PS_PROTO_TCP, 4, "garbage"));
    ps_test_get(reg, PS_PROTO_TCP, 5, "ddd");
    assert_int_equal(ps_registry_count(reg), 3);
    ps_registry_free(reg);
}

static const char nmap_text[] =
    "# Fields in this file are: Service name, portnum/protocol, open-frequency, optional comments\n"
    "#\n"
    "tcpmux\t1/tcp\t0.001995\t# TCP Port Service Multiplexer [rfc-1078]\n"
    "unknown\t4/tcp\t0.000477\n"
    "http\t80/tcp\t0.484143\t# World Wide Web HTTP\n"
    "www-alt\t80/tcp\t0.100000\n"
    "unknown\t81/udp\t0.250000\n"
    "bad-freq\t82/tcp\t1.5\n"
    "no-freq\t83/tcp\n"
    "word-freq\t84/tcp\thigh\t# not a number\n"
    "zero\t85/udp\t0\n";

static void nmap_frequencies(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, nmap_text, PS_FORMAT_NMAP, "nmap", 0);
    assert_int_equal(ps_registry_seal(reg), 0);

    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_int_equal(src->format, PS_FORMAT_NMAP);
    assert_int_equal(src->lines, 11);
    assert_int_equal(src->skipped, 3);
    assert_int_equal(src->first_bad_line, 8);
    assert_int_equal(ps_registry_count(reg), 4); /* tcpmux, http, www-alt, zero */

    const struct ps_service *s = ps_test_get(reg, PS_PROTO_TCP, 1, "tcpmux");
    assert_float_equal(s->frequency, 0.001995, 1e-6);
    assert_string_equal(s->description, "TCP Port Service Multiplexer [rfc-1078]");
    assert_int_equal(s->alias_count, 0); /* the frequency is not an alias */
    s = ps_test_get(reg, PS_PROTO_TCP, 80, "http");
    assert_float_equal(s->frequency, 0.484143, 1e-6);
    s = ps_test_get(reg, PS_PROTO_TCP, 80, "www-alt");
    assert_float_equal(s->frequency, 0.1, 1e-6);
    s = ps_test_get(reg, PS_PROTO_UDP, 85, "zero");
    assert_float_equal(s->frequency, 0.0, 1e-9);

    /* The highest frequency per (proto, port) is kept. */
    assert_float_equal(ps_registry_frequency(reg, PS_PROTO_TCP, 80), 0.484143, 1e-6);
    /* "unknown" lines only feed ps_registry_frequency. */
    assert_float_equal(ps_registry_frequency(reg, PS_PROTO_TCP, 4), 0.000477, 1e-6);
    assert_float_equal(ps_registry_frequency(reg, PS_PROTO_UDP, 81), 0.25, 1e-6);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 4, NULL, 0), 0);
    assert_int_equal(ps_registry_find_port(reg, PS_PROTO_ANY, 81, NULL, 0), 0);
    assert_int_equal(ps_registry_find_name(reg, "unknown", PS_PROTO_ANY, NULL, 0), 0);
    /* Nothing known: -1, also for the other transport of a known port and
     * for ports out of range. */
    assert_true(ps_registry_frequency(reg, PS_PROTO_UDP, 80) < 0);
    assert_true(ps_registry_frequency(reg, PS_PROTO_TCP, 82) < 0);
    assert_true(ps_registry_frequency(reg, PS_PROTO_TCP, 70000) < 0);
    ps_registry_free(reg);

    /* A services file gives no frequencies at all. */
    reg = ps_test_sealed("http 80/tcp\n", PS_FORMAT_SERVICES);
    assert_true(ps_registry_frequency(reg, PS_PROTO_TCP, 80) < 0);
    assert_true(ps_test_get(reg, PS_PROTO_TCP, 80, "http")->frequency < 0);
    ps_registry_free(reg);
}

static void format_detection(void **state)
{
    (void)state;
#define DETECT(s) ps_format_detect(s, strlen(s))
    assert_int_equal(DETECT("service name,port number,transport protocol\n"), PS_FORMAT_IANA);
    assert_int_equal(DETECT("service name,port number\n"), PS_FORMAT_IANA);
    assert_int_equal(DETECT("\xEF\xBB\xBFService Name,Port Number\n"), PS_FORMAT_IANA);
    assert_int_equal(DETECT(nmap_text), PS_FORMAT_NMAP);
    assert_int_equal(DETECT("http 80/tcp 0.5\n"), PS_FORMAT_NMAP);
    assert_int_equal(DETECT(services_text), PS_FORMAT_SERVICES);
    assert_int_equal(DETECT("smtp 25/tcp mail\n"), PS_FORMAT_SERVICES);
    assert_int_equal(DETECT("ssh 22/tcp # 0.5 in a comment\n"), PS_FORMAT_SERVICES);
    assert_int_equal(DETECT("# only\n# comments\n"), PS_FORMAT_SERVICES);
    assert_int_equal(DETECT(""), PS_FORMAT_SERVICES);
    /* Only len bytes are looked at. */
    assert_int_equal(ps_format_detect("http 80/tcp 0.5\n", 11), PS_FORMAT_SERVICES);
#undef DETECT
}

static void auto_format_on_load(void **state)
{
    (void)state;
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, nmap_text, PS_FORMAT_AUTO, "n", 0);
    ps_test_load(reg, services_text, PS_FORMAT_AUTO, "s", 0);
    ps_test_load(reg, "service name,port number,transport protocol,Description\n"
                      "pst,47000,tcp,Test\n", PS_FORMAT_AUTO, "i", 0);
    assert_int_equal(ps_registry_source(reg, 0)->format, PS_FORMAT_NMAP);
    assert_int_equal(ps_registry_source(reg, 1)->format, PS_FORMAT_SERVICES);
    assert_int_equal(ps_registry_source(reg, 2)->format, PS_FORMAT_IANA);
    assert_int_equal(ps_registry_seal(reg), 0);
    assert_float_equal(ps_test_get(reg, PS_PROTO_TCP, 80, "http")->frequency,
                       0.484143, 1e-6);
    ps_test_get(reg, PS_PROTO_TCP, 47000, "pst");
    ps_registry_free(reg);
}

static void load_file(void **state)
{
    (void)state;
    char path[4096];
    ps_test_data_path("services.txt", path, sizeof path);
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_AUTO, NULL), 0);
    const struct ps_source *src = ps_registry_source(reg, 0);
    assert_string_equal(src->label, path); /* NULL label: the path */
    assert_string_equal(src->path, path);
    assert_int_equal(src->format, PS_FORMAT_SERVICES);
    assert_true(src->records >= 5);
    assert_int_equal(src->skipped, 0);

    ps_test_data_path("services-malformed.txt", path, sizeof path);
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_SERVICES, "bad"), 0);
    src = ps_registry_source(reg, 1);
    assert_string_equal(src->label, "bad");
    assert_int_equal(src->lines, 6);
    assert_int_equal(src->records, 3);
    assert_int_equal(src->skipped, 2);
    assert_int_equal(src->first_bad_line, 4);

    ps_test_data_path("no-such-file.txt", path, sizeof path);
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_AUTO, "x"), PS_ENOENT);
    ps_test_data_path("", path, sizeof path); /* a directory */
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_AUTO, "x"), PS_EISDIR);
    assert_int_equal(ps_registry_load_file(reg, NULL, PS_FORMAT_AUTO, "x"), PS_EINVAL);
    assert_int_equal(ps_registry_source_count(reg), 2);
    assert_int_equal(ps_registry_seal(reg), 0);
    assert_non_null(ps_test_find(reg, PS_PROTO_TCP, 47001, "pst-alpha"));
    assert_non_null(ps_test_find(reg, PS_PROTO_TCP, 47085, "pst-ok-3"));
    ps_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_aliases_descriptions),
        cmocka_unit_test(malformed_lines_skipped_and_counted),
        cmocka_unit_test(nothing_usable_is_a_parse_error),
        cmocka_unit_test(long_names_and_many_aliases),
        cmocka_unit_test(buffer_length_is_respected),
        cmocka_unit_test(nmap_frequencies),
        cmocka_unit_test(format_detection),
        cmocka_unit_test(auto_format_on_load),
        cmocka_unit_test(load_file),
    };
    return cmocka_run_group_tests_name("services", tests, NULL, NULL);
}
