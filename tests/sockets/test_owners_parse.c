/* ps_proc_parse_cgroup() and ps_proc_parse_starttime(): the /proc text
 * behind socket owners. Every input is copied into a buffer of exactly its
 * length, so a read past len shows up under ASan. */
#include "ps_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portscope/owners.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct cg {
    char unit[256];
    char ctr[65];
};

static struct cg cgroup_n(const char *text, size_t len)
{
    struct cg r;
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    memset(&r, 'x', sizeof r); /* the parser must terminate both */
    ps_proc_parse_cgroup(copy, len, r.unit, sizeof r.unit, r.ctr, sizeof r.ctr);
    free(copy);
    return r;
}

static void expect_cgroup(const char *text, const char *unit, const char *ctr)
{
    struct cg r = cgroup_n(text, strlen(text));
    if (strcmp(r.unit, unit) != 0 || strcmp(r.ctr, ctr) != 0)
        fail_msg("'%s': got unit '%s' container '%s', expected '%s' '%s'",
                 text, r.unit, r.ctr, unit, ctr);
}

static void test_cgroup_units(void **state)
{
    (void)state;
    expect_cgroup("0::/system.slice/ssh.service\n", "ssh.service", "");
    expect_cgroup("0::/system.slice/ssh.service", "ssh.service", "");
    expect_cgroup("0::/system.slice/system-getty.slice/getty@tty1.service\n",
                  "getty@tty1.service", "");
    expect_cgroup("0::/system.slice/dbus.socket\n", "dbus.socket", "");
    /* User sessions and user services. */
    expect_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n",
                  "session-3.scope", "");
    expect_cgroup("0::/user.slice/user-1000.slice/user@1000.service/app.slice/"
                  "pipewire.service\n", "pipewire.service", "");
    /* Only under system.slice or user.slice. */
    expect_cgroup("0::/init.scope\n", "", "");
    expect_cgroup("0::/\n", "", "");
    expect_cgroup("0::/machine.slice/foo.service\n", "", "");
    expect_cgroup("0::/system.slice\n", "", "");
    expect_cgroup("0::/system.slice/foo.slice\n", "", "");
}

static void test_cgroup_v1(void **state)
{
    (void)state;
    expect_cgroup("12:cpuset:/\n11:memory:/system.slice/cron.service\n"
                  "1:name=systemd:/system.slice/cron.service\n",
                  "cron.service", "");
    /* v2 beats systemd's v1 hierarchy, which beats any controller. */
    expect_cgroup("3:cpu:/system.slice/c.service\n"
                  "1:name=systemd:/system.slice/a.service\n"
                  "0::/system.slice/b.service\n", "b.service", "");
    expect_cgroup("3:cpu:/system.slice/c.service\n"
                  "1:name=systemd:/system.slice/a.service\n", "a.service", "");
    expect_cgroup("3:cpu,cpuacct:/system.slice/c.service\n", "c.service", "");
    /* This machine's own shape: v1 controllers, an empty v2 line. */
    expect_cgroup("9:name=systemd:/\n4:memory:/process_api/21baff\n0::/\n", "", "");
}

