/* RFC 6335 classes, ps_port_spans_parse() and ps_host_ports_read() against
 * a fake /proc tree in a temporary directory. */
#include "ps_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void classes(void **state)
{
    (void)state;
    size_t n = 0;
    const struct ps_class_info *c = ps_port_classes(&n);
    assert_int_equal(n, 3);
    assert_int_equal(c[0].cls, PS_CLASS_SYSTEM);
    assert_int_equal(c[0].first, 0);
    assert_int_equal(c[0].last, 1023);
    assert_int_equal(c[1].cls, PS_CLASS_USER);
    assert_int_equal(c[1].first, 1024);
    assert_int_equal(c[1].last, 49151);
    assert_int_equal(c[2].cls, PS_CLASS_DYNAMIC);
    assert_int_equal(c[2].first, 49152);
    assert_int_equal(c[2].last, 65535);
    assert_string_equal(c[0].iana_name, "System Ports");
    for (size_t i = 0; i < n; i++) {
        assert_true(strlen(c[i].summary) > 0);
        assert_int_equal(ps_port_class_of(c[i].first), c[i].cls);
        assert_int_equal(ps_port_class_of(c[i].last), c[i].cls);
    }
    assert_string_equal(ps_port_class_name(PS_CLASS_SYSTEM), "system");
    assert_string_equal(ps_port_class_name(PS_CLASS_USER), "user");
    assert_string_equal(ps_port_class_name(PS_CLASS_DYNAMIC), "dynamic");
}

static void expect_spans(const char *text, size_t count, const unsigned *pairs)
{
    struct ps_port_span *spans = (struct ps_port_span *)1;
    size_t n = 999;
    int rc = ps_port_spans_parse(text, &spans, &n);
    if (rc != 0)
        fail_msg("'%s': %s", text, ps_err_name(rc));
    assert_int_equal(n, count);
    if (count == 0)
        assert_null(spans);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(spans[i].first, pairs[2 * i]);
        assert_int_equal(spans[i].last, pairs[2 * i + 1]);
    }
    free(spans);
}

static void spans_parse(void **state)
{
    (void)state;
    expect_spans("", 0, NULL);
    expect_spans(" \n", 0, NULL);
    expect_spans("8080", 1, (const unsigned[]){8080, 8080});
    expect_spans("8080,9000-9100\n", 2, (const unsigned[]){8080, 8080, 9000, 9100});
    expect_spans(" 1 , 2-3,\t65535 ", 3, (const unsigned[]){1, 1, 2, 3, 65535, 65535});
    expect_spans("0-65535", 1, (const unsigned[]){0, 65535});
    expect_spans("7-7", 1, (const unsigned[]){7, 7});
    /* Many spans (the list grows). */
    char big[4096] = "";
    size_t used = 0;
    unsigned pairs[2 * 100];
    for (unsigned i = 0; i < 100; i++) {
        used += (size_t)snprintf(big + used, sizeof big - used, "%s%u-%u",
                                 i ? "," : "", i * 10, i * 10 + 5);
        pairs[2 * i] = i * 10;
        pairs[2 * i + 1] = i * 10 + 5;
    }
    expect_spans(big, 100, pairs);
}

static void spans_parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "9100-9000", "70000", "65536", "1-70000", "1-", "-1", "a", "80 90",
        ",80", "80,,90", "1-2-3", "80;90", "8080,x", "99999999999999999999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ps_port_span *spans = (struct ps_port_span *)1;
        size_t n = 999;
        int rc = ps_port_spans_parse(bad[i], &spans, &n);
        if (rc != PS_EPARSE)
            fail_msg("'%s': got %s, expected PS_EPARSE", bad[i], ps_err_name(rc));
        assert_null(spans);
        assert_int_equal(n, 0);
    }
}

/* A fake proc root: ROOT/sys/net/ipv4/ with the files a test writes. */
struct fake_proc {
    char root[256];
    char dir[512];
};

/* Setup: a fresh fake proc root for each test; teardown removes it even
 * when the test failed. */
