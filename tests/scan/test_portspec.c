/* Port sets and nmap-style port specifications (portscope/portspec.h). */
#include "ps_test.h"

#include <stdlib.h>
#include <string.h>

#include "portscope/portspec.h"

#define T PS_PORTSPEC_TCP
#define U PS_PORTSPEC_UDP
#define TU PS_PORTSPEC_BOTH

static struct ps_registry *builtin; /* built-in table only, sealed */

static int setup(void **state)
{
    (void)state;
    builtin = ps_test_registry(NULL);
    if (ps_registry_add_builtin(builtin) != 0 || ps_registry_seal(builtin) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ps_registry_free(builtin);
    return 0;
}

/* Parses spec into a fresh (heap) set; fails the test on error. */
static struct ps_portset *parse_ok(const char *spec, unsigned protos)
{
    struct ps_portset *s = calloc(1, sizeof *s);
    char err[256];
    assert_non_null(s);
    memset(err, 'x', sizeof err);
    int rc = ps_portspec_parse(spec, builtin, protos, s, err, sizeof err);
    if (rc != 0)
        fail_msg("'%s': %s (%s)", spec, ps_err_name(rc), err);
    assert_string_equal(err, "");
    return s;
}

/* Expects failure with rc and a message containing every fragment
 * (NULL-terminated list); the set must stay as it was (empty). */
static void expect_error(const char *spec, unsigned protos, int rc, ...)
{
    struct ps_portset *s = calloc(1, sizeof *s);
    char err[256];
    assert_non_null(s);
    int got = ps_portspec_parse(spec, builtin, protos, s, err, sizeof err);
    if (got != rc)
        fail_msg("'%s': got %s, expected %s (err '%s')", spec,
                 ps_err_name(got), ps_err_name(rc), err);
    assert_true(strlen(err) > 0);
    va_list ap;
    va_start(ap, rc);
    for (const char *frag; (frag = va_arg(ap, const char *));)
        if (!strstr(err, frag))
            fail_msg("'%s': error '%s' does not mention '%s'", spec, err, frag);
    va_end(ap);
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 0);
    free(s);
}

static void test_set_helpers(void **state)
{
    (void)state;
    struct ps_portset *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 0);
    assert_int_equal(ps_portset_add(s, PS_PROTO_TCP, 0), 0);
    assert_int_equal(ps_portset_add(s, PS_PROTO_TCP, 65535), 0);
    assert_int_equal(ps_portset_add(s, PS_PROTO_UDP, 53), 0);
    assert_int_equal(ps_portset_add(s, PS_PROTO_TCP, 65536), PS_EINVAL);
    assert_int_equal(ps_portset_add(s, PS_PROTO_SCTP, 80), PS_EINVAL);
    assert_int_equal(ps_portset_add_range(s, PS_PROTO_UDP, 10, 9), PS_EINVAL);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 0));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 65535));
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 65535));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 53));
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 53));
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 70000));
    assert_false(ps_portset_has(s, PS_PROTO_SCTP, 0));
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 2);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 1);
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 3);
    assert_int_equal(ps_portset_count(s, PS_PROTO_SCTP), 0);

    /* Ranges across word boundaries. */
    assert_int_equal(ps_portset_add_range(s, PS_PROTO_UDP, 60, 200), 0);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 141 + 1);
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 59));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 128));
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 201));

    /* next() walks in port order. */
    assert_int_equal(ps_portset_next(s, PS_PROTO_TCP, 0), 0);
    assert_int_equal(ps_portset_next(s, PS_PROTO_TCP, 1), 65535);
    assert_int_equal(ps_portset_next(s, PS_PROTO_TCP, 65536), -1);
    assert_int_equal(ps_portset_next(s, PS_PROTO_UDP, 54), 60);
    assert_int_equal(ps_portset_next(s, PS_PROTO_UDP, 201), -1);
    size_t walked = 0;
    for (long p = ps_portset_next(s, PS_PROTO_UDP, 0); p >= 0;
         p = ps_portset_next(s, PS_PROTO_UDP, (unsigned long)p + 1))
        walked++;
    assert_int_equal(walked, 142);

    ps_portset_clear(s);
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 0);
    free(s);
}

