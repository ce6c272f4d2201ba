/* Scan target specifications, exclusions, -iL files and the iterator
 * (portscope/targets.h).
 *
 * No test here may cause a DNS query: hostnames go to a fake resolver, or
 * the list refuses them, and the only name given to the default resolver
 * is "localhost", answered from /etc/hosts (skipped when it is not there).
 * Addresses come from 198.18.0.0/15, 2001:db8::/32 and loopback; other
 * literals are parsed and counted, never contacted (nothing here sends). */
#include "ps_test.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "portscope/targets.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/ps-targets.XXXXXX",
             base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- Helpers ------------------------------------------------------------ */

/* A path in the temporary directory. */
static const char *tmp_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
    return buf;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

/* A list with no resolver at all (hostnames refused). */
static struct ps_targets *new_list(void)
{
    struct ps_targets *t = ps_targets_new(PS_TARGETS_NO_RESOLVE, NULL);
    assert_non_null(t);
    return t;
}

static void add_ok(struct ps_targets *t, const char *spec)
{
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = ps_targets_add(t, spec, err, sizeof err);
    if (rc != 0)
        fail_msg("'%s': %s (%s)", spec, ps_err_name(rc), err);
    assert_string_equal(err, "");
}

static void exclude_ok(struct ps_targets *t, const char *list)
{
    char err[256];
    int rc = ps_targets_exclude(t, list, err, sizeof err);
    if (rc != 0)
        fail_msg("exclude '%s': %s (%s)", list, ps_err_name(rc), err);
}

static void check_err(const char *what, int got, int rc, const char *err,
                      const char *frag)
{
    if (got != rc)
        fail_msg("'%s': got %s, expected %s (err '%s')", what,
                 ps_err_name(got), ps_err_name(rc), err);
    if (!strstr(err, frag))
        fail_msg("'%s': error '%s' does not mention '%s'", what, err, frag);
}

/* Adding spec to a list (flags) fails with rc and a message holding frag;
 * the list stays empty. */
static void expect_error_flags(unsigned flags, const char *spec, int rc,
                               const char *frag)
{
    struct ps_targets *t = ps_targets_new(flags, NULL);
    assert_non_null(t);
    char err[512] = "";
    check_err(spec, ps_targets_add(t, spec, err, sizeof err), rc, err, frag);
    assert_int_equal(ps_targets_count(t), 0);
    ps_targets_free(t);
}

static void expect_error(const char *spec, int rc, const char *frag)
{
    expect_error_flags(PS_TARGETS_NO_RESOLVE, spec, rc, frag);
}

/* Every target of t as "addr addr ...", names as addr=name; fails on an
 * iterator error. */
