/* ps_owners_scan() and ps_owners_find() on fake proc trees built under a
 * temporary directory, where every field of every process is known:
 * pid order, dup'd fds, hidden and vanishing processes, malformed links,
 * uid from status or from the directory's owner, cgroup units and
 * containers, start times from btime. */
#include "ps_test.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "portscope/owners.h"
#include "sockets/owners_internal.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define BTIME 1700000000

static const char *user_of(uid_t uid, char *buf, size_t len)
{
    struct passwd *pw = getpwuid(uid);
    if (pw)
        snprintf(buf, len, "%s", pw->pw_name);
    else
        snprintf(buf, len, "%u", (unsigned)uid);
    return buf;
}

static const char *path(const char *root, const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", root, rel);
    return buf;
}

static void put(const char *root, const char *rel, const char *data, size_t len)
{
    FILE *f = fopen(path(root, rel), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void putf(const char *root, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void putf(const char *root, const char *rel, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof text);
    put(root, rel, text, (size_t)n);
}

static void mkd(const char *root, const char *rel)
{
    assert_int_equal(mkdir(path(root, rel), 0755), 0);
}

static void link_fd(const char *root, int pid, int fd, const char *target)
{
    char rel[64];
    snprintf(rel, sizeof rel, "%d/fd/%d", pid, fd);
    assert_int_equal(symlink(target, path(root, rel)), 0);
}

static void link_socket(const char *root, int pid, int fd, unsigned long inode)
{
    char target[48];
    snprintf(target, sizeof target, "socket:[%lu]", inode);
    link_fd(root, pid, fd, target);
}

/* A process directory with stat (comm and starttime), cmdline, and the
 * optional status and cgroup; fd/ is made empty unless with_fd is 0. */
static void fake_proc(const char *root, int pid, const char *comm,
                      const char *cmdline, size_t cmdlen, const char *status,
                      const char *cgroup, long start_ticks, int with_fd)
{
    char rel[64];
    snprintf(rel, sizeof rel, "%d", pid);
    mkd(root, rel);
    snprintf(rel, sizeof rel, "%d/stat", pid);
    putf(root, rel, "%d (%s) S 1 %d %d 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 "
         "%ld 1000 200\n", pid, comm, pid, pid, start_ticks);
    snprintf(rel, sizeof rel, "%d/comm", pid);
    putf(root, rel, "%s\n", comm);
    snprintf(rel, sizeof rel, "%d/cmdline", pid);
    put(root, rel, cmdline, cmdlen);
    if (status) {
        snprintf(rel, sizeof rel, "%d/status", pid);
        putf(root, rel, "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\n%s",
             comm, status);
    }
    if (cgroup) {
        snprintf(rel, sizeof rel, "%d/cgroup", pid);
        putf(root, rel, "%s", cgroup);
    }
    if (with_fd) {
        snprintf(rel, sizeof rel, "%d/fd", pid);
        mkd(root, rel);
    }
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

static void rm_tree(const char *root)
{
    char fd[4096];
    snprintf(fd, sizeof fd, "%s/400/fd", root); /* nftw cannot enter it */
    chmod(fd, 0700);
    assert_int_equal(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

#define CMD(lit) lit, sizeof(lit) - 1

/* Builds the tree of test_fake_tree; returns whether chmod 000 on a
 * directory keeps this process out (not so for root). */
static int build_tree(const char *root, long tck)
{
    putf(root, "stat", "cpu  1 2 3 4\nintr 5 6 7\nbtime %d\nprocesses 9\n", BTIME);
    /* Created out of pid order: the holders must come back sorted. */
    fake_proc(root, 200, "a) b", CMD("  python3\0 -m\0http.server\0"),
              "Uid:\t4242\t4243\t4242\t4242\nGid:\t0\t0\t0\t0\n",
              "12:memory:/docker/" HEX64 "\n1:name=systemd:/docker/" HEX64 "\n",
              0, 1);
    link_socket(root, 200, 0, 12345);
    fake_proc(root, 100, "sshd", CMD("sshd: /usr/sbin/sshd\0-D\0\0"),
              "Uid:\t0\t0\t0\t0\n", "0::/system.slice/ssh.service\n", 42 * tck, 1);
    link_socket(root, 100, 3, 12345);
    link_socket(root, 100, 4, 12345); /* dup'd: still one holder */
    link_fd(root, 100, 5, "/dev/null");
    link_fd(root, 100, 6, "pipe:[999]");
    link_socket(root, 100, 7, 777);
    link_fd(root, 100, 8, "socket:[");
    link_fd(root, 100, 9, "socket:[12x]");
    link_fd(root, 100, 10, "socket:[0]");
    link_fd(root, 100, 11, "socket:[99999999999999999999]");
    /* No status: the uid is the owner of the directory. */
    fake_proc(root, 150, "kubelet", CMD(""), NULL,
              "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-"
              "pod12ab.slice/cri-containerd-" HEX64 ".scope\n", 7 * tck, 1);
    link_socket(root, 150, 1, 12345);
    /* fd/ unreadable: a hidden process. */
    fake_proc(root, 400, "secret", CMD("secret\0"), "", "", 0, 1);
    link_socket(root, 400, 1, 4000);
    assert_int_equal(chmod(path(root, "400/fd"), 0), 0);
    DIR *d = opendir(path(root, "400/fd"));
    if (d)
        closedir(d);
    /* fd is not a directory at all: hidden as well, even for root. */
    fake_proc(root, 401, "odd", CMD("odd\0"), "", "", 0, 0);
    put(root, "401/fd", CMD("not a directory"));
    /* Gone before its fds were read: no fd/, skipped without a count. */
    fake_proc(root, 500, "gone", CMD("gone\0"), "", "", 0, 0);
    /* Fds but no socket among them: not listed. */
    fake_proc(root, 600, "cat", CMD("cat\0"), "", "", 0, 1);
    link_fd(root, 600, 0, "/dev/tty");
    link_fd(root, 600, 1, "anon_inode:[eventfd]");
    /* Gone after its fds were read (stat missing): skipped. */
    fake_proc(root, 700, "late", CMD("late\0"), "", "", 0, 1);
    link_socket(root, 700, 0, 888);
    assert_int_equal(remove(path(root, "700/stat")), 0);
    /* Not process directories. */
    mkd(root, "0123");
    mkd(root, "0123/fd");
    assert_int_equal(symlink("socket:[999]", path(root, "0123/fd/0")), 0);
    mkd(root, "net");
    assert_int_equal(symlink("100", path(root, "self")), 0);
    return d == NULL;
}

static const struct ps_process *only(const struct ps_owners *o, uint64_t inode)
{
    const struct ps_process *p = NULL;
    assert_int_equal(ps_owners_find(o, inode, &p, 1), 1);
    return p;
}

static void test_fake_tree(void **state)
{
    (void)state;
    char root[] = "/tmp/ps-owners-XXXXXX", user[256];
    long tck = sysconf(_SC_CLK_TCK);
    assert_non_null(mkdtemp(root));
    int blocks = build_tree(root, tck);
    struct ps_owners *o = NULL;
    struct ps_test_log log;
    ps_test_log_init(&log);
    assert_int_equal(ps_owners_scan(root, &o, &log.logger), 0);

    const struct ps_process *out[8] = {0};
    assert_int_equal(ps_owners_find(o, 12345, out, 8), 3);
    assert_int_equal(out[0]->pid, 100);
    assert_int_equal(out[1]->pid, 150);
    assert_int_equal(out[2]->pid, 200);

    const struct ps_process *p = out[0];
    assert_string_equal(p->comm, "sshd");
    assert_string_equal(p->cmdline, "sshd: /usr/sbin/sshd -D");
    assert_int_equal(p->uid, 0);
    assert_string_equal(p->user, user_of(0, user, sizeof user));
    assert_string_equal(p->unit, "ssh.service");
    assert_string_equal(p->container, "");
    assert_int_equal(p->start_time, BTIME + 42);
    assert_ptr_equal(only(o, 777), p);

    p = out[1];
    assert_string_equal(p->comm, "kubelet");
    assert_string_equal(p->cmdline, "");
    assert_int_equal(p->uid, getuid());
    assert_string_equal(p->user, user_of(getuid(), user, sizeof user));
    assert_string_equal(p->unit, "");
    assert_string_equal(p->container, HEX64);
    assert_int_equal(p->start_time, BTIME + 7);

    p = out[2];
    assert_string_equal(p->comm, "a) b");
    assert_string_equal(p->cmdline, "python3  -m http.server");
    assert_int_equal(p->uid, 4243); /* the effective uid */
    assert_string_equal(p->user, user_of(4243, user, sizeof user));
    assert_string_equal(p->unit, "");
    assert_string_equal(p->container, HEX64);
    assert_int_equal(p->start_time, BTIME);

    /* 400 is hidden unless chmod cannot stop us (root); 401 always is. */
    if (!blocks)
        print_message("running as root: fd/ mode 000 does not hide pid 400\n");
    assert_int_equal(ps_owners_find(o, 4000, out, 8), blocks ? 0 : 1);
    assert_int_equal(ps_owners_hidden(o), blocks ? 2 : 1);
    /* Gone, socket-free, malformed links and non-pid directories. */
    assert_int_equal(ps_owners_find(o, 888, out, 8), 0);
    assert_int_equal(ps_owners_find(o, 999, out, 8), 0);
    assert_int_equal(ps_owners_find(o, 0, out, 8), 0);
    assert_int_equal(ps_owners_find(o, 12, out, 8), 0);
    assert_int_equal(log.errors, 0);
    ps_owners_free(o);
    rm_tree(root);
}

/* Without a btime line start times are unknown, and the scan says so. */
static void test_fake_no_btime(void **state)
{
    (void)state;
    char root[] = "/tmp/ps-owners-XXXXXX";
    assert_non_null(mkdtemp(root));
    fake_proc(root, 9, "nc", CMD("nc\0-l\0"), "Uid:\t1\t1\t1\t1\n",
              "0::/user.slice/user-1000.slice/session-2.scope\n", 100, 1);
    link_socket(root, 9, 3, 55);
    struct ps_owners *o = NULL;
    struct ps_test_log log;
    ps_test_log_init(&log);
    assert_int_equal(ps_owners_scan(root, &o, &log.logger), 0);
    const struct ps_process *p = only(o, 55);
    assert_int_equal(p->start_time, -1);
    assert_string_equal(p->unit, "session-2.scope");
    assert_string_equal(p->cmdline, "nc -l");
    assert_true(log.warnings >= 1);
    assert_non_null(strstr(log.text, "btime"));
    ps_owners_free(o);
    rm_tree(root);
}

/* Enough sockets to grow the index several times, some shared by three
 * processes, each found again. */
static void test_fake_many(void **state)
{
    (void)state;
    enum { N = 5000 };
    char root[] = "/tmp/ps-owners-XXXXXX";
    assert_non_null(mkdtemp(root));
    put(root, "stat", CMD("btime 1\n"));
    for (int pid = 30; pid >= 10; pid -= 10)
        fake_proc(root, pid, "w", CMD("w\0"), "Uid:\t0\t0\t0\t0\n", "", 0, 1);
    for (int i = 0; i < N; i++) {
        link_socket(root, 20, i, 1000u + (unsigned)i * 7u);
        if (i % 3 == 0) {
            link_socket(root, 10, i, 1000u + (unsigned)i * 7u);
            link_socket(root, 30, i, 1000u + (unsigned)i * 7u);
        }
    }
    struct ps_owners *o = NULL;
    assert_int_equal(ps_owners_scan(root, &o, NULL), 0);
    for (int i = 0; i < N; i++) {
        const struct ps_process *out[3] = {0};
        size_t n = ps_owners_find(o, 1000u + (unsigned)i * 7u, out, 3);
        assert_int_equal(n, i % 3 == 0 ? 3 : 1);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(out[k]->pid, n == 1 ? 20 : 10 + 10 * (int)k);
        assert_int_equal(ps_owners_find(o, 1001u + (unsigned)i * 7u, NULL, 0), 0);
    }
    assert_int_equal(ps_owners_hidden(o), 0);
    ps_owners_free(o);
    rm_tree(root);
}

/* Many processes, so that the walker threads claim them interleaved:
 * each socket must still come back with its own process's details, and a
 * socket all of them share with every holder, in pid order. With
 * nthreads walkers (0: one per CPU), so that the parallel walk runs even
 * on a machine with one CPU. */
static void many_processes(size_t nthreads)
{
    enum { P = 120, S = 20, SHARED = 999999 };
    char root[] = "/tmp/ps-owners-XXXXXX", comm[16], status[64];
    assert_non_null(mkdtemp(root));
    put(root, "stat", CMD("btime 1\n"));
    for (int p = 0; p < P; p++) {
        int pid = 1000 + 7 * p;
        snprintf(comm, sizeof comm, "p%d", pid);
        snprintf(status, sizeof status, "Uid:\t%d\t%d\t%d\t%d\n", p, p, p, p);
        fake_proc(root, pid, comm, CMD("x\0"), status, "", 0, 1);
        for (int i = 0; i < S; i++)
            link_socket(root, pid, i, 5000u + (unsigned)(p * S + i));
        link_socket(root, pid, S, SHARED);
    }
    struct ps_owners *o = NULL;
    assert_int_equal(ps__owners_scan_threads(root, nthreads, &o, NULL), 0);
    for (int p = 0; p < P; p++) {
        for (int i = 0; i < S; i++) {
            const struct ps_process *out[2] = {0};
            assert_int_equal(ps_owners_find(o, 5000u + (unsigned)(p * S + i), out, 2), 1);
            assert_int_equal(out[0]->pid, 1000 + 7 * p);
            snprintf(comm, sizeof comm, "p%d", 1000 + 7 * p);
            assert_string_equal(out[0]->comm, comm);
            assert_int_equal(out[0]->uid, (uint32_t)p);
        }
    }
    const struct ps_process *all[P] = {0};
    assert_int_equal(ps_owners_find(o, SHARED, all, P), P);
    for (int p = 0; p < P; p++)
        assert_int_equal(all[p]->pid, 1000 + 7 * p);
    ps_owners_free(o);
    rm_tree(root);
}

/* A message about a process names its path whole, even under a long
 * proc_root: walkers format into as much room as the library's logger. */
static void test_fake_long_message(void **state)
{
    (void)state;
    char root[600] = "/tmp/ps-owners-XXXXXX", want[800];
    assert_non_null(mkdtemp(root));
    size_t len = strlen(root);
    for (int i = 0; i < 8; i++) { /* well past 256 bytes */
        snprintf(root + len, sizeof root - len, "/%s", "a-rather-long-directory-name-x");
        len = strlen(root);
        assert_int_equal(mkdir(root, 0755), 0);
    }
    fake_proc(root, 401, "odd", CMD("odd\0"), "", "", 0, 0);
    put(root, "401/fd", CMD("not a directory"));
    struct ps_owners *o = NULL;
    struct ps_test_log log;
    ps_test_log_init(&log);
    assert_int_equal(ps__owners_scan_threads(root, 2, &o, &log.logger), 0);
    assert_int_equal(ps_owners_hidden(o), 1);
    snprintf(want, sizeof want, "owners: cannot read %s/401/fd: %s\n", root,
             strerror(ENOTDIR));
    assert_non_null(strstr(log.text, want));
    ps_owners_free(o);
    root[strlen(root) - 8 * 31] = '\0';
    rm_tree(root);
}

/* Lowers the soft limit on descriptors so that only `spare` more can be
 * opened; returns the old limit. */
static struct rlimit spare_fds(int spare)
{
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int lowest = dup(0); /* the lowest free descriptor: all below are used */
    assert_true(lowest >= 0);
    close(lowest);
    low = old;
    low.rlim_cur = (rlim_t)(lowest + spare);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    return old;
}

/* Running out of descriptors is our own limit, reported as such at each
 * step that opens one (proc_root, the pid list, a process's fds), never
 * as a missing proc_root. */
static void test_fake_out_of_fds(void **state)
{
    (void)state;
    char root[] = "/tmp/ps-owners-XXXXXX";
    assert_non_null(mkdtemp(root));
    put(root, "stat", CMD("btime 1\n"));
    fake_proc(root, 10, "w", CMD("w\0"), "Uid:\t0\t0\t0\t0\n", "", 0, 1);
    link_socket(root, 10, 0, 4242);
    for (int spare = 0; spare < 3; spare++) {
        struct ps_owners *o = NULL;
        struct ps_test_log log;
        ps_test_log_init(&log);
        struct rlimit old = spare_fds(spare);
        int rc = ps__owners_scan_threads(root, 1, &o, &log.logger);
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
        if (rc != PS_ELIMIT)
            print_message("%d spare: %s; %s", spare, ps_err_name(rc), log.text);
        assert_int_equal(rc, PS_ELIMIT);
        assert_null(o);
        assert_non_null(strstr(log.text, "out of file descriptors"));
    }
    /* With room, the same tree reads fine. */
    struct ps_owners *o = NULL;
    assert_int_equal(ps__owners_scan_threads(root, 1, &o, NULL), 0);
    assert_int_equal(ps_owners_find(o, 4242, NULL, 0), 1);
    ps_owners_free(o);
    rm_tree(root);
}

/* One walker per CPU, then 1, 2 and 4 whatever the CPUs. */
static void test_fake_walkers(void **state)
{
    (void)state;
    static const size_t counts[] = {0, 1, 2, 4};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        many_processes(counts[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fake_tree),
        cmocka_unit_test(test_fake_no_btime),
        cmocka_unit_test(test_fake_many),
        cmocka_unit_test(test_fake_walkers),
        cmocka_unit_test(test_fake_long_message),
        cmocka_unit_test(test_fake_out_of_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