static void test_numbers(void **state)
{
    (void)state;
    struct ps_portset *s = parse_ok("22", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 1);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 0);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 22));
    free(s);

    s = parse_ok("22,80,443,80", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 3);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 443));
    free(s);

    s = parse_ok("1000-2000", U);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 1001);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 0);
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 1000));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 2000));
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 2001));
    free(s);

    s = parse_ok("7-7", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 1);
    free(s);

    s = parse_ok("022", T); /* leading zeros, as strtol */
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 22));
    free(s);

    s = parse_ok("65535", TU);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 65535));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 65535));
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 2);
    free(s);
}

static void test_open_ranges(void **state)
{
    (void)state;
    struct ps_portset *s = parse_ok("-", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 65535);
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 0));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 1));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 65535));
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 0);
    free(s);

    s = parse_ok("-", TU);
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 2 * 65535);
    free(s);

    s = parse_ok("-1024", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 1024);
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 0));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 1024));
    free(s);

    s = parse_ok("60000-", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 65535 - 60000 + 1);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 65535));
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 59999));
    free(s);

    /* Port 0 only when written. */
    s = parse_ok("0", T);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 0));
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 1);
    free(s);
    s = parse_ok("0-", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 65536);
    free(s);
    s = parse_ok("0-10", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 11);
    free(s);
    s = parse_ok("-0", T);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 0));
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 1);
    free(s);
}

static void test_prefixes(void **state)
{
    (void)state;
    struct ps_portset *s = parse_ok("U:53,111,137,T:21-25,80", TU);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 3);
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 53));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 111));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 137));
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 6);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 21));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 25));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 80));
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 53));
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 80));
    free(s);

    /* Unprefixed items first take default_protos. */
    s = parse_ok("7,U:9", TU);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 7));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 7));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 9));
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 9));
    free(s);

    /* A prefix reaches a protocol default_protos leaves out; lower case. */
    s = parse_ok("u:-", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 65535);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 0);
    free(s);
    s = parse_ok("t:60000-,U:0", U);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 5536);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 1);
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 0));
    free(s);
}

static void test_names(void **state)
{
    (void)state;
    struct ps_portset *s = parse_ok("http,ssh", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 2);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 80));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 22));
    free(s);

    /* Case-insensitive; aliases; each protocol in scope that knows it. */
    s = parse_ok("DOMAIN,www", TU);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 53));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 53));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 80));
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 80)); /* http is tcp only */
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 3);
    free(s);

    s = parse_ok("U:dns,netbios-ns", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 0);
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 53));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 137));
    free(s);

    /* A record for a range adds the whole range. */
    s = parse_ok("kdeconnect", U);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 1764 - 1714 + 1);
    free(s);

    /* A name starting with a digit. */
    s = parse_ok("9pfs", T);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 564));
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 1);
    free(s);

    /* Mixed with numbers and prefixes. */
    s = parse_ok("ssh,1-3,U:https", T);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 4);
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 443));
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 1);
    free(s);
}

static void test_wildcards(void **state)
{
    (void)state;
    struct ps_portset *s = parse_ok("http*", T);
    static const unsigned want[] = {80, 443, 593, 8000, 8008, 8080, 8443, 8888};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!ps_portset_has(s, PS_PROTO_TCP, want[i]))
            fail_msg("http* lacks %u", want[i]);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 8);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 0);
    free(s);

    s = parse_ok("U:http*", T); /* https 443/udp, alias http3 */
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 443));
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 1);
    free(s);

    s = parse_ok("?sh", T);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 22));
    free(s);

    s = parse_ok("HTTPS-AL?", T);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 8443));
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 1);
    free(s);

    expect_error("nosuchthing*", T, PS_EPARSE, "'nosuchthing*'",
                 "no service name matches", NULL);
}