static char *walk(const struct ps_targets *t)
{
    size_t cap = 1024, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = '\0';
    struct ps_target_iter *it = ps_target_iter_new(t);
    assert_non_null(it);
    struct ps_target tg;
    int rc;
    while ((rc = ps_target_iter_next(it, &tg)) == 1) {
        char a[64], item[400];
        ps_ip_format(&tg.ip, a, sizeof a);
        int n = snprintf(item, sizeof item, "%s%s%s%s", len ? " " : "", a,
                         tg.name ? "=" : "", tg.name ? tg.name : "");
        if (len + (size_t)n + 1 > cap) {
            cap = (cap + (size_t)n) * 2;
            s = realloc(s, cap);
            assert_non_null(s);
        }
        memcpy(s + len, item, (size_t)n + 1);
        len += (size_t)n;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(ps_target_iter_next(it, &tg), 0); /* stays at the end */
    ps_target_iter_free(it);
    return s;
}

static void expect_walk(const struct ps_targets *t, const char *want)
{
    char *got = walk(t);
    if (strcmp(got, want) != 0)
        fail_msg("walk gave '%s', expected '%s'", got, want);
    free(got);
}

/* One spec on its own: its count and walk. */
static void expect_spec(const char *spec, uint64_t count, const char *want)
{
    struct ps_targets *t = new_list();
    add_ok(t, spec);
    assert_int_equal(ps_targets_count(t), count);
    expect_walk(t, want);
    ps_targets_free(t);
}

/* The first n targets of t as a string (as walk), without reaching the
 * end. */
static char *first_n(const struct ps_targets *t, size_t n)
{
    char *s = calloc(n, 64);
    assert_non_null(s);
    struct ps_target_iter *it = ps_target_iter_new(t);
    assert_non_null(it);
    struct ps_target tg;
    for (size_t i = 0; i < n; i++) {
        char a[64];
        assert_int_equal(ps_target_iter_next(it, &tg), 1);
        if (i)
            strcat(s, " ");
        strcat(s, ps_ip_format(&tg.ip, a, sizeof a));
    }
    ps_target_iter_free(it);
    return s;
}

static void expect_first(const struct ps_targets *t, size_t n, const char *want)
{
    char *got = first_n(t, n);
    if (strcmp(got, want) != 0)
        fail_msg("first %zu gave '%s', expected '%s'", n, got, want);
    free(got);
}

/* Counts what the iterator produces; *last gets the last address. */
static uint64_t walk_count(const struct ps_targets *t, struct ps_ip *last)
{
    struct ps_target_iter *it = ps_target_iter_new(t);
    assert_non_null(it);
    struct ps_target tg;
    uint64_t n = 0;
    int rc;
    while ((rc = ps_target_iter_next(it, &tg)) == 1) {
        n++;
        if (last)
            *last = tg.ip;
    }
    assert_int_equal(rc, 0);
    ps_target_iter_free(it);
    return n;
}

static const char *fmt_ip(const struct ps_ip *ip, char *buf)
{
    return ps_ip_format(ip, buf, 64);
}

/* ---- A fake resolver ---------------------------------------------------- */

struct fake {
    unsigned calls;
    int last_prefer_v6;
    char last_name[256];
};

/* web.test 198.18.1.10, v6.test 2001:db8::10 (or 198.18.1.11 when IPv4 is
 * wanted), v4only.test 198.18.1.12 whatever is wanted, oom.test PS_ENOMEM,
 * io.test PS_EIO, weird.test an address of no family, anything else
 * PS_ENOENT. */
static int fake_resolve(void *ud, const char *name, int prefer_v6,
                        struct ps_ip *out)
{
    struct fake *f = ud;
    f->calls++;
    f->last_prefer_v6 = prefer_v6;
    snprintf(f->last_name, sizeof f->last_name, "%s", name);
    const char *addr = NULL;
    if (strcmp(name, "web.test") == 0 || strcmp(name, "WEB.test.") == 0)
        addr = prefer_v6 ? "2001:db8::a" : "198.18.1.10";
    else if (strcmp(name, "v6.test") == 0)
        addr = prefer_v6 ? "2001:db8::10" : "198.18.1.11";
    else if (strcmp(name, "v4only.test") == 0)
        addr = "198.18.1.12";
    else if (strcmp(name, "oom.test") == 0)
        return PS_ENOMEM;
    else if (strcmp(name, "io.test") == 0)
        return PS_EIO;
    else if (strcmp(name, "weird.test") == 0) {
        memset(out, 0, sizeof *out);
        out->family = 99;
        return 0;
    }
    if (!addr)
        return PS_ENOENT;
    assert_int_equal(ps_ip_parse(addr, out), 0);
    return 0;
}

static struct ps_targets *fake_list(unsigned flags, struct fake *f,
                                    const struct ps_logger *log)
{
    memset(f, 0, sizeof *f);
    struct ps_targets *t = ps_targets_new(flags, log);
    assert_non_null(t);
    ps_targets_set_resolver(t, fake_resolve, f);
    return t;
}

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

/* ---- Order and iterators ------------------------------------------------ */

static void test_order_and_iterators(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.5");
    add_ok(t, "198.18.0.1-3");
    add_ok(t, "2001:db8::1");
    add_ok(t, "198.18.0.2"); /* twice, produced twice */
    add_ok(t, "127.0.0.1");
    assert_int_equal(ps_targets_count(t), 7);
    expect_walk(t, "198.18.0.5 198.18.0.1 198.18.0.2 198.18.0.3 2001:db8::1 "
                "198.18.0.2 127.0.0.1");

    /* Two iterators at once do not disturb each other. */
    struct ps_target_iter *a = ps_target_iter_new(t), *b = ps_target_iter_new(t);
    assert_non_null(a);
    assert_non_null(b);
    struct ps_target ta, tb;
    char s1[64], s2[64];
    assert_int_equal(ps_target_iter_next(a, &ta), 1);
    assert_int_equal(ps_target_iter_next(a, &ta), 1);
    assert_int_equal(ps_target_iter_next(b, &tb), 1);
    assert_string_equal(fmt_ip(&ta.ip, s1), "198.18.0.1");
    assert_string_equal(fmt_ip(&tb.ip, s2), "198.18.0.5");
    assert_null(ta.name);
    assert_int_equal(ta.ip.family, AF_INET);
    /* An IPv4 address is its 4 bytes, then zeros. */
    static const uint8_t want[16] = {198, 18, 0, 1};
    assert_memory_equal(ta.ip.bytes, want, 16);
    ps_target_iter_free(a);
    for (int i = 0; i < 6; i++)
        assert_int_equal(ps_target_iter_next(b, &tb), 1);
    assert_string_equal(fmt_ip(&tb.ip, s2), "127.0.0.1");
    assert_int_equal(ps_target_iter_next(b, &tb), 0);
    ps_target_iter_free(b);

    /* An iterator freed half-way through a spec. */
    a = ps_target_iter_new(t);
    assert_int_equal(ps_target_iter_next(a, &ta), 1);
    ps_target_iter_free(a);
    ps_targets_free(t);

    /* An empty list. */
    t = new_list();
    assert_int_equal(ps_targets_count(t), 0);
    expect_walk(t, "");
    ps_targets_free(t);
}

/* ---- Exclusions --------------------------------------------------------- */

static void test_exclude_middle(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/28");
    exclude_ok(t, "198.18.0.4/30");
    assert_int_equal(ps_targets_count(t), 12);
    expect_walk(t, "198.18.0.0 198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.8 "
                "198.18.0.9 198.18.0.10 198.18.0.11 198.18.0.12 198.18.0.13 "
                "198.18.0.14 198.18.0.15");
    /* A second list, the exclusion first: the same result. */
    struct ps_targets *u = new_list();
    exclude_ok(u, "198.18.0.4/30");
    add_ok(u, "198.18.0.0/28");
    assert_int_equal(ps_targets_count(u), 12);
    char *wt = walk(t), *wu = walk(u);
    assert_string_equal(wt, wu);
    free(wt);
    free(wu);
    ps_targets_free(u);

    /* Both ends and a single address. */
    exclude_ok(t, "198.18.0.0,198.18.0.15,198.18.0.10");
    assert_int_equal(ps_targets_count(t), 9);
    expect_walk(t, "198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.8 198.18.0.9 "
                "198.18.0.11 198.18.0.12 198.18.0.13 198.18.0.14");
    ps_targets_free(t);

    /* The middle of a /24 as octet ranges. */
    t = new_list();
    add_ok(t, "198.18.0.0/24");
    exclude_ok(t, "198.18.0.64-191");
    assert_int_equal(ps_targets_count(t), 128);
    struct ps_target_iter *it = ps_target_iter_new(t);
    struct ps_target tg;
    char a[64];
    for (int i = 0; i < 64; i++)
        assert_int_equal(ps_target_iter_next(it, &tg), 1);
    assert_string_equal(fmt_ip(&tg.ip, a), "198.18.0.63");
    assert_int_equal(ps_target_iter_next(it, &tg), 1);
    assert_string_equal(fmt_ip(&tg.ip, a), "198.18.0.192");
    ps_target_iter_free(it);
    assert_int_equal(walk_count(t, NULL), 128);
    ps_targets_free(t);
}

static void test_exclude_everything(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/24");
    add_ok(t, "198.18.5.1-9");
    add_ok(t, "198.18.7,9.*");
    exclude_ok(t, "198.18.0.0/16");
    assert_int_equal(ps_targets_count(t), 0);
    expect_walk(t, "");
    ps_targets_free(t);

    /* All of IPv4 minus all of IPv4, in one jump. */
    t = new_list();
    add_ok(t, "0.0.0.0/0");
    add_ok(t, "198.18.0.1");
    add_ok(t, "2001:db8::1"); /* not an IPv4 address: stays */
    exclude_ok(t, "*.*.*.*");
    assert_int_equal(ps_targets_count(t), 1);
    expect_walk(t, "2001:db8::1");
    ps_targets_free(t);
}

static void test_exclude_overlapping(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/24");
    exclude_ok(t, "198.18.0.10-20,198.18.0.15-30,198.18.0.31,198.18.0.12");
    assert_int_equal(ps_targets_count(t), 256 - 22);
    exclude_ok(t, "198.18.0.0/27"); /* covers the earlier ones */
    exclude_ok(t, "198.18.0.32/27");
    exclude_ok(t, "198.18.0.0/26"); /* and again */
    assert_int_equal(ps_targets_count(t), 192);
    expect_first(t, 1, "198.18.0.64");
    assert_int_equal(walk_count(t, NULL), 192);

    /* Adjacent exclusions merge; specs repeated are excluded each time. */
    add_ok(t, "198.18.0.60-70");
    assert_int_equal(ps_targets_count(t), 192 + 7);
    ps_targets_free(t);
}

static void test_exclude_octets_and_cidr(void **state)
{
    (void)state;
    /* Octet-range targets with CIDR and single exclusions. */
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0-3.1-10");
    exclude_ok(t, "198.18.1.0/24,198.18.2.5,198.18.3.10-200");
    assert_int_equal(ps_targets_count(t), 40 - 10 - 1 - 1);
    char *w = walk(t);
    assert_null(strstr(w, "198.18.1."));
    assert_null(strstr(w, "198.18.2.5 "));
    assert_null(strstr(w, "198.18.3.10"));
    assert_non_null(strstr(w, "198.18.2.4 198.18.2.6"));
    free(w);
    assert_int_equal(walk_count(t, NULL), 28);
    ps_targets_free(t);

    /* A CIDR block minus octet ranges: every .0 and .255 of a /16. */
    t = new_list();
    add_ok(t, "198.18.0.0/16");
    exclude_ok(t, "198.18.*.0");
    exclude_ok(t, "198.18.*.255");
    assert_int_equal(ps_targets_count(t), 65536 - 512);
    struct ps_target_iter *it = ps_target_iter_new(t);
    struct ps_target tg;
    uint64_t n = 0;
    while (ps_target_iter_next(it, &tg) == 1) {
        assert_int_not_equal(tg.ip.bytes[3], 0);
        assert_int_not_equal(tg.ip.bytes[3], 255);
        n++;
    }
    ps_target_iter_free(it);
    assert_int_equal(n, 65536 - 512);
    ps_targets_free(t);

    /* Octet ranges minus octet ranges. */
    t = new_list();
    add_ok(t, "198.18.1-4.1-4");
    exclude_ok(t, "198.18.2-3.2-3");
    assert_int_equal(ps_targets_count(t), 12);
    expect_walk(t, "198.18.1.1 198.18.1.2 198.18.1.3 198.18.1.4 198.18.2.1 "
                "198.18.2.4 198.18.3.1 198.18.3.4 198.18.4.1 198.18.4.2 "
                "198.18.4.3 198.18.4.4");
    ps_targets_free(t);

    /* IPv6: the middle of a /120; IPv4 exclusions leave IPv6 alone. */
    t = new_list();
    add_ok(t, "2001:db8::/120");
    add_ok(t, "::ffff:198.18.0.1");
    exclude_ok(t, "2001:db8::80/121,198.18.0.0/15");
    assert_int_equal(ps_targets_count(t), 129);
    struct ps_ip last;
    char a[64];
    assert_int_equal(walk_count(t, &last), 129);
    assert_string_equal(fmt_ip(&last, a), "::ffff:198.18.0.1");
    exclude_ok(t, "2001:db8::/96");
    assert_int_equal(ps_targets_count(t), 1);
    ps_targets_free(t);
}

static void test_exclude_is_fast(void **state)
{
    (void)state;
    /* All of IPv4 minus everything but the last /24: the iterator must
     * jump over excluded blocks, not test 2^32 addresses one by one. */
    struct ps_targets *t = new_list();
    add_ok(t, "0.0.0.0/0");
    char list[1024] = "";
    uint32_t base = 0;
    for (int p = 1; p <= 24; p++) {
        char item[40];
        snprintf(item, sizeof item, "%s%u.%u.%u.%u/%d", p > 1 ? "," : "",
                 base >> 24, (base >> 16) & 255, (base >> 8) & 255, base & 255,
                 p);
        strcat(list, item);
        base |= UINT32_C(1) << (32 - p);
    }
    exclude_ok(t, list);
    assert_int_equal(ps_targets_count(t), 256);
    struct ps_ip last;
    char a[64];
    assert_int_equal(walk_count(t, &last), 256);
    assert_string_equal(fmt_ip(&last, a), "255.255.255.255");
    expect_first(t, 1, "255.255.255.0");
    ps_targets_free(t);

    /* A /8 minus a /16 (both pure parse strings) and a /12 walked. */
    t = new_list();
    add_ok(t, "198.0.0.0/8");
    exclude_ok(t, "198.18.0.0/16");
    assert_int_equal(ps_targets_count(t), (UINT64_C(1) << 24) - 65536);
    ps_targets_free(t);
    t = new_list();
    add_ok(t, "198.16.0.0/12");
    exclude_ok(t, "198.18.0.0/16");
    assert_int_equal(ps_targets_count(t), (UINT64_C(1) << 20) - 65536);
    assert_int_equal(walk_count(t, NULL), (UINT64_C(1) << 20) - 65536);
    ps_targets_free(t);

    /* Many small exclusions (every other address of a /16). */
    t = new_list();
    add_ok(t, "198.18.0.0/16");
    size_t cap = 32768 * 16;
    char *big = malloc(cap), *p = big;
    assert_non_null(big);
    for (unsigned i = 0; i < 65536; i += 2)
        p += sprintf(p, "%s198.18.%u.%u", i ? "," : "", i >> 8, i & 255);
    exclude_ok(t, big);
    free(big);
    assert_int_equal(ps_targets_count(t), 32768);
    expect_first(t, 3, "198.18.0.1 198.18.0.3 198.18.0.5");
    assert_int_equal(walk_count(t, NULL), 32768);
    ps_targets_free(t);
}

static void test_exclude_errors(void **state)
{
    (void)state;
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/24");
    exclude_ok(t, "198.18.0.0/25");
    char err[256];
    check_err("empty item", ps_targets_exclude(t, "198.18.0.200,,198.18.0.201",
                                               err, sizeof err),
              PS_EPARSE, err, "item 2 is empty");
    check_err("trailing comma", ps_targets_exclude(t, "198.18.0.200,", err,
                                                   sizeof err),
              PS_EPARSE, err, "item 2 is empty");
    check_err("empty", ps_targets_exclude(t, "", err, sizeof err), PS_EPARSE,
              err, "item 1 is empty");
    check_err("bad", ps_targets_exclude(t, "198.18.0.200,198.18.0.300", err,
                                        sizeof err),
              PS_ERANGE, err, "198.18.0.300: octet 4 is above 255");
    check_err("v6", ps_targets_exclude(t, "198.18.0.200,2001:db8::/64", err,
                                       sizeof err),
              PS_ERANGE, err, "more than 2^32");
    check_err("host", ps_targets_exclude(t, "web.test", err, sizeof err),
              PS_EUNSUPP, err, "name resolution is off");
    check_err("split", ps_targets_exclude(t, "*.*.*.1", err, sizeof err),
              PS_ELIMIT, err, "*.*.*.1: excluding it takes more than 65536");
    /* Nothing of the failed lists was applied. */
    assert_int_equal(ps_targets_count(t), 128);
    expect_first(t, 1, "198.18.0.128");
    /* 256 splits are fine. */
    exclude_ok(t, "*.*.255.1");
    assert_int_equal(ps_targets_count(t), 128);
    ps_targets_free(t);

    /* Hostnames in exclusions, through the fake resolver. */
    struct fake f;
    t = fake_list(0, &f, NULL);
    add_ok(t, "198.18.1.8/29");
    exclude_ok(t, "web.test,v4only.test/31");
    assert_int_equal(ps_targets_count(t), 5);
    expect_walk(t, "198.18.1.8 198.18.1.9 198.18.1.11 198.18.1.14 198.18.1.15");
    check_err("missing", ps_targets_exclude(t, "missing.test", err, sizeof err),
              PS_ENOENT, err, "missing.test: hostname does not resolve");
    ps_targets_free(t);
}

/* ---- -iL files ---------------------------------------------------------- */

static void test_file_syntax(void **state)
{
    (void)state;
    char path[512];
    tmp_path("targets.txt", path, sizeof path);
    write_text(path,
               "# scan list\n"
               "\n"
               "198.18.0.1 198.18.0.2\t198.18.0.3\r\n"
               "   198.18.1.0/30   # trailing comment 198.18.9.9\n"
               "198.18.2.1-2#no blank before the comment\n"
               "#198.18.9.9\n"
               "2001:db8::1\n"
               "web.test v4only.test/31\n"
               "198.18.1,3.1"); /* no final newline */
    struct fake f;
    struct ps_targets *t = fake_list(0, &f, NULL);
    char err[256];
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    assert_int_equal(f.calls, 0); /* file hostnames wait for the iterator */
    assert_int_equal(ps_targets_count(t), 3 + 4 + 2 + 1 + 1 + 2 + 2);
    expect_walk(t, "198.18.0.1 198.18.0.2 198.18.0.3 198.18.1.0 198.18.1.1 "
                "198.18.1.2 198.18.1.3 198.18.2.1 198.18.2.2 2001:db8::1 "
                "198.18.1.10=web.test 198.18.1.12=v4only.test "
                "198.18.1.13=v4only.test 198.18.1.1 198.18.3.1");
    assert_int_equal(f.calls, 2);
    ps_targets_free(t);

    /* Empty files and comment-only files name nothing. */
    t = new_list();
    write_text(path, "");
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    char path2[512];
    tmp_path("comments.txt", path2, sizeof path2);
    write_text(path2, "# nothing\n   \n\t# more\n");
    assert_int_equal(ps_targets_add_file(t, path2, err, sizeof err), 0);
    assert_int_equal(ps_targets_count(t), 0);
    expect_walk(t, "");
    ps_targets_free(t);
}

static void test_file_order(void **state)
{
    (void)state;
    char path[512];
    tmp_path("order.txt", path, sizeof path);
    write_text(path, "198.18.0.2\n198.18.0.3\n");
    struct ps_targets *t = new_list();
    char err[256];
    add_ok(t, "198.18.0.1");
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    add_ok(t, "198.18.0.9");
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    assert_int_equal(ps_targets_count(t), 6);
    expect_walk(t, "198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.9 198.18.0.2 "
                "198.18.0.3");

    /* Two iterators reading the same file at once. */
    struct ps_target_iter *a = ps_target_iter_new(t), *b = ps_target_iter_new(t);
    struct ps_target ta, tb;
    char s[64];
    for (int i = 0; i < 2; i++)
        assert_int_equal(ps_target_iter_next(a, &ta), 1);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ps_target_iter_next(b, &tb), 1);
    assert_string_equal(fmt_ip(&ta.ip, s), "198.18.0.2");
    assert_string_equal(fmt_ip(&tb.ip, s), "198.18.0.3");
    ps_target_iter_free(a); /* freed with its file open */
    ps_target_iter_free(b);

    /* Exclusions added after a file recount it (by reading it again). */
    exclude_ok(t, "198.18.0.3");
    assert_int_equal(ps_targets_count(t), 4);
    expect_walk(t, "198.18.0.1 198.18.0.2 198.18.0.9 198.18.0.2");
    ps_targets_free(t);
}

