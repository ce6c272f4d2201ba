/* ps_drop_privileges: run as root, a child process ends up as nobody with
 * no capability and no way back; run as a user, nothing changes and the
 * call succeeds. Each case runs in a child, since the drop is for good. */
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ps_test.h"
#include "portscope/error.h"
#include "portscope/priv.h"

/* Exit codes of the child: 0 all held, else the first check that failed. */
static int child_checks(const char *user)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{0}};
    uid_t r, e, s;

    if (ps_drop_privileges(user, NULL) != 0)
        return 10;
    if (getresuid(&r, &e, &s) != 0 || r == 0 || e == 0 || s == 0)
        return 11;
    if (getgid() == 0 || getegid() == 0)
        return 12;
    if (getgroups(0, NULL) != 0)
        return 13;
    if (syscall(SYS_capget, &hdr, data) != 0 || data[0].effective ||
        data[0].permitted || data[1].effective || data[1].permitted)
        return 14;
    if (setuid(0) == 0 || seteuid(0) == 0)
        return 15;
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
        return 16;
    /* A raw socket needs CAP_NET_RAW: gone. */
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fd >= 0)
        return 17;
    return 0;
}

static int run_child(const char *user)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0)
        _exit(child_checks(user));
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_drop_as_root(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    assert_int_equal(run_child(NULL), 0);
    assert_int_equal(run_child("nobody"), 0);
}

static void test_unknown_user(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    pid_t pid = fork();
    if (pid == 0)
        _exit(ps_drop_privileges("no-such-user-ps", NULL) == PS_ENOENT && getuid() == 0
                  ? 0 : 1);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_as_user_nothing_to_drop(void **state)
{
    (void)state;
    pid_t pid = fork();
    if (pid == 0) {
        /* As root, become a user first (the drop under test then finds
         * nothing of root left); as a user, already there. */
        if (geteuid() == 0 && (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
                               setresuid(65534, 65534, 65534)))
            _exit(20);
        uid_t before = getuid();
        _exit(ps_drop_privileges(NULL, NULL) == 0 && getuid() == before ? 0 : 21);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drop_as_root),
        cmocka_unit_test(test_unknown_user),
        cmocka_unit_test(test_as_user_nothing_to_drop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
