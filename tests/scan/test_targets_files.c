/* Scan targets (portscope/targets.h) from -iL files and --excludefile
 * files: syntax, order, errors, files that change, hostnames, standard
 * input and a large file read without keeping it. The helpers are in
 * targets_test.h. */
#include "targets_test.h"

#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

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