static void test_file_errors(void **state)
{
    (void)state;
    char path[512], err[512];
    tmp_path("bad.txt", path, sizeof path);
    /* Line 12 is wrong; nothing of the file is added. */
    write_text(path,
               "198.18.0.1\n198.18.0.2\n# 3\n\n198.18.0.5\n198.18.0.6\n"
               "198.18.0.7\n198.18.0.8\n198.18.0.9\n198.18.0.10\n"
               "198.18.0.11\n198.18.0.12 198.18.0.300\n198.18.0.13\n");
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.9.9");
    int rc = ps_targets_add_file(t, path, err, sizeof err);
    char want[700];
    snprintf(want, sizeof want, "file %s line 12: 198.18.0.300: octet 4 is "
             "above 255", path);
    check_err("line 12", rc, PS_ERANGE, err, want);
    assert_int_equal(ps_targets_count(t), 1);
    expect_walk(t, "198.18.9.9");

    /* Line numbers survive comments, CRLF and blank-only lines. */
    write_text(path, "# a\r\n\r\n  \t\r\n198.18.0.1 # b\r\n\r\n198.18.0.1/40\r\n");
    check_err("line 6", ps_targets_add_file(t, path, err, sizeof err),
              PS_EPARSE, err, "line 6: 198.18.0.1/40: prefix length above 32");

    write_text(path, "198.18.0.1\nlocalhost\n");
    check_err("host", ps_targets_add_file(t, path, err, sizeof err), PS_EUNSUPP,
              err, "line 2: localhost: hostnames are not accepted");
    write_text(path, "198.18.0.1\n2001:db8::/64\n");
    check_err("/64", ps_targets_add_file(t, path, err, sizeof err), PS_ERANGE,
              err, "line 2: 2001:db8::/64: prefix /64");
    write_file(path, "198.18.0.1\n198.18\0.0.2\n", 23);
    check_err("NUL", ps_targets_add_file(t, path, err, sizeof err), PS_EPARSE,
              err, "line 2: a NUL byte");
    char *big = malloc(6000);
    assert_non_null(big);
    memset(big, '1', 6000);
    memcpy(big, "198.18.0.1\n\n", 12);
    write_file(path, big, 6000);
    free(big);
    check_err("long", ps_targets_add_file(t, path, err, sizeof err), PS_EPARSE,
              err, "line 3: a spec longer than 4096 characters");

    /* Unreadable files. */
    char missing[512];
    tmp_path("no-such-file.txt", missing, sizeof missing);
    snprintf(want, sizeof want, "file %s: No such file or directory", missing);
    check_err("missing", ps_targets_add_file(t, missing, err, sizeof err),
              PS_ENOENT, err, want);
    check_err("dir", ps_targets_add_file(t, tmpdir, err, sizeof err),
              PS_EISDIR, err, "is a directory");
    check_err("exclude missing", ps_targets_exclude_file(t, missing, err,
                                                         sizeof err),
              PS_ENOENT, err, "No such file");
    if (geteuid() != 0) { /* root reads anything */
        write_text(path, "198.18.0.1\n");
        assert_int_equal(chmod(path, 0), 0);
        check_err("unreadable", ps_targets_add_file(t, path, err, sizeof err),
                  PS_EACCES, err, "Permission denied");
        assert_int_equal(chmod(path, 0644), 0);
    }
    assert_int_equal(ps_targets_count(t), 1);
    expect_walk(t, "198.18.9.9");
    ps_targets_free(t);
}

