/* ps_key_parse(): lookup keys as people type them. */
#include "ps_test.h"

#include <string.h>

struct parsed {
    int rc;
    struct ps_key key;
    char err[256];
};

static struct parsed parse(const char *text)
{
    struct parsed p;
    memset(&p, 0x5a, sizeof p); /* garbage: the parser must reset it all */
    p.rc = ps_key_parse(text, &p.key, p.err, sizeof p.err);
    return p;
}

static void expect_port(const char *text, unsigned lo, unsigned hi,
                        enum ps_proto proto)
{
    struct parsed p = parse(text);
    if (p.rc != 0)
        fail_msg("'%s': %s (%s)", text, ps_err_name(p.rc), p.err);
    assert_int_equal(p.key.kind, PS_KEY_PORT);
    assert_int_equal(p.key.port, lo);
    assert_int_equal(p.key.port_end, hi);
    assert_int_equal(p.key.proto, proto);
    assert_int_equal(p.key.suspect, 0);
    assert_string_equal(p.err, "");
}

static void expect_name(const char *text, const char *name, enum ps_proto proto)
{
    struct parsed p = parse(text);
    if (p.rc != 0)
        fail_msg("'%s': %s (%s)", text, ps_err_name(p.rc), p.err);
    assert_int_equal(p.key.kind, PS_KEY_NAME);
    assert_string_equal(p.key.name, name);
    assert_int_equal(p.key.proto, proto);
}

/* Expects failure with code rc and an error message containing each of the
 * NULL-terminated fragments. */
static void expect_error(const char *text, int rc, ...)
{
    struct parsed p = parse(text);
    va_list ap;
    if (p.rc != rc)
        fail_msg("'%s': got %s, expected %s (err '%s')", text,
                 ps_err_name(p.rc), ps_err_name(rc), p.err);
    assert_true(strlen(p.err) > 0);
    va_start(ap, rc);
    for (const char *frag; (frag = va_arg(ap, const char *));)
        if (!strstr(p.err, frag))
            fail_msg("'%s': error '%s' does not mention '%s'", text, p.err, frag);
    va_end(ap);
}

static void single_ports(void **state)
{
    (void)state;
    expect_port("22", 22, 22, PS_PROTO_ANY);
    expect_port("0", 0, 0, PS_PROTO_ANY);
    expect_port("65535", 65535, 65535, PS_PROTO_ANY);
    expect_port("00080", 80, 80, PS_PROTO_ANY);
}

static void port_ranges(void **state)
{
    (void)state;
    expect_port("6881-6999", 6881, 6999, PS_PROTO_ANY);
    expect_port("0-65535", 0, 65535, PS_PROTO_ANY);
    expect_port("80-80", 80, 80, PS_PROTO_ANY);
    expect_port("6000-6063/tcp", 6000, 6063, PS_PROTO_TCP);
}

static void port_with_transport_either_side(void **state)
{
    (void)state;
    expect_port("53/udp", 53, 53, PS_PROTO_UDP);
    expect_port("udp/53", 53, 53, PS_PROTO_UDP);
    expect_port("53/UDP", 53, 53, PS_PROTO_UDP);
    expect_port("Tcp/443", 443, 443, PS_PROTO_TCP);
    expect_port("9/dccp", 9, 9, PS_PROTO_DCCP);
    expect_port("sctp/22", 22, 22, PS_PROTO_SCTP);
    expect_port("ddp/4", 4, 4, PS_PROTO_DDP);
}

static void names(void **state)
{
    (void)state;
    expect_name("ssh", "ssh", PS_PROTO_ANY);
    expect_name("SSH", "SSH", PS_PROTO_ANY); /* kept as typed */
    expect_name("ssh/tcp", "ssh", PS_PROTO_TCP);
    expect_name("domain/udp", "domain", PS_PROTO_UDP);
    expect_name("udp/domain", "domain", PS_PROTO_UDP);
    expect_name("X11:1", "X11:1", PS_PROTO_ANY);
    expect_name("www-http", "www-http", PS_PROTO_ANY);
    expect_name("a.b_c+d", "a.b_c+d", PS_PROTO_ANY);
    /* "tcp" alone is a name; with a transport the other side is the key. */
    expect_name("tcp", "tcp", PS_PROTO_ANY);
    expect_name("tcp/udp", "tcp", PS_PROTO_UDP);
    struct parsed p = parse("ssh");
    assert_int_equal(p.key.suspect, 0);
}

static void name_of_max_length(void **state)
{
    (void)state;
    char name[PS_NAME_MAX + 1];
    memset(name, 'n', PS_NAME_MAX);
    name[PS_NAME_MAX] = '\0';
    expect_name(name, name, PS_PROTO_ANY);
}

static void out_of_range(void **state)
{
    (void)state;
    expect_error("70000", PS_ERANGE, "70000", "out of range", NULL);
    expect_error("65536", PS_ERANGE, "65536", NULL);
    expect_error("70000/tcp", PS_ERANGE, "70000", NULL);
    expect_error("80-70000", PS_ERANGE, "70000", NULL);
    expect_error("99999999999999999999999", PS_ERANGE, "out of range", NULL);
}