static int proc_setup(void **state)
{
    struct fake_proc *p = calloc(1, sizeof *p);
    const char *tmp = getenv("TMPDIR");
    if (!p)
        return -1;
    snprintf(p->root, sizeof p->root, "%s/ps-test-proc-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    char path[600];
    if (!mkdtemp(p->root))
        return -1;
    snprintf(p->dir, sizeof p->dir, "%s/sys/net/ipv4", p->root);
    snprintf(path, sizeof path, "%s/sys", p->root);
    if (mkdir(path, 0755) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/sys/net", p->root);
    if (mkdir(path, 0755) != 0 || mkdir(p->dir, 0755) != 0)
        return -1;
    *state = p;
    return 0;
}

static const char *const proc_files[] = {
    "ip_local_port_range", "ip_unprivileged_port_start", "ip_local_reserved_ports"};

static void proc_write(struct fake_proc *p, const char *name, const char *text)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", p->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int proc_teardown(void **state)
{
    struct fake_proc *p = *state;
    char path[800];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", p->dir, proc_files[i]);
        unlink(path);
    }
    rmdir(p->dir);
    snprintf(path, sizeof path, "%s/sys/net", p->root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/sys", p->root);
    rmdir(path);
    int rc = rmdir(p->root);
    free(p);
    return rc;
}

static void host_ports_all_present(void **state)
{
    struct fake_proc *p = *state;
    proc_write(p, "ip_local_port_range", "32768\t60999\n");
    proc_write(p, "ip_unprivileged_port_start", "1024\n");
    proc_write(p, "ip_local_reserved_ports", "8080,9000-9100\n");
    struct ps_test_log log;
    ps_test_log_init(&log);
    struct ps_host_ports hp;
    assert_int_equal(ps_host_ports_read(p->root, &hp, &log.logger), 0);
    assert_int_equal(hp.have_ephemeral, 1);
    assert_int_equal(hp.ephemeral.first, 32768);
    assert_int_equal(hp.ephemeral.last, 60999);
    assert_int_equal(hp.have_unprivileged, 1);
    assert_int_equal(hp.unprivileged_start, 1024);
    assert_int_equal(hp.have_reserved, 1);
    assert_int_equal(hp.reserved_count, 2);
    assert_int_equal(hp.reserved[0].first, 8080);
    assert_int_equal(hp.reserved[0].last, 8080);
    assert_int_equal(hp.reserved[1].first, 9000);
    assert_int_equal(hp.reserved[1].last, 9100);
    assert_int_equal(log.warnings + log.errors, 0);
    ps_host_ports_clear(&hp);
    assert_int_equal(hp.have_reserved, 0);
    assert_null(hp.reserved);
    assert_int_equal(hp.reserved_count, 0);
    assert_int_equal(hp.have_ephemeral, 0);

    /* An empty reserved list is known and empty. */
    proc_write(p, "ip_local_reserved_ports", "\n");
    proc_write(p, "ip_unprivileged_port_start", "0");
    assert_int_equal(ps_host_ports_read(p->root, &hp, NULL), 0);
    assert_int_equal(hp.have_reserved, 1);
    assert_int_equal(hp.reserved_count, 0);
    assert_int_equal(hp.have_unprivileged, 1);
    assert_int_equal(hp.unprivileged_start, 0);
    ps_host_ports_clear(&hp);
}

static void host_ports_missing_files(void **state)
{
    struct fake_proc *p = *state;
    struct ps_test_log log;
    ps_test_log_init(&log);
    struct ps_host_ports hp;
    memset(&hp, 0x5a, sizeof hp);
    assert_int_equal(ps_host_ports_read(p->root, &hp, &log.logger), 0);
    assert_int_equal(hp.have_ephemeral, 0);
    assert_int_equal(hp.have_unprivileged, 0);
    assert_int_equal(hp.have_reserved, 0);
    assert_null(hp.reserved);
    assert_int_equal(log.warnings, 0); /* missing is not malformed */
    ps_host_ports_clear(&hp);

    /* Only one file present. */
    proc_write(p, "ip_unprivileged_port_start", "80\n");
    assert_int_equal(ps_host_ports_read(p->root, &hp, NULL), 0);
    assert_int_equal(hp.have_unprivileged, 1);
    assert_int_equal(hp.unprivileged_start, 80);
    assert_int_equal(hp.have_ephemeral, 0);
    assert_int_equal(hp.have_reserved, 0);
    ps_host_ports_clear(&hp);

    /* No tree at all. */
    char gone[300];
    snprintf(gone, sizeof gone, "%s/does-not-exist", p->root);
    assert_int_equal(ps_host_ports_read(gone, &hp, NULL), 0);
    assert_int_equal(hp.have_ephemeral + hp.have_unprivileged + hp.have_reserved, 0);
    ps_host_ports_clear(&hp);
    assert_int_equal(ps_host_ports_read(NULL, &hp, NULL), PS_EINVAL);
}

static void host_ports_malformed_files(void **state)
{
    static const char *const bad_range[] = {"60999 32768\n", "32768\n", "a b\n",
                                            "1 2 3\n", "32768 70000\n", ""};
    static const char *const bad_start[] = {"abc\n", "70000\n", "1024 1\n", "-1\n", ""};
    static const char *const bad_reserved[] = {"x\n", "9100-9000\n", "1,,2\n"};
    struct fake_proc *p = *state;
    for (size_t i = 0; i < 6; i++) {
        proc_write(p, proc_files[0], bad_range[i]);
        proc_write(p, proc_files[1], bad_start[i % 5]);
        proc_write(p, proc_files[2], bad_reserved[i % 3]);
        struct ps_test_log log;
        ps_test_log_init(&log);
        struct ps_host_ports hp;
        assert_int_equal(ps_host_ports_read(p->root, &hp, &log.logger), 0);
        if (hp.have_ephemeral || hp.have_unprivileged || hp.have_reserved)
            fail_msg("case %zu: a malformed file was accepted ('%s', '%s', '%s')",
                     i, bad_range[i], bad_start[i % 5], bad_reserved[i % 3]);
        assert_null(hp.reserved);
        /* Each malformed file is logged as a warning naming it. */
        assert_int_equal(log.warnings, 3);
        assert_non_null(strstr(log.text, "ip_local_port_range"));
        assert_non_null(strstr(log.text, "ip_unprivileged_port_start"));
        assert_non_null(strstr(log.text, "ip_local_reserved_ports"));
        assert_non_null(strstr(log.text, p->root));
        ps_host_ports_clear(&hp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classes),
        cmocka_unit_test(spans_parse),
        cmocka_unit_test(spans_parse_rejects),
        cmocka_unit_test_setup_teardown(host_ports_all_present, proc_setup, proc_teardown),
        cmocka_unit_test_setup_teardown(host_ports_missing_files, proc_setup, proc_teardown),
        cmocka_unit_test_setup_teardown(host_ports_malformed_files, proc_setup, proc_teardown),
    };
    return cmocka_run_group_tests_name("ranges", tests, NULL, NULL);
}