static void test_file_changed(void **state)
{
    (void)state;
    char path[512], err[512];
    tmp_path("changing.txt", path, sizeof path);
    write_text(path, "198.18.0.1\n198.18.0.2\n");
    struct ps_test_log log;
    ps_test_log_init(&log);
    struct ps_targets *t = ps_targets_new(PS_TARGETS_NO_RESOLVE, &log.logger);
    assert_non_null(t);
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    expect_walk(t, "198.18.0.1 198.18.0.2");

    /* Rewritten with other content: the iterator refuses it, every time. */
    write_text(path, "198.18.0.1\n198.18.0.300\n198.18.0.3\n");
    struct ps_target_iter *it = ps_target_iter_new(t);
    struct ps_target tg;
    assert_int_equal(ps_target_iter_next(it, &tg), PS_ESTALE);
    assert_int_equal(ps_target_iter_next(it, &tg), PS_ESTALE);
    ps_target_iter_free(it);
    assert_true(log.errors >= 1);
    assert_non_null(strstr(log.text, "changed since it was checked"));
    assert_non_null(strstr(log.text, path));

    /* Exclusions need a recount, which fails the same way and changes
     * nothing. */
    check_err("recount", ps_targets_exclude(t, "198.18.0.1", err, sizeof err),
              PS_ESTALE, err, "changed since it was checked");
    assert_int_equal(ps_targets_count(t), 2);

    /* Removed: the open error. */
    assert_int_equal(unlink(path), 0);
    it = ps_target_iter_new(t);
    assert_int_equal(ps_target_iter_next(it, &tg), PS_ENOENT);
    ps_target_iter_free(it);
    assert_non_null(strstr(log.text, "No such file"));
    ps_targets_free(t);
}