static void reversed_range(void **state)
{
    (void)state;
    expect_error("100-50", PS_ERANGE, "100-50", "reversed", NULL);
    expect_error("udp/9-8", PS_ERANGE, "reversed", NULL);
}

static void unknown_transport(void **state)
{
    (void)state;
    expect_error("53/xyz", PS_EPARSE, "unknown transport", "xyz", NULL);
    expect_error("ssh/icmp", PS_EPARSE, "unknown transport", "icmp", NULL);
    expect_error("53/", PS_EPARSE, "unknown transport", NULL);
    struct parsed p = parse("53/xyz");
    assert_int_equal(p.key.proto, PS_PROTO_ANY);
}

/* Regression: with the unknown transport first ("xyz/53") the message used
 * to name the port: "unknown transport '53'". */
static void unknown_transport_before_port(void **state)
{
    (void)state;
    expect_error("xyz/53", PS_EPARSE, "unknown transport", "'xyz'", NULL);
}

static void suspect_is_a_tentative_name(void **state)
{
    (void)state;
    struct parsed p = parse("22x");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.key.kind, PS_KEY_NAME);
    assert_string_equal(p.key.name, "22x");
    assert_int_equal(p.key.suspect, 1);
    assert_non_null(strstr(p.key.suspect_msg, "'x'"));
    assert_non_null(strstr(p.key.suspect_msg, "22"));
    assert_non_null(strstr(p.key.suspect_msg, "trailing junk"));

    p = parse("8080abc/tcp");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.key.proto, PS_PROTO_TCP);
    assert_int_equal(p.key.suspect, 1);
    assert_non_null(strstr(p.key.suspect_msg, "abc"));

    p = parse("80-90x");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.key.kind, PS_KEY_NAME);
    assert_int_equal(p.key.suspect, 1);
    assert_non_null(strstr(p.key.suspect_msg, "90x"));
}

static void range_without_last_port(void **state)
{
    (void)state;
    expect_error("80-", PS_EPARSE, "80-", "no last port", NULL);
    expect_error("80-/udp", PS_EPARSE, "no last port", NULL);
}

static void empty_key(void **state)
{
    (void)state;
    expect_error("", PS_EPARSE, "empty", NULL);
    expect_error("/tcp", PS_EPARSE, "empty", NULL);
    expect_error("udp/", PS_EPARSE, "empty", NULL);
    struct ps_key key;
    char err[64];
    assert_int_equal(ps_key_parse(NULL, &key, err, sizeof err), PS_EINVAL);
}

static void too_many_slashes(void **state)
{
    (void)state;
    expect_error("a/b/c", PS_EPARSE, "'/'", NULL);
    expect_error("53/udp/tcp", PS_EPARSE, "more than one", NULL);
}

static void bad_characters(void **state)
{
    (void)state;
    expect_error("-22", PS_EPARSE, "unexpected '-'", NULL);
    expect_error("ss h", PS_EPARSE, "unexpected ' '", NULL);
    expect_error("22 ", PS_EPARSE, "unexpected ' '", NULL);
    expect_error("ssh!", PS_EPARSE, "unexpected '!'", NULL);
    expect_error(".ssh", PS_EPARSE, "'.ssh'", NULL);
}

static void over_long_name(void **state)
{
    (void)state;
    char name[PS_NAME_MAX + 2];
    memset(name, 'n', PS_NAME_MAX + 1);
    name[PS_NAME_MAX + 1] = '\0';
    expect_error(name, PS_EPARSE, "longer than 63", NULL);

    char huge[4096];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    expect_error(huge, PS_EPARSE, "longer", NULL);
}

static void error_buffer_is_bounded(void **state)
{
    (void)state;
    struct ps_key key;
    char err[8];
    memset(err, 'X', sizeof err);
    assert_int_equal(ps_key_parse("70000", &key, err, 6), PS_ERANGE);
    assert_int_equal(err[5], '\0'); /* truncated, terminated, in bounds */
    assert_int_equal(err[6], 'X');
    /* No error buffer at all is allowed. */
    assert_int_equal(ps_key_parse("70000", &key, NULL, 0), PS_ERANGE);
    assert_int_equal(ps_key_parse("22", &key, NULL, 0), 0);
    assert_int_equal(key.port, 22);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_ports),
        cmocka_unit_test(port_ranges),
        cmocka_unit_test(port_with_transport_either_side),
        cmocka_unit_test(names),
        cmocka_unit_test(name_of_max_length),
        cmocka_unit_test(out_of_range),
        cmocka_unit_test(reversed_range),
        cmocka_unit_test(unknown_transport),
        cmocka_unit_test(unknown_transport_before_port),
        cmocka_unit_test(suspect_is_a_tentative_name),
        cmocka_unit_test(range_without_last_port),
        cmocka_unit_test(empty_key),
        cmocka_unit_test(too_many_slashes),
        cmocka_unit_test(bad_characters),
        cmocka_unit_test(over_long_name),
        cmocka_unit_test(error_buffer_is_bounded),
    };
    return cmocka_run_group_tests_name("key", tests, NULL, NULL);
}