static void test_errors(void **state)
{
    (void)state;
    /* Out of range. */
    expect_error("65536", T, PS_ERANGE, "'65536'", "65536", "out of range", NULL);
    expect_error("1-70000", T, PS_ERANGE, "'1-70000'", "70000", "out of range", NULL);
    expect_error("99999999999999999999", T, PS_ERANGE, "out of range", NULL);
    expect_error("22,T:100000-", TU, PS_ERANGE, "'T:100000-'", "out of range", NULL);
    /* Reversed. */
    expect_error("2000-1000", T, PS_ERANGE, "'2000-1000'", "reversed range",
                 "2000", "1000", NULL);
    expect_error("80,443-442", T, PS_ERANGE, "'443-442'", "reversed", NULL);
    /* Unknown names. */
    expect_error("nosuchservice", T, PS_EPARSE, "'nosuchservice'",
                 "unknown service name", NULL);
    expect_error("ssh,bogus-svc", T, PS_EPARSE, "'bogus-svc'", "unknown service", NULL);
    expect_error("netbios-ns", T, PS_EPARSE, "'netbios-ns'",
                 "not known for tcp", NULL);
    expect_error("T:netbios-ns", U, PS_EPARSE, "not known for tcp", NULL);
    expect_error("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                 T, PS_EPARSE, "unknown service name", "...", NULL);
    /* Empty. */
    expect_error("", T, PS_EPARSE, "empty port specification", NULL);
    expect_error("22,,80", T, PS_EPARSE, "empty item 2", "offset 3", NULL);
    expect_error(",22", T, PS_EPARSE, "empty item 1", NULL);
    expect_error("22,", T, PS_EPARSE, "empty item 2", NULL);
    expect_error("T:", T, PS_EPARSE, "'T:'", "no port after", NULL);
    expect_error("T:,80", T, PS_EPARSE, "'T:'", "no port after", NULL);
    /* Trailing junk and stray characters. */
    expect_error("80x", T, PS_EPARSE, "'80x'", "trailing junk 'x'", NULL);
    expect_error("1-2-3", T, PS_EPARSE, "'1-2-3'", "trailing junk '-3'", NULL);
    expect_error("--5", T, PS_EPARSE, "trailing junk", NULL);
    expect_error("22 ", T, PS_EPARSE, "trailing junk ' '", NULL);
    expect_error(" 22", T, PS_EPARSE, "unexpected character ' '", NULL);
    expect_error("[1-1024]", T, PS_EPARSE, "'[1-1024]'", "unexpected character '['", NULL);
    expect_error("ht/tp", T, PS_EPARSE, "unexpected character '/'", NULL);
    expect_error("80\x01", T, PS_EPARSE, "\\x01", NULL);
    /* Prefixes. */
    expect_error("X:80", T, PS_EPARSE, "'X:80'", "bad protocol prefix 'X:'", NULL);
    expect_error("TCP:80", T, PS_EPARSE, "bad protocol prefix 'TCP:'", NULL);
    expect_error(":80", T, PS_EPARSE, "bad protocol prefix", NULL);
    expect_error("T:U:80", T, PS_EPARSE, "'T:U:80'", "more than one ':'", NULL);
    expect_error("S:80", T, PS_EUNSUPP, "'S:80'", "SCTP", "not supported", NULL);
    expect_error("22,s:1-5", T, PS_EUNSUPP, "SCTP", NULL);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct ps_portset *s = calloc(1, sizeof *s);
    char err[128];
    assert_non_null(s);
    assert_int_equal(ps_portspec_parse(NULL, builtin, T, s, err, sizeof err), PS_EINVAL);
    assert_true(err[0] != '\0');
    assert_int_equal(ps_portspec_parse("22", builtin, T, NULL, err, sizeof err), PS_EINVAL);
    assert_int_equal(ps_portspec_parse("22", builtin, 0, s, err, sizeof err), PS_EINVAL);
    assert_int_equal(ps_portspec_parse("22", builtin, 1u << PS_PROTO_SCTP, s, err,
                                       sizeof err), PS_EINVAL);
    assert_non_null(strstr(err, "tcp and/or udp"));
    /* Numbers need no registry; names do. */
    assert_int_equal(ps_portspec_parse("22,U:53", NULL, T, s, err, sizeof err), 0);
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 2);
    assert_int_equal(ps_portspec_parse("ssh", NULL, T, s, err, sizeof err), PS_EINVAL);
    assert_non_null(strstr(err, "need a registry"));
    /* No err buffer; a tiny one is truncated and terminated. */
    assert_int_equal(ps_portspec_parse("x-", builtin, T, s, NULL, 0), PS_EPARSE);
    char tiny[6];
    memset(tiny, 'z', sizeof tiny);
    assert_int_equal(ps_portspec_parse("99999", builtin, T, s, tiny, sizeof tiny),
                     PS_ERANGE);
    assert_non_null(memchr(tiny, '\0', sizeof tiny));
    free(s);
}