static void test_file_hosts(void **state)
{
    (void)state;
    char path[512], err[256];
    tmp_path("hosts.txt", path, sizeof path);
    write_text(path, "web.test\nmissing.test\nweb.test/31\n198.18.0.1\n"
               "v4only.test\nweb.test\n");
    struct ps_test_log log;
    ps_test_log_init(&log);
    struct fake f;
    struct ps_targets *t = fake_list(0, &f, &log.logger);
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    /* A file hostname counts as its block, resolved or not. */
    assert_int_equal(ps_targets_count(t), 1 + 1 + 2 + 1 + 1 + 1);
    /* A name that does not resolve is skipped with a warning. */
    struct ps_target_iter *it = ps_target_iter_new(t);
    struct ps_target got[8];
    int n = 0, rc;
    while (n < 8 && (rc = ps_target_iter_next(it, &got[n])) == 1)
        n++;
    assert_int_equal(rc, 0);
    assert_int_equal(n, 6);
    assert_int_equal(log.warnings, 1);
    assert_non_null(strstr(log.text, "line 2: missing.test: hostname does not "
                           "resolve"));
    assert_non_null(strstr(log.text, "skipped"));
    /* Names stay valid until the iterator is freed. */
    const char *want[6] = {"web.test", "web.test", "web.test", NULL,
                           "v4only.test", "web.test"};
    for (int i = 0; i < 6; i++) {
        if (want[i])
            assert_string_equal(got[i].name, want[i]);
        else
            assert_null(got[i].name);
    }
    ps_target_iter_free(it);
    assert_int_equal(f.calls, 5);

    /* Exclusions apply to resolved file names too. */
    exclude_ok(t, "198.18.1.10");
    expect_walk(t, "198.18.1.11=web.test 198.18.0.1 198.18.1.12=v4only.test");

    /* -6 changes how a file hostname's prefix is read. */
    ps_targets_free(t);
    write_text(path, "v6.test/120\n");
    t = fake_list(PS_TARGETS_PREFER_V6, &f, NULL);
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    assert_int_equal(ps_targets_count(t), 256);
    assert_int_equal(walk_count(t, NULL), 256);
    ps_targets_free(t);
    t = fake_list(0, &f, NULL);
    check_err("/120", ps_targets_add_file(t, path, err, sizeof err), PS_EPARSE,
              err, "line 1: v6.test/120: prefix length above 32");
    ps_targets_free(t);

    /* An allocation failure while resolving stops the iterator. */
    write_text(path, "198.18.0.1\noom.test\n198.18.0.2\n");
    t = fake_list(0, &f, NULL);
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    it = ps_target_iter_new(t);
    assert_int_equal(ps_target_iter_next(it, &got[0]), 1);
    assert_int_equal(ps_target_iter_next(it, &got[0]), PS_ENOMEM);
    ps_target_iter_free(it);
    ps_targets_free(t);
}

