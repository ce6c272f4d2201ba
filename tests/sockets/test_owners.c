/* ps_owners_scan() and ps_owners_find() on the live /proc, with sockets
 * this test opens and a forked child that shares them; bad arguments.
 * Fake proc trees, where every field is known, are in test_owners_fake.c. */
#include "ps_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "portscope/owners.h"

static uint64_t inode_of(int fd)
{
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    return (uint64_t)st.st_ino;
}

static const char *user_of(uid_t uid, char *buf, size_t len)
{
    struct passwd *pw = getpwuid(uid);
    if (pw)
        snprintf(buf, len, "%s", pw->pw_name);
    else
        snprintf(buf, len, "%u", (unsigned)uid);
    return buf;
}

/* Checks that p describes this very process. */
static void expect_self(const struct ps_process *p)
{
    char comm[64] = "", user[256];
    size_t len;
    char *text = ps_test_read_file("/proc/self/comm", &len);
    assert_non_null(text);
    snprintf(comm, sizeof comm, "%.*s", (int)strcspn(text, "\n"), text);
    free(text);

    assert_int_equal(p->pid, getpid());
    assert_string_equal(p->comm, comm);
    assert_int_equal(p->uid, getuid());
    assert_string_equal(p->user, user_of(getuid(), user, sizeof user));
    if (!strstr(p->cmdline, "test_owners"))
        fail_msg("cmdline '%s' does not name the test", p->cmdline);
    assert_non_null(p->unit);
    assert_non_null(p->container);
    time_t now = time(NULL);
    if (p->start_time < now - 600 || p->start_time > now + 2)
        fail_msg("start_time %lld, now %lld", (long long)p->start_time,
                 (long long)now);
}

static void test_live(void **state)
{
    (void)state;
    int lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int sp[2];
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(lst >= 0 && udp >= 0);
    assert_int_equal(bind(lst, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lst, 4), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    int again = dup(lst); /* one process on two fds: listed once */
    uint64_t inodes[] = {inode_of(lst), inode_of(udp), inode_of(sp[0]),
                         inode_of(sp[1])};

    struct ps_owners *o = NULL;
    assert_int_equal(ps_owners_scan("/proc", &o, NULL), 0);
    assert_non_null(o);
    for (size_t i = 0; i < sizeof inodes / sizeof inodes[0]; i++) {
        const struct ps_process *out[4] = {0};
        assert_int_equal(ps_owners_find(o, inodes[i], out, 4), 1);
        expect_self(out[0]);
    }
    assert_int_equal(ps_owners_find(o, 0, NULL, 0), 0);
    ps_owners_free(o);
    close(again);
    close(sp[0]);
    close(sp[1]);
    close(udp);
    close(lst);
}

/* After fork() parent and child hold the same listener; both are found,
 * in pid order, and max limits what is written but not the count. */
static void test_live_fork(void **state)
{
    (void)state;
    int lst = socket(AF_INET, SOCK_STREAM, 0), go[2];
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(lst, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lst, 4), 0);
    assert_int_equal(pipe(go), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) { /* waits until the parent has looked (or died) */
        char c;
        close(go[1]);
        _exit(read(go[0], &c, 1) < 0);
    }
    close(go[0]);

    struct ps_owners *o = NULL;
    const struct ps_process *out[4] = {0}, *first = NULL;
    assert_int_equal(ps_owners_scan("/proc", &o, NULL), 0);
    assert_int_equal(ps_owners_find(o, inode_of(lst), out, 4), 2);
    assert_true(out[0]->pid < out[1]->pid);
    int parent_at = out[0]->pid == getpid() ? 0 : 1;
    expect_self(out[parent_at]);
    assert_int_equal(out[1 - parent_at]->pid, child);
    assert_string_equal(out[1 - parent_at]->comm, out[parent_at]->comm);
    assert_int_equal(ps_owners_find(o, inode_of(lst), &first, 1), 2);
    assert_ptr_equal(first, out[0]);
    ps_owners_free(o);

    close(go[1]);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(lst);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct ps_owners *o = (struct ps_owners *)&o;
    assert_int_equal(ps_owners_scan(NULL, &o, NULL), PS_EINVAL);
    assert_null(o);
    assert_int_equal(ps_owners_scan("/proc", NULL, NULL), PS_EINVAL);
    o = (struct ps_owners *)&o;
    assert_int_equal(ps_owners_scan("/nonexistent/proc", &o, NULL), PS_ENOENT);
    assert_null(o);
    assert_int_equal(ps_owners_scan("/dev/null", &o, NULL), PS_ENOENT);
    assert_int_equal(ps_owners_find(NULL, 1, NULL, 0), 0);
    assert_int_equal(ps_owners_hidden(NULL), 0);
    ps_owners_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live),
        cmocka_unit_test(test_live_fork),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