static void test_parse_adds_and_keeps_on_error(void **state)
{
    (void)state;
    struct ps_portset *s = parse_ok("22", T);
    char err[128];
    /* Adds to what is there. */
    assert_int_equal(ps_portspec_parse("80", builtin, U, s, err, sizeof err), 0);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 22));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 80));
    /* A failing spec changes nothing, even its good items before the bad. */
    assert_int_equal(ps_portspec_parse("1-1000,bogus-svc", builtin, TU, s, err,
                                       sizeof err), PS_EPARSE);
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), 2);
    free(s);
}

static void test_exclude(void **state)
{
    (void)state;
    struct ps_portset *s = parse_ok("-", TU);
    char err[128];
    assert_int_equal(ps_portset_remove_spec(s, "1-1024,U:53", builtin, T, err,
                                            sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 65535 - 1024);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 65534);
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 53));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 54));
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 1));

    assert_int_equal(ps_portset_remove_spec(s, "http*", builtin, TU, err,
                                            sizeof err), 0);
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 8080));
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 443));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 8081));

    /* Errors leave the set alone. */
    size_t before = ps_portset_count(s, PS_PROTO_ANY);
    assert_int_equal(ps_portset_remove_spec(s, "2000-,5-4", builtin, TU, err,
                                            sizeof err), PS_ERANGE);
    assert_non_null(strstr(err, "reversed"));
    assert_int_equal(ps_portset_count(s, PS_PROTO_ANY), before);
    assert_int_equal(ps_portset_remove_spec(NULL, "1", builtin, TU, err, sizeof err),
                     PS_EINVAL);

    /* Excluding everything leaves nothing; port 0 only when written. */
    ps_portset_clear(s);
    assert_int_equal(ps_portset_add(s, PS_PROTO_TCP, 0), 0);
    assert_int_equal(ps_portset_add(s, PS_PROTO_TCP, 1), 0);
    assert_int_equal(ps_portset_remove_spec(s, "-", builtin, T, err, sizeof err), 0);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 1);
    assert_int_equal(ps_portset_remove_spec(s, "0", builtin, T, err, sizeof err), 0);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 0);
    free(s);
}

static const char nmap_services[] =
    "# test nmap-services\n"
    "http\t80/tcp\t0.484143\t# World Wide Web HTTP\n"
    "telnet\t23/tcp\t0.221265\n"
    "https\t443/tcp\t0.208669\n"
    "ftp\t21/tcp\t0.197667\n"
    "ssh\t22/tcp\t0.182286\n"
    "smtp\t25/tcp\t0.131314\n"
    "ms-wbt-server\t3389/tcp\t0.083904\n"
    "pop3\t110/tcp\t0.077142\n"
    "tie-a\t4000/tcp\t0.077142\n" /* ties with pop3: lower port first */
    "domain\t53/udp\t0.213496\n"
    "netbios-ns\t137/udp\t0.468008\n"
    "ntp\t123/udp\t0.330879\n";

