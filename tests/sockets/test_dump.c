/* ps_sockets_dump() and ps_sockets_dump_proc() on this machine's live
 * socket table: sockets this test opens on 127.0.0.1 and ::1 (nothing is
 * sent anywhere) must be found with the right state, port and inode. */
#include "sock_test.h"

#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

typedef int (*dump_fn)(const struct ps_sock_query *, const char *,
                       struct ps_socket_list *, const struct ps_logger *);

struct live {
    int tcp4, udp6, client, server;  /* fds */
    unsigned tcp_port, udp_port, client_port;
};

static uint64_t inode_of(int fd)
{
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    return (uint64_t)st.st_ino;
}

static unsigned port_of(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A socket bound to loopback port 0; -1 if the family is not configured. */
static int bound(int family, int type)
{
    int fd = socket(family, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int rc = family == AF_INET ? bind(fd, (struct sockaddr *)&a4, sizeof a4)
                               : bind(fd, (struct sockaddr *)&a6, sizeof a6);
    if (rc != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int live_setup(void **state)
{
    struct live *lv = calloc(1, sizeof *lv);
    if (!lv)
        return -1;
    lv->tcp4 = bound(AF_INET, SOCK_STREAM);
    lv->udp6 = bound(AF_INET6, SOCK_DGRAM);
    if (lv->tcp4 < 0 || listen(lv->tcp4, 8) != 0)
        return -1;
    lv->tcp_port = port_of(lv->tcp4);
    lv->udp_port = lv->udp6 >= 0 ? port_of(lv->udp6) : 0;
    /* An established pair over loopback, to see both ends. */
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(lv->tcp_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    lv->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lv->client < 0 || connect(lv->client, (struct sockaddr *)&to, sizeof to) != 0)
        return -1;
    lv->server = accept(lv->tcp4, NULL, NULL);
    if (lv->server < 0)
        return -1;
    lv->client_port = port_of(lv->client);
    *state = lv;
    return 0;
}

static int live_teardown(void **state)
{
    struct live *lv = *state;
    close(lv->tcp4);
    if (lv->udp6 >= 0)
        close(lv->udp6);
    close(lv->client);
    close(lv->server);
    free(lv);
    return 0;
}

/* Checks what dump found of the sockets in lv. */
static void check_found(const struct live *lv, const struct ps_socket_list *l)
{
    const struct ps_socket *s = sock_test_expect(l, inode_of(lv->tcp4), PS_PROTO_TCP,
                                                 AF_INET, PS_SOCK_LISTEN, "127.0.0.1",
                                                 lv->tcp_port, "*", 0);
    assert_int_equal(s->uid, getuid());
    sock_test_expect(l, inode_of(lv->client), PS_PROTO_TCP, AF_INET, PS_SOCK_ESTABLISHED,
                     "127.0.0.1", lv->client_port, "127.0.0.1", lv->tcp_port);
    sock_test_expect(l, inode_of(lv->server), PS_PROTO_TCP, AF_INET, PS_SOCK_ESTABLISHED,
                     "127.0.0.1", lv->tcp_port, "127.0.0.1", lv->client_port);
    if (lv->udp6 >= 0)
        sock_test_expect(l, inode_of(lv->udp6), PS_PROTO_UDP, AF_INET6, PS_SOCK_CLOSE,
                         "::1", lv->udp_port, "*", 0);
}

static void run_dump(void **state, dump_fn dump)
{
    struct live *lv = *state;
    struct ps_socket_list l = {0};
    struct ps_test_log log;

    ps_test_log_init(&log);
    assert_int_equal(dump(NULL, "/proc", &l, &log.logger), 0);
    check_found(lv, &l);
    ps_socket_list_clear(&l);

    /* Listening TCP and unconnected UDP only, as `ss -tuln` shows. */
    struct ps_sock_query q = sock_test_all;
    q.states = 1u << PS_SOCK_LISTEN | 1u << PS_SOCK_CLOSE;
    assert_int_equal(dump(&q, NULL, &l, &log.logger), 0);
    assert_non_null(sock_test_by_inode(&l, inode_of(lv->tcp4)));
    assert_null(sock_test_by_inode(&l, inode_of(lv->client)));
    for (size_t i = 0; i < l.count; i++)
        assert_true(l.v[i].state == PS_SOCK_LISTEN || l.v[i].state == PS_SOCK_CLOSE);
    ps_socket_list_clear(&l);

    /* One protocol and family: nothing else comes back. */
    q = sock_test_all;
    q.protos = 1u << PS_PROTO_UDP;
    q.families = PS_SOCK_IPV6;
    assert_int_equal(dump(&q, NULL, &l, &log.logger), 0);
    assert_null(sock_test_by_inode(&l, inode_of(lv->tcp4)));
    if (lv->udp6 >= 0)
        assert_non_null(sock_test_by_inode(&l, inode_of(lv->udp6)));
    for (size_t i = 0; i < l.count; i++)
        assert_true(l.v[i].proto == PS_PROTO_UDP && l.v[i].family == AF_INET6);
    ps_socket_list_clear(&l);
    assert_int_equal(log.errors, 0);
}

static void dump_netlink(void **state)
{
    run_dump(state, ps_sockets_dump);
}

static void dump_proc(void **state)
{
    run_dump(state, ps_sockets_dump_proc);
}

/* Enough sockets that the netlink reply spans several datagrams. */
static void dump_many(void **state)
{
    (void)state;
    enum { N = 600 };
    int fds[N];
    uint64_t inodes[N];
    for (int i = 0; i < N; i++) {
        fds[i] = bound(AF_INET, SOCK_DGRAM);
        assert_true(fds[i] >= 0);
        inodes[i] = inode_of(fds[i]);
    }
    struct ps_sock_query q = {1u << PS_PROTO_UDP, PS_SOCK_IPV4, PS_SOCK_ALL_STATES};
    for (int pass = 0; pass < 2; pass++) {
        struct ps_socket_list l = {0};
        int rc = pass ? ps_sockets_dump_proc(&q, NULL, &l, NULL)
                      : ps_sockets_dump(&q, NULL, &l, NULL);
        assert_int_equal(rc, 0);
        assert_true(l.count >= N);
        for (int i = 0; i < N; i++)
            assert_non_null(sock_test_by_inode(&l, inodes[i]));
        ps_socket_list_clear(&l);
    }
    for (int i = 0; i < N; i++)
        close(fds[i]);
}

/* A socket bound to lo (SO_BINDTODEVICE) comes back with the device's
 * name and loopback flag; another on the same address without. */
static void dump_bound_device(void **state)
{
    (void)state;
    int dev = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), plain = bound(AF_INET, SOCK_DGRAM);
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_true(dev >= 0 && plain >= 0);
    if (setsockopt(dev, SOL_SOCKET, SO_BINDTODEVICE, "lo", 2) != 0) {
        close(dev);
        close(plain);
        skip(); /* before Linux 5.7, only with CAP_NET_RAW */
    }
    assert_int_equal(bind(dev, (struct sockaddr *)&a4, sizeof a4), 0);
    struct ps_sock_query q = {1u << PS_PROTO_UDP, PS_SOCK_IPV4, PS_SOCK_ALL_STATES};
    struct ps_socket_list l = {0};
    assert_int_equal(ps_sockets_dump(&q, NULL, &l, NULL), 0);
    const struct ps_socket *s = sock_test_by_inode(&l, inode_of(dev));
    assert_non_null(s);
    assert_int_not_equal(s->ifindex, 0);
    assert_string_equal(s->ifname, "lo");
    assert_true(s->if_loopback);
    s = sock_test_by_inode(&l, inode_of(plain));
    assert_non_null(s);
    assert_int_equal(s->ifindex, 0);
    assert_string_equal(s->ifname, "");
    assert_false(s->if_loopback);
    ps_socket_list_clear(&l);
    close(dev);
    close(plain);
}

#if defined(__linux__) && defined(__NR_socket)
static int copy_file(const char *from, const char *to)
{
    char buf[65536];
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out)
        ok = fclose(out) == 0 && ok;
    return ok ? 0 : -1;
}

/* Regression: with IPv6 disabled the /proc fallback has no tcp6 and udp6
 * tables, and used to fail the whole dump. A fake root holds only the IPv4
 * tables, copied from this host. Returns 0 or an exit status. */
static int ipv4_only_fallback(const struct live *lv)
{
    char root[] = "/tmp/ps-v4only-XXXXXX", path[96];
    if (!mkdtemp(root))
        return 5;
    snprintf(path, sizeof path, "%s/net", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/net/tcp", root);
    int bad = copy_file("/proc/net/tcp", path);
    snprintf(path, sizeof path, "%s/net/udp", root);
    bad |= copy_file("/proc/net/udp", path);
    struct ps_socket_list l = {0};
    int rc = bad ? -1 : ps_sockets_dump(NULL, root, &l, NULL);
    const struct ps_socket *s = sock_test_by_inode(&l, inode_of(lv->tcp4));
    int status = rc != 0 ? 6 : !s ? 7 : 0;
    ps_socket_list_clear(&l);
    snprintf(path, sizeof path, "rm -rf '%s'", root);
    if (system(path) != 0)
        status = status ? status : 8;
    return status;
}

/* In a child: forbid socket(AF_NETLINK, ...) as a sandbox would, then
 * dump. Returns the exit status the parent checks (0 = all good). */
static int sandboxed_dump(const struct live *lv)
{
    const unsigned little = *(const uint8_t *)&(const uint16_t){1};
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, args[0]) + (little ? 0 : 4)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        return 77; /* no seccomp here */
    struct ps_test_log log;
    struct ps_socket_list l = {0};
    ps_test_log_init(&log);
    if (ps_sockets_dump(NULL, "/proc", &l, &log.logger) != 0)
        return 1;
    if (!strstr(log.text, "sock_diag unavailable"))
        return 2;
    const struct ps_socket *s = sock_test_by_inode(&l, inode_of(lv->tcp4));
    if (!s || s->state != PS_SOCK_LISTEN || s->local_port != lv->tcp_port)
        return 3;
    if (lv->udp6 >= 0 && !sock_test_by_inode(&l, inode_of(lv->udp6)))
        return 4;
    ps_socket_list_clear(&l);
    return ipv4_only_fallback(lv);
}

static void dump_fallback(void **state)
{
    struct live *lv = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(sandboxed_dump(lv));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}
#else
static void dump_fallback(void **state)
{
    (void)state;
    skip();
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dump_netlink, live_setup, live_teardown),
        cmocka_unit_test_setup_teardown(dump_proc, live_setup, live_teardown),
        cmocka_unit_test_setup_teardown(dump_fallback, live_setup, live_teardown),
        cmocka_unit_test(dump_many),
        cmocka_unit_test(dump_bound_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
