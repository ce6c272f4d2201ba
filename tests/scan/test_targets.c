/* Scan target specifications (portscope/targets.h): literals, CIDR,
 * octet ranges, junk and bad arguments, and hostnames through a fake
 * resolver. Exclusions and iteration are in test_targets_exclude.c, -iL
 * files in test_targets_files.c; the helpers are in targets_test.h, which
 * says why no test here causes a DNS query. */
#include "targets_test.h"

/* ---- Literals and CIDR -------------------------------------------------- */

static void test_ipv4_literals(void **state)
{
    (void)state;
    expect_spec("198.18.0.7", 1, "198.18.0.7");
    expect_spec("127.0.0.1", 1, "127.0.0.1");
    /* Leading zeros are decimal, as nmap's octet parser reads them. */
    expect_spec("198.018.000.007", 1, "198.18.0.7");
    expect_spec("0.0.0.0", 1, "0.0.0.0");
    expect_spec("255.255.255.255", 1, "255.255.255.255");
}

static void test_cidr_ipv4(void **state)
{
    (void)state;
    expect_spec("198.18.0.0/32", 1, "198.18.0.0");
    expect_spec("198.18.0.9/32", 1, "198.18.0.9");
    expect_spec("198.18.0.9/31", 2, "198.18.0.8 198.18.0.9");
    expect_spec("198.18.0.6/30", 4, "198.18.0.4 198.18.0.5 198.18.0.6 "
                "198.18.0.7");

    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.77/24"); /* host bits ignored */
    assert_int_equal(ps_targets_count(t), 256);
    struct ps_ip last;
    char a[64];
    assert_int_equal(walk_count(t, &last), 256);
    assert_string_equal(fmt_ip(&last, a), "198.18.0.255");
    expect_first(t, 2, "198.18.0.0 198.18.0.1");
    ps_targets_free(t);

    /* /15 and the top of the address space (no wrap past 255.255.255.255). */
    t = new_list();
    add_ok(t, "198.19.255.255/15");
    assert_int_equal(ps_targets_count(t), 131072);
    assert_int_equal(walk_count(t, &last), 131072);
    assert_string_equal(fmt_ip(&last, a), "198.19.255.255");
    ps_targets_free(t);
    expect_spec("255.255.255.252/30", 4, "255.255.255.252 255.255.255.253 "
                "255.255.255.254 255.255.255.255");

    /* /0 is all 2^32 addresses; walk only its start. */
    t = new_list();
    add_ok(t, "198.18.0.1/0");
    assert_int_equal(ps_targets_count(t), UINT64_C(1) << 32);
    expect_first(t, 3, "0.0.0.0 0.0.0.1 0.0.0.2");
    add_ok(t, "0.0.0.0/0"); /* counts add up past 2^32 */
    assert_int_equal(ps_targets_count(t), UINT64_C(1) << 33);
    ps_targets_free(t);

    expect_error("198.18.0.0/33", PS_EPARSE, "198.18.0.0/33: prefix length "
                 "above 32");
    expect_error("198.18.0.0/129", PS_EPARSE, "prefix length above 32");
    expect_error("198.18.0.0/99999", PS_EPARSE, "prefix length above");
    expect_error("198.18.0.0/", PS_EPARSE, "bad prefix length");
    expect_error("198.18.0.0/x", PS_EPARSE, "bad prefix length 'x'");
    expect_error("198.18.0.0/-1", PS_EPARSE, "bad prefix length");
    expect_error("198.18.0.0/+8", PS_EPARSE, "bad prefix length");
    expect_error("198.18.0.0/24/8", PS_EPARSE, "bad prefix length");
    expect_error("/24", PS_EPARSE, "no address before the prefix");
    expect_error("198.18.0.1-20/24", PS_EPARSE, "cannot follow octet ranges");
    expect_error("198.18.*.0/24", PS_EPARSE, "cannot follow octet ranges");
}