static void test_stdin(void **state)
{
    (void)state;
    char path[512], err[256];
    tmp_path("stdin.txt", path, sizeof path);
    write_text(path, "198.18.0.1 # from standard input\n198.18.0.2-3\n");
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    FILE *f = freopen(path, "r", stdin);
    assert_non_null(f);
    struct ps_targets *t = new_list();
    int rc = ps_targets_add_file(t, "-", err, sizeof err);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    assert_int_equal(rc, 0);
    assert_int_equal(ps_targets_count(t), 3);
    /* Read once and kept: the file may go. */
    assert_int_equal(unlink(path), 0);
    expect_walk(t, "198.18.0.1 198.18.0.2 198.18.0.3");
    expect_walk(t, "198.18.0.1 198.18.0.2 198.18.0.3");
    exclude_ok(t, "198.18.0.2"); /* recount from memory */
    assert_int_equal(ps_targets_count(t), 2);
    ps_targets_free(t);

    /* An error on standard input is named "-". */
    write_text(path, "198.18.0.1\n198.18.0.256\n");
    saved = dup(STDIN_FILENO);
    assert_non_null(freopen(path, "r", stdin));
    t = new_list();
    rc = ps_targets_add_file(t, "-", err, sizeof err);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    check_err("stdin", rc, PS_ERANGE, err, "file - line 2: 198.18.0.256");
    ps_targets_free(t);
}