static void test_cgroup_containers(void **state)
{
    (void)state;
    expect_cgroup("0::/system.slice/docker-" HEX64 ".scope\n",
                  "docker-" HEX64 ".scope", HEX64);
    expect_cgroup("12:memory:/docker/" HEX64 "\n1:name=systemd:/docker/" HEX64 "\n",
                  "", HEX64);
    expect_cgroup("0::/docker/" HEX64 "/system.slice/nginx.service\n",
                  "nginx.service", HEX64);
    expect_cgroup("0::/kubepods.slice/kubepods-besteffort.slice/"
                  "kubepods-besteffort-pod12ab.slice/cri-containerd-" HEX64 ".scope\n",
                  "", HEX64);
    expect_cgroup("11:pids:/kubepods/burstable/pod1d2e3f/" HEX64 "\n", "", HEX64);
    expect_cgroup("0::/kubepods.slice/kubepods-pod1.slice/crio-" HEX64 ".scope\n",
                  "", HEX64);
    expect_cgroup("0::/user.slice/user-1000.slice/user@1000.service/user.slice/"
                  "libpod-" HEX64 ".scope/container\n",
                  "libpod-" HEX64 ".scope", HEX64);
    /* The innermost of nested containers. */
    expect_cgroup("0::/docker/" HEX64 "/docker/fedcba9876543210fedcba9876543210"
                  "fedcba9876543210fedcba9876543210\n",
                  "", "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
    /* Not ids: conmon runs outside the container, a bare id needs a
     * docker/ or kubepods path, and the length must be exactly 64. */
    expect_cgroup("0::/system.slice/libpod-conmon-" HEX64 ".scope\n",
                  "libpod-conmon-" HEX64 ".scope", "");
    expect_cgroup("0::/system.slice/" HEX64 "\n", "", "");
    expect_cgroup("0::/system.slice/foo-" HEX64 ".scope\n",
                  "foo-" HEX64 ".scope", "");
    expect_cgroup("0::/docker/" HEX64 "0\n", "", "");
    expect_cgroup("0::/docker/a" HEX64 "\n", "", "");
    expect_cgroup("0::/docker/" "0123456789ABCDEF0123456789abcdef0123456789abcdef"
                  "0123456789abcdef\n", "", "");
    expect_cgroup("0::/system.slice/docker-" HEX64 "0.scope\n",
                  "docker-" HEX64 "0.scope", "");
}

static void test_cgroup_malformed(void **state)
{
    (void)state;
    expect_cgroup("", "", "");
    expect_cgroup("\n\n\n", "", "");
    expect_cgroup(":::::", "", "");
    expect_cgroup("/system.slice/ssh.service\n", "", "");
    expect_cgroup("0:/system.slice/ssh.service\n", "", "");
    expect_cgroup("0::system.slice/ssh.service\n", "ssh.service", "");
    expect_cgroup("0::///system.slice//ssh.service//\n", "ssh.service", "");
    /* A NUL byte is just a byte. */
    struct cg r = cgroup_n("0::/system.slice/a\0b.service\n", 29);
    assert_memory_equal(r.unit, "a\0b.service", 12);

    /* NULL text and zero-sized outputs are accepted. */
    char u[4] = "zzz", c[4] = "zzz";
    ps_proc_parse_cgroup(NULL, 0, u, sizeof u, c, sizeof c);
    assert_string_equal(u, "");
    assert_string_equal(c, "");
    ps_proc_parse_cgroup("0::/system.slice/x.service", 26, NULL, 0, NULL, 0);
}

/* Small buffers get a NUL-terminated prefix; a 13-byte container buffer
 * holds docker's 12-digit short id. */
static void test_cgroup_truncation(void **state)
{
    (void)state;
    const char *t = "0::/system.slice/docker-" HEX64 ".scope\n";
    char unit[8], ctr[13], one[1] = {'x'};

    memset(unit, 'x', sizeof unit);
    memset(ctr, 'x', sizeof ctr);
    ps_proc_parse_cgroup(t, strlen(t), unit, sizeof unit, ctr, sizeof ctr);
    assert_string_equal(unit, "docker-");
    assert_string_equal(ctr, "0123456789ab");
    ps_proc_parse_cgroup(t, strlen(t), one, 1, one, 1);
    assert_int_equal(one[0], '\0');

    /* len is respected even when the text goes on: every prefix of the
     * line parses without reading past it. */
    const char *full = "0::/system.slice/ssh.service\n";
    for (size_t n = 0; n <= strlen(full); n++) {
        struct cg r = cgroup_n(full, n);
        const char *want = n >= strlen("0::/system.slice/ssh.service")
                               ? "ssh.service" : "";
        if (strcmp(r.unit, want) != 0)
            fail_msg("prefix %zu: unit '%s'", n, r.unit);
    }
}

/* A stat line with the given comm and starttime (field 22); the other
 * fields count up from 3 so that a wrong field is easy to spot. */
static size_t stat_line(char *buf, size_t cap, const char *comm,
                        const char *start)
{
    int n = snprintf(buf, cap,
                     "4242 (%s) S 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 "
                     "20 21 %s 23 24 25\n", comm, start);
    assert_true(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

static int starttime_n(const char *text, size_t len, uint64_t *ticks)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    int rc = ps_proc_parse_starttime(copy, len, ticks);
    free(copy);
    return rc;
}

static void expect_start(const char *comm, const char *start, int rc,
                         uint64_t want)
{
    char buf[512];
    uint64_t t = 777;
    size_t n = stat_line(buf, sizeof buf, comm, start);
    int got = starttime_n(buf, n, &t);
    if (got != rc || (rc == 0 && t != want))
        fail_msg("comm '%s' start '%s': rc %s ticks %llu", comm, start,
                 ps_err_name(got), (unsigned long long)t);
}

static void test_starttime(void **state)
{
    (void)state;
    expect_start("bash", "98765", 0, 98765);
    expect_start("a b", "1", 0, 1);
    expect_start("a) b", "22", 0, 22);
    expect_start("x) 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", "5", 0, 5);
    expect_start(")", "0", 0, 0);
    expect_start("((", "7", 0, 7);
    expect_start("", "7", 0, 7);
    expect_start("bash", "18446744073709551615", 0, UINT64_MAX);
    expect_start("bash", "18446744073709551616", PS_EPARSE, 0);
    expect_start("bash", "99999999999999999999999", PS_EPARSE, 0);
    expect_start("bash", "x", PS_EPARSE, 0);
    expect_start("bash", "-1", PS_EPARSE, 0);
    expect_start("bash", "", PS_EPARSE, 0);
    expect_start("bash", "12x", PS_EPARSE, 0);

    uint64_t t;
    assert_int_equal(ps_proc_parse_starttime(NULL, 0, &t), PS_EPARSE);
    assert_int_equal(starttime_n("", 0, &t), PS_EPARSE);
    assert_int_equal(starttime_n("no parens at all", 16, &t), PS_EPARSE);
    assert_int_equal(starttime_n("1 ) (x S", 8, &t), PS_EPARSE);
    /* The fields end at the first newline. */
    const char *two = "1 (a) S 1 2\n3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
                      "19 20 21 22 23\n";
    assert_int_equal(starttime_n(two, strlen(two), &t), PS_EPARSE);
}

/* Every cut of a good line: before the space after field 22 it fails,
 * from there on it gives the same number. */
static void test_starttime_truncated(void **state)
{
    (void)state;
    char buf[512];
    size_t n = stat_line(buf, sizeof buf, "a) b", "123456");
    const char *after = strstr(buf, " 123456 ") + strlen(" 123456");
    size_t ok_from = (size_t)(after - buf) + 1;

    for (size_t len = 0; len <= n; len++) {
        uint64_t t = 0;
        int rc = starttime_n(buf, len, &t);
        if (len < ok_from && rc != PS_EPARSE)
            fail_msg("cut at %zu: expected PS_EPARSE, got %s", len, ps_err_name(rc));
        if (len >= ok_from && (rc != 0 || t != 123456))
            fail_msg("cut at %zu: %s, %llu", len, ps_err_name(rc),
                     (unsigned long long)t);
    }
}

/* This process's own stat parses. */
static void test_starttime_self(void **state)
{
    (void)state;
    size_t len;
    char *text = ps_test_read_file("/proc/self/stat", &len);
    uint64_t t;
    assert_non_null(text);
    assert_int_equal(starttime_n(text, len, &t), 0);
    assert_true(t > 0);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cgroup_units),
        cmocka_unit_test(test_cgroup_v1),
        cmocka_unit_test(test_cgroup_containers),
        cmocka_unit_test(test_cgroup_malformed),
        cmocka_unit_test(test_cgroup_truncation),
        cmocka_unit_test(test_starttime),
        cmocka_unit_test(test_starttime_truncated),
        cmocka_unit_test(test_starttime_self),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