static void test_ipv6(void **state)
{
    (void)state;
    expect_spec("2001:db8::7", 1, "2001:db8::7");
    expect_spec("::1", 1, "::1");
    expect_spec("2001:0DB8:0000:0000:0000:0000:0000:0007", 1, "2001:db8::7");
    expect_spec("2001:db8:0:0:1:0:0:1", 1, "2001:db8::1:0:0:1");
    /* Embedded and mapped IPv4 forms stay IPv6 addresses. */
    expect_spec("::ffff:198.18.0.1", 1, "::ffff:198.18.0.1");
    expect_spec("2001:db8::198.18.0.1", 1, "2001:db8::c612:1");
    expect_spec("2001:db8::7/128", 1, "2001:db8::7");
    expect_spec("2001:db8::5/127", 2, "2001:db8::4 2001:db8::5");
    expect_spec("2001:db8::1/126", 4, "2001:db8:: 2001:db8::1 2001:db8::2 "
                "2001:db8::3");

    struct ps_targets *t = new_list();
    add_ok(t, "2001:db8::1:2:3/96"); /* the low 32 bits vary */
    assert_int_equal(ps_targets_count(t), UINT64_C(1) << 32);
    expect_first(t, 3, "2001:db8::1:0:0 2001:db8::1:0:1 2001:db8::1:0:2");
    ps_targets_free(t);

    t = new_list();
    add_ok(t, "2001:db8::ff:ff77/120");
    struct ps_ip last;
    char a[64];
    assert_int_equal(ps_targets_count(t), 256);
    assert_int_equal(walk_count(t, &last), 256);
    assert_string_equal(fmt_ip(&last, a), "2001:db8::ff:ffff");
    expect_first(t, 1, "2001:db8::ff:ff00");
    ps_targets_free(t);

    /* The very top of IPv6 ends without wrapping. */
    t = new_list();
    add_ok(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
    expect_walk(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe "
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    ps_targets_free(t);

    expect_error("2001:db8::/95", PS_ERANGE, "2001:db8::/95: prefix /95 names "
                 "more than 2^32 addresses");
    expect_error("2001:db8::/64", PS_ERANGE, "/96 or longer");
    expect_error("2001:db8::/0", PS_ERANGE, "more than 2^32");
    expect_error("2001:db8::/129", PS_EPARSE, "prefix length above 128");
    expect_error("fe80::1%eth0", PS_EPARSE, "zone '%eth0' not supported");
    expect_error("fe80::1%1/128", PS_EPARSE, "zone");
    expect_error("2001:db8:::1", PS_EPARSE, "not a valid IPv6 address");
    expect_error("2001:db8::g", PS_EPARSE, "not a valid IPv6 address");
    expect_error("2001:db8::1::2", PS_EPARSE, "not a valid IPv6 address");
    expect_error("1:2:3:4:5:6:7:8:9", PS_EPARSE, "not a valid IPv6 address");
    expect_error("[2001:db8::1]", PS_EPARSE, "not a valid IPv6 address");
    expect_error("2001:db8::1-5", PS_EPARSE, "not a valid IPv6 address");
    expect_error(":", PS_EPARSE, "not a valid IPv6 address");
    expect_error("2001:db8:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001",
                 PS_EPARSE, "not a valid IPv6 address");
}

/* ---- Octet ranges ------------------------------------------------------- */

static void test_octet_ranges(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.1-20");
    assert_int_equal(ps_targets_count(t), 20);
    struct ps_ip last;
    char a[64];
    assert_int_equal(walk_count(t, &last), 20);
    assert_string_equal(fmt_ip(&last, a), "198.18.0.20");
    expect_first(t, 2, "198.18.0.1 198.18.0.2");
    ps_targets_free(t);

    expect_spec("198.18.0-1.1,3,5-7", 10,
                "198.18.0.1 198.18.0.3 198.18.0.5 198.18.0.6 198.18.0.7 "
                "198.18.1.1 198.18.1.3 198.18.1.5 198.18.1.6 198.18.1.7");
    /* Lists come out in ascending order, each value once. */
    expect_spec("198.18.0.5,1,3,1-1", 3, "198.18.0.1 198.18.0.3 198.18.0.5");
    expect_spec("198.18.1,0.9", 2, "198.18.0.9 198.18.1.9");
    expect_spec("198.18.0.-3", 4, "198.18.0.0 198.18.0.1 198.18.0.2 "
                "198.18.0.3");
    expect_spec("198.18.0.253-", 3, "198.18.0.253 198.18.0.254 198.18.0.255");
    expect_spec("198.18-19.7.7", 2, "198.18.7.7 198.19.7.7");
    expect_spec("198.18.0.010-11", 2, "198.18.0.10 198.18.0.11");

    t = new_list();
    add_ok(t, "198.18.*.1");
    assert_int_equal(ps_targets_count(t), 256);
    expect_first(t, 3, "198.18.0.1 198.18.1.1 198.18.2.1");
    assert_int_equal(walk_count(t, &last), 256);
    assert_string_equal(fmt_ip(&last, a), "198.18.255.1");
    ps_targets_free(t);

    t = new_list();
    add_ok(t, "198.18.0.-");
    add_ok(t, "198.18.1.*");
    add_ok(t, "198.18.2.0-255");
    add_ok(t, "198.18.3,5.7-8,1");
    assert_int_equal(ps_targets_count(t), 256 * 3 + 6);
    assert_int_equal(walk_count(t, NULL), 256 * 3 + 6);
    ps_targets_free(t);

    t = new_list();
    add_ok(t, "*.*.*.*");
    add_ok(t, "-.-.-.-");
    assert_int_equal(ps_targets_count(t), UINT64_C(1) << 33);
    expect_first(t, 2, "0.0.0.0 0.0.0.1");
    ps_targets_free(t);

    t = new_list();
    add_ok(t, "198.18-19.254-255.0,255");
    assert_int_equal(ps_targets_count(t), 8);
    expect_walk(t, "198.18.254.0 198.18.254.255 198.18.255.0 198.18.255.255 "
                "198.19.254.0 198.19.254.255 198.19.255.0 198.19.255.255");
    ps_targets_free(t);

    expect_error("198.18.0.300", PS_ERANGE, "198.18.0.300: octet 4 is above 255");
    expect_error("198.18.256.1", PS_ERANGE, "octet 3 is above 255");
    expect_error("198.18.0.1-256", PS_ERANGE, "octet 4 is above 255");
    expect_error("198.18.0.99999999999", PS_ERANGE, "octet 4 is above 255");
    expect_error("198.18.0.20-1", PS_ERANGE, "octet 4 has a reversed range 20-1");
    expect_error("198.18..1", PS_EPARSE, "octet 3 is empty");
    expect_error(".18.0.1", PS_EPARSE, "octet 1 is empty");
    expect_error("198.18.0.", PS_EPARSE, "octet 4 is empty");
    expect_error("198.18.0", PS_EPARSE, "expected 4 octets separated by dots, "
                 "found 3");
    expect_error("198.18.0.1.2", PS_EPARSE, "found 5");
    expect_error("198", PS_EPARSE, "found 1");
    expect_error("198.18.0.1,,2", PS_EPARSE, "octet 4 has an empty item");
    expect_error("198.18.0.1,", PS_EPARSE, "octet 4 has an empty item");
    expect_error("198.18.0.1-2-3", PS_EPARSE, "octet 4: '1-2-3' is not a "
                 "number or range");
    expect_error("198.18.0.1*", PS_EPARSE, "octet 4: '1*'");
    expect_error("198.18.0.**", PS_EPARSE, "octet 4: '**'");
    expect_error("198.18.0.--", PS_EPARSE, "octet 4: '--'");
    expect_error("-", PS_EPARSE, "expected 4 octets");
    expect_error("*", PS_EPARSE, "expected 4 octets");
}

/* ---- Junk and arguments ------------------------------------------------- */

static void test_junk(void **state)
{
    (void)state;
    expect_error("", PS_EPARSE, "empty target specification");
    expect_error(" 198.18.0.1", PS_EPARSE, "unexpected character ' '");
    expect_error("198.18.0.1 ", PS_EPARSE, "unexpected character ' '");
    expect_error("198.18.0.1\t", PS_EPARSE, "unexpected character '\\x09'");
    expect_error("198.18.0.1\n", PS_EPARSE, "'\\x0a'");
    expect_error("198.18.0.\x01", PS_EPARSE, "'\\x01'");
    expect_error("h\xc3\xa9llo", PS_EPARSE, "h\\xc3\\xa9llo: unexpected "
                 "character '\\xc3'");
    expect_error("198.18.0.1 198.18.0.2", PS_EPARSE, "unexpected character");
    /* Not hostnames either. */
    expect_error("a..b", PS_EPARSE, "a..b: not a valid address or hostname");
    expect_error("-bad.example", PS_EPARSE, "not a valid address or hostname");
    expect_error("bad-.example", PS_EPARSE, "not a valid address or hostname");
    expect_error("a.1", PS_EPARSE, "not a valid address or hostname");
    expect_error("198.18.0.1:80", PS_EPARSE, "not a valid IPv6 address");
    expect_error("http://198.18.0.1/", PS_EPARSE, "bad prefix length");
    expect_error("a!b", PS_EPARSE, "not a valid address or hostname");
    expect_error(".", PS_EPARSE, "expected 4 octets");

    char label[70];
    memset(label, 'a', 64);
    memcpy(label + 64, ".test", 6); /* a 64-byte label */
    expect_error(label, PS_EPARSE, "not a valid address or hostname");
    char name[300];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    for (size_t i = 60; i < sizeof name - 1; i += 61)
        name[i] = '.'; /* labels fine, but 299 bytes in all */
    expect_error(name, PS_EPARSE, "not a valid address or hostname");

    /* Long specs are cut in messages and refused past 4096 bytes. */
    char *big = malloc(5000);
    assert_non_null(big);
    memset(big, '1', 4999);
    big[4999] = '\0';
    struct ps_targets *t = new_list();
    char err[256];
    check_err("big", ps_targets_add(t, big, err, sizeof err), PS_EPARSE, err,
              "longer than 4096 characters");
    assert_non_null(strstr(err, "..."));
    free(big);

    /* NULL arguments, small and absent error buffers. */
    assert_int_equal(ps_targets_add(NULL, "198.18.0.1", err, sizeof err),
                     PS_EINVAL);
    assert_int_equal(ps_targets_add(t, NULL, err, sizeof err), PS_EINVAL);
    assert_int_equal(ps_targets_add_file(t, NULL, NULL, 0), PS_EINVAL);
    assert_int_equal(ps_targets_exclude(NULL, "198.18.0.1", NULL, 0), PS_EINVAL);
    assert_int_equal(ps_targets_exclude_file(t, NULL, NULL, 0), PS_EINVAL);
    char small[6];
    memset(small, 'x', sizeof small);
    assert_int_equal(ps_targets_add(t, "198.18.0.300", small, sizeof small),
                     PS_ERANGE);
    assert_string_equal(small, "198.1");
    assert_int_equal(ps_targets_add(t, "198.18.0.300", NULL, 0), PS_ERANGE);
    assert_int_equal(ps_targets_count(t), 0);
    assert_int_equal(ps_targets_count(NULL), 0);
    expect_walk(t, "");
    ps_targets_free(t);
    ps_targets_free(NULL);
    ps_targets_set_resolver(NULL, NULL, NULL);

    assert_null(ps_target_iter_new(NULL));
    struct ps_target tg;
    assert_int_equal(ps_target_iter_next(NULL, &tg), PS_EINVAL);
    ps_target_iter_free(NULL);
}

/* ---- Hostnames ---------------------------------------------------------- */

static void test_no_resolve(void **state)
{
    (void)state;
    expect_error("localhost", PS_EUNSUPP, "localhost: hostnames are not "
                 "accepted here (name resolution is off)");
    expect_error("web.test/24", PS_EUNSUPP, "name resolution is off");
    /* Syntax is still checked first. */
    expect_error("web..test", PS_EPARSE, "not a valid");
}

static void test_fake_resolver(void **state)
{
    (void)state;
    struct fake f;
    struct ps_targets *t = fake_list(0, &f, NULL);
    add_ok(t, "web.test");
    assert_int_equal(f.calls, 1);
    assert_string_equal(f.last_name, "web.test");
    assert_int_equal(f.last_prefer_v6, 0);
    add_ok(t, "web.test/30");
    assert_string_equal(f.last_name, "web.test"); /* the prefix is not sent */
    add_ok(t, "WEB.test."); /* case and trailing dot are the resolver's */
    add_ok(t, "v4only.test/32");
    assert_int_equal(f.calls, 4);
    assert_int_equal(ps_targets_count(t), 1 + 4 + 1 + 1);
    expect_walk(t, "198.18.1.10=web.test 198.18.1.8=web.test "
                "198.18.1.9=web.test 198.18.1.10=web.test 198.18.1.11=web.test "
                "198.18.1.10=WEB.test. 198.18.1.12=v4only.test");
    assert_int_equal(f.calls, 4); /* resolved once, when added */

    char err[256];
    check_err("missing", ps_targets_add(t, "missing.test", err, sizeof err),
              PS_ENOENT, err, "missing.test: hostname does not resolve to an "
              "IPv4 address");
    check_err("oom", ps_targets_add(t, "oom.test", err, sizeof err),
              PS_ENOMEM, err, "oom.test: out of memory");
    check_err("io", ps_targets_add(t, "io.test", err, sizeof err), PS_ENOENT,
              err, "does not resolve");
    check_err("weird", ps_targets_add(t, "weird.test", err, sizeof err),
              PS_ENOENT, err, "no usable address");
    unsigned calls = f.calls;
    check_err("/33", ps_targets_add(t, "web.test/33", err, sizeof err),
              PS_EPARSE, err, "web.test/33: prefix length above 32");
    assert_int_equal(f.calls, calls); /* refused before resolving */
    assert_int_equal(ps_targets_count(t), 7);
    ps_targets_free(t);

    /* -6: the resolver is asked for IPv6; prefixes count IPv6 bits. */
    t = fake_list(PS_TARGETS_PREFER_V6, &f, NULL);
    add_ok(t, "v6.test");
    assert_int_equal(f.last_prefer_v6, 1);
    add_ok(t, "v6.test/126");
    assert_int_equal(ps_targets_count(t), 5);
    expect_walk(t, "2001:db8::10=v6.test 2001:db8::10=v6.test "
                "2001:db8::11=v6.test 2001:db8::12=v6.test 2001:db8::13=v6.test");
    calls = f.calls;
    check_err("v6/24", ps_targets_add(t, "v6.test/24", err, sizeof err),
              PS_ERANGE, err, "v6.test/24: prefix /24 names more than 2^32");
    check_err("v6/129", ps_targets_add(t, "v6.test/129", err, sizeof err),
              PS_EPARSE, err, "prefix length above 128");
    assert_int_equal(f.calls, calls);
    /* An IPv4 answer is taken, but a /126 does not fit it. */
    add_ok(t, "v4only.test");
    check_err("v4/126", ps_targets_add(t, "v4only.test/126", err, sizeof err),
              PS_EPARSE, err, "v4only.test/126: prefix length above 32");
    check_err("missing6", ps_targets_add(t, "nothing.test", err, sizeof err),
              PS_ENOENT, err, "does not resolve to an IPv6 address");
    assert_int_equal(ps_targets_count(t), 6);
    ps_targets_free(t);
}

static void test_localhost(void **state)
{
    (void)state;
    /* Only when /etc/hosts answers for localhost, so no DNS query can be
     * sent; the list asks for IPv4 (this file may lack ::1). */
    char *hosts = ps_test_read_file("/etc/hosts", NULL);
    int listed = 0;
    for (char *line = hosts ? strtok(hosts, "\n") : NULL; line && !listed;
         line = strtok(NULL, "\n"))
        listed = strncmp(line, "127.0.0.1", 9) == 0 &&
                 strstr(line, " localhost") != NULL;
    free(hosts);
    if (!listed)
        skip();
    struct ps_targets *t = ps_targets_new(0, NULL);
    assert_non_null(t);
    /* A resolver set and then taken away: the default is back. */
    struct fake f = {0};
    ps_targets_set_resolver(t, fake_resolve, &f);
    ps_targets_set_resolver(t, NULL, NULL);
    add_ok(t, "localhost");
    assert_int_equal(f.calls, 0);
    add_ok(t, "localhost/31");
    assert_int_equal(ps_targets_count(t), 3);
    expect_walk(t, "127.0.0.1=localhost 127.0.0.0=localhost "
                "127.0.0.1=localhost");
    ps_targets_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_literals),
        cmocka_unit_test(test_cidr_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_octet_ranges),
        cmocka_unit_test(test_junk),
        cmocka_unit_test(test_no_resolve),
        cmocka_unit_test(test_fake_resolver),
        cmocka_unit_test(test_localhost),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