static void test_exclude_file(void **state)
{
    (void)state;
    char path[512], err[512];
    tmp_path("exclude.txt", path, sizeof path);
    write_text(path, "# never scan these\n198.18.0.0/30 198.18.0.10\n"
               "\n198.18.0.12-13,15 # an octet list is fine in a file\n");
    struct ps_targets *t = new_list();
    add_ok(t, "198.18.0.0/28");
    assert_int_equal(ps_targets_exclude_file(t, path, err, sizeof err), 0);
    assert_int_equal(ps_targets_count(t), 16 - 4 - 1 - 3);
    expect_walk(t, "198.18.0.4 198.18.0.5 198.18.0.6 198.18.0.7 198.18.0.8 "
                "198.18.0.9 198.18.0.11 198.18.0.14");

    write_text(path, "198.18.0.4\n\n198.18.0.5/33\n");
    char want[700];
    snprintf(want, sizeof want, "file %s line 3: 198.18.0.5/33: prefix length "
             "above 32", path);
    check_err("bad exclude file", ps_targets_exclude_file(t, path, err,
                                                          sizeof err),
              PS_EPARSE, err, want);
    write_file(path, "198.18.0.4\n\0", 12);
    check_err("NUL", ps_targets_exclude_file(t, path, err, sizeof err),
              PS_EPARSE, err, "line 2: a NUL byte");
    assert_int_equal(ps_targets_count(t), 8); /* unchanged */
    ps_targets_free(t);
}

