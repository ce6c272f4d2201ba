/* Fixtures and helpers shared by the scan target tests (test_targets.c,
 * test_targets_files.c, test_targets_exclude.c): a temporary directory,
 * lists, walks of their iterators and a fake resolver.
 *
 * No test may cause a DNS query: hostnames go to the fake resolver, or
 * the list refuses them, and the only name given to the default resolver
 * is "localhost", answered from /etc/hosts (skipped when it is not there).
 * Addresses come from 198.18.0.0/15, 2001:db8::/32 and loopback; other
 * literals are parsed and counted, never contacted (nothing here sends). */
#ifndef TARGETS_TEST_H
#define TARGETS_TEST_H

#include "ps_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "portscope/targets.h"

static char tmpdir[256];

static inline int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/ps-targets.XXXXXX",
             base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- Helpers ------------------------------------------------------------ */

/* A path in the temporary directory. */
static inline const char *tmp_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
    return buf;
}

static inline void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static inline void write_text(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

/* A list with no resolver at all (hostnames refused). */
static inline struct ps_targets *new_list(void)
{
    struct ps_targets *t = ps_targets_new(PS_TARGETS_NO_RESOLVE, NULL);
    assert_non_null(t);
    return t;
}

static inline void add_ok(struct ps_targets *t, const char *spec)
{
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = ps_targets_add(t, spec, err, sizeof err);
    if (rc != 0)
        fail_msg("'%s': %s (%s)", spec, ps_err_name(rc), err);
    assert_string_equal(err, "");
}

static inline void exclude_ok(struct ps_targets *t, const char *list)
{
    char err[256];
    int rc = ps_targets_exclude(t, list, err, sizeof err);
    if (rc != 0)
        fail_msg("exclude '%s': %s (%s)", list, ps_err_name(rc), err);
}

static inline void check_err(const char *what, int got, int rc, const char *err,
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
static inline void expect_error_flags(unsigned flags, const char *spec, int rc,
                               const char *frag)
{
    struct ps_targets *t = ps_targets_new(flags, NULL);
    assert_non_null(t);
    char err[512] = "";
    check_err(spec, ps_targets_add(t, spec, err, sizeof err), rc, err, frag);
    assert_int_equal(ps_targets_count(t), 0);
    ps_targets_free(t);
}

static inline void expect_error(const char *spec, int rc, const char *frag)
{
    expect_error_flags(PS_TARGETS_NO_RESOLVE, spec, rc, frag);
}

/* Every target of t as "addr addr ...", names as addr=name; fails on an
 * iterator error. */
static inline char *walk(const struct ps_targets *t)
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

static inline void expect_walk(const struct ps_targets *t, const char *want)
{
    char *got = walk(t);
    if (strcmp(got, want) != 0)
        fail_msg("walk gave '%s', expected '%s'", got, want);
    free(got);
}

/* One spec on its own: its count and walk. */
static inline void expect_spec(const char *spec, uint64_t count, const char *want)
{
    struct ps_targets *t = new_list();
    add_ok(t, spec);
    assert_int_equal(ps_targets_count(t), count);
    expect_walk(t, want);
    ps_targets_free(t);
}

/* The first n targets of t as a string (as walk), without reaching the
 * end. */
static inline char *first_n(const struct ps_targets *t, size_t n)
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

static inline void expect_first(const struct ps_targets *t, size_t n, const char *want)
{
    char *got = first_n(t, n);
    if (strcmp(got, want) != 0)
        fail_msg("first %zu gave '%s', expected '%s'", n, got, want);
    free(got);
}

/* Counts what the iterator produces; *last gets the last address. */
static inline uint64_t walk_count(const struct ps_targets *t, struct ps_ip *last)
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

static inline const char *fmt_ip(const struct ps_ip *ip, char *buf)
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
static inline int fake_resolve(void *ud, const char *name, int prefer_v6,
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

static inline struct ps_targets *fake_list(unsigned flags, struct fake *f,
                                    const struct ps_logger *log)
{
    memset(f, 0, sizeof *f);
    struct ps_targets *t = ps_targets_new(flags, log);
    assert_non_null(t);
    ps_targets_set_resolver(t, fake_resolve, f);
    return t;
}

#endif