static struct ps_registry *nmap_registry(int with_builtin)
{
    struct ps_registry *reg = ps_test_registry(NULL);
    if (with_builtin)
        assert_int_equal(ps_registry_add_builtin(reg), 0);
    assert_int_equal(ps_registry_load_buffer(reg, nmap_services,
                                             strlen(nmap_services),
                                             PS_FORMAT_NMAP, "nmap"), 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    return reg;
}

static void test_top_ports(void **state)
{
    (void)state;
    struct ps_registry *reg = nmap_registry(0);
    struct ps_portset *s = calloc(1, sizeof *s);
    assert_non_null(s);

    assert_int_equal(ps_portset_top(reg, PS_PROTO_TCP, 3, s), 3);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 3);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 80));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 23));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 443));
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 0);

    ps_portset_clear(s);
    assert_int_equal(ps_portset_top(reg, PS_PROTO_TCP, 8, s), 8);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 110));  /* tie: lower port */
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 4000));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 3389));

    ps_portset_clear(s);
    assert_int_equal(ps_portset_top(reg, PS_PROTO_UDP, 2, s), 2);
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 137));
    assert_true(ps_portset_has(s, PS_PROTO_UDP, 123));
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 53));
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 0);

    /* More than have frequencies: the rest in port order (rule 3 here,
     * since this registry knows only the nmap ports). */
    ps_portset_clear(s);
    assert_int_equal(ps_portset_top(reg, PS_PROTO_TCP, 12, s), 12);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 4000));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 1));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 2));
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 3));
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 4));
    assert_false(ps_portset_has(s, PS_PROTO_TCP, 0));

    /* Everything, never port 0; n is capped. */
    ps_portset_clear(s);
    assert_int_equal(ps_portset_top(reg, PS_PROTO_UDP, 1000000, s), 65535);
    assert_int_equal(ps_portset_count(s, PS_PROTO_UDP), 65535);
    assert_false(ps_portset_has(s, PS_PROTO_UDP, 0));

    /* Adds to out; n = 0 adds nothing. */
    ps_portset_clear(s);
    assert_int_equal(ps_portset_add(s, PS_PROTO_TCP, 9), 0);
    assert_int_equal(ps_portset_top(reg, PS_PROTO_TCP, 0, s), 0);
    assert_int_equal(ps_portset_top(reg, PS_PROTO_TCP, 1, s), 1);
    assert_int_equal(ps_portset_count(s, PS_PROTO_TCP), 2);

    assert_int_equal(ps_portset_top(reg, PS_PROTO_SCTP, 1, s), PS_EINVAL);
    assert_int_equal(ps_portset_top(NULL, PS_PROTO_TCP, 1, s), PS_EINVAL);
    assert_int_equal(ps_portset_top(reg, PS_PROTO_TCP, 1, NULL), PS_EINVAL);
    ps_registry_free(reg);

    /* With the built-in table too: rule 2 fills in with its ports. */
    reg = nmap_registry(1);
    ps_portset_clear(s);
    assert_int_equal(ps_portset_top(reg, PS_PROTO_TCP, 10, s), 10);
    for (unsigned p = 1; p <= 3; p++) /* 9 frequencies; next: lowest listed */
        assert_false(ps_portset_has(s, PS_PROTO_TCP, p) &&
                     ps_registry_find_port(reg, PS_PROTO_TCP, p, NULL, 0) == 0);
    long extra = -1;
    for (long p = ps_portset_next(s, PS_PROTO_TCP, 0); p >= 0;
         p = ps_portset_next(s, PS_PROTO_TCP, (unsigned long)p + 1))
        if (ps_registry_frequency(reg, PS_PROTO_TCP, (unsigned)p) < 0)
            extra = p;
    assert_true(extra > 0);
    assert_true(ps_registry_find_port(reg, PS_PROTO_TCP, (unsigned)extra, NULL, 0) > 0);
    for (long p = 1; p < extra; p++)
        if (ps_registry_find_port(reg, PS_PROTO_TCP, (unsigned)p, NULL, 0) > 0)
            assert_true(ps_portset_has(s, PS_PROTO_TCP, (unsigned)p));
    ps_registry_free(reg);
    free(s);
}

static void test_top_without_frequencies(void **state)
{
    (void)state;
    /* The built-in table alone: its TCP ports in port order. */
    struct ps_portset *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(ps_portset_top(builtin, PS_PROTO_TCP, 5, s), 5);
    unsigned seen = 0;
    for (unsigned p = 1; p <= 65535 && seen < 5; p++) {
        if (ps_registry_find_port(builtin, PS_PROTO_TCP, p, NULL, 0) == 0)
            continue;
        if (!ps_portset_has(s, PS_PROTO_TCP, p))
            fail_msg("top 5 lacks the listed port %u", p);
        seen++;
    }
    assert_int_equal(seen, 5);
    assert_true(ps_portset_has(s, PS_PROTO_TCP, 22) ||
                ps_portset_count(s, PS_PROTO_TCP) == 5);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_helpers),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_open_ranges),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_parse_adds_and_keeps_on_error),
        cmocka_unit_test(test_exclude),
        cmocka_unit_test(test_top_ports),
        cmocka_unit_test(test_top_without_frequencies),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