/* ---- A large -iL file ---------------------------------------------------- */

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static void test_large_file(void **state)
{
    (void)state;
    /* 200,000 lines: 198.18.0.0/15 in order (131,072 addresses), then its
     * start again; every 1000th line a comment, every 7th two specs. */
    enum { LINES = 200000, SPACE = 131072 };
    char path[512], err[256];
    tmp_path("large.txt", path, sizeof path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    uint64_t specs = 0;
    for (unsigned i = 0; i < LINES; i++) {
        uint32_t v = (UINT32_C(198) << 24 | UINT32_C(18) << 16) +
                     (uint32_t)(specs % SPACE);
        if (i % 1000 == 999) {
            fprintf(f, "# line %u\n", i + 1);
            continue;
        }
        fprintf(f, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255,
                v & 255);
        specs++;
        if (i % 7 == 0) {
            v = (UINT32_C(198) << 24 | UINT32_C(18) << 16) +
                (uint32_t)(specs % SPACE);
            fprintf(f, " %u.%u.%u.%u", v >> 24, (v >> 16) & 255,
                    (v >> 8) & 255, v & 255);
            specs++;
        }
        fputc('\n', f);
    }
    assert_int_equal(fclose(f), 0);

    struct ps_targets *t = new_list();
    size_t before = heap_in_use();
    assert_int_equal(ps_targets_add_file(t, path, err, sizeof err), 0);
    size_t after = heap_in_use();
    assert_int_equal(ps_targets_count(t), specs);
    /* Only the path and status are kept (the heap sizes read 0 under
     * sanitizers, which is fine). */
    assert_true(after < before + 64 * 1024);

    struct ps_target_iter *it = ps_target_iter_new(t);
    assert_non_null(it);
    struct ps_target tg;
    uint64_t n = 0;
    size_t peak = 0;
    int rc;
    while ((rc = ps_target_iter_next(it, &tg)) == 1) {
        uint32_t want = (UINT32_C(198) << 24 | UINT32_C(18) << 16) +
                        (uint32_t)(n % SPACE);
        uint32_t got = (uint32_t)tg.ip.bytes[0] << 24 |
                       (uint32_t)tg.ip.bytes[1] << 16 |
                       (uint32_t)tg.ip.bytes[2] << 8 | tg.ip.bytes[3];
        if (got != want)
            fail_msg("target %llu: got %08x, expected %08x",
                     (unsigned long long)n, got, want);
        n++;
        if (n % 4096 == 0) {
            size_t now = heap_in_use();
            if (now > peak)
                peak = now;
        }
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, specs);
    ps_target_iter_free(it);
    /* The iterator holds a read buffer and one spec, not the file. */
    assert_true(peak < after + 256 * 1024);

    /* Recounting after an exclusion reads the file again. */
    exclude_ok(t, "198.18.0.0/16");
    uint64_t in_19 = 0;
    for (uint64_t i = 0; i < specs; i++)
        in_19 += (i % SPACE) >= 65536;
    assert_int_equal(ps_targets_count(t), in_19);
    assert_int_equal(walk_count(t, NULL), in_19);
    ps_targets_free(t);
    unlink(path);
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
        cmocka_unit_test(test_order_and_iterators),
        cmocka_unit_test(test_exclude_middle),
        cmocka_unit_test(test_exclude_everything),
        cmocka_unit_test(test_exclude_overlapping),
        cmocka_unit_test(test_exclude_octets_and_cidr),
        cmocka_unit_test(test_exclude_is_fast),
        cmocka_unit_test(test_exclude_errors),
        cmocka_unit_test(test_file_syntax),
        cmocka_unit_test(test_file_order),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_file_changed),
        cmocka_unit_test(test_file_hosts),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_exclude_file),
        cmocka_unit_test(test_large_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
