/* ps_sockets_parse_proc() on /proc/net text recorded on a real kernel
 * (tests/data/sockets/README.txt), on broken lines, and
 * ps_sockets_dump_proc() against a fake proc root. */
#include "sock_test.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_file(const char *name, enum ps_proto proto,
                      const struct ps_sock_query *q, struct ps_socket_list *l)
{
    size_t len;
    char *text = sock_test_fixture(name, &len);
    int rc = ps_sockets_parse_proc(text, len, proto, q, l);
    free(text);
    return rc;
}

static void recorded_tcp(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    struct ps_socket_list l = {0};
    assert_int_equal(parse_file("proc-net-tcp.txt", PS_PROTO_TCP, NULL, &l), 0);
    assert_int_equal(l.count, 4);
    sock_test_expect(&l, 1678, PS_PROTO_TCP, AF_INET, PS_SOCK_LISTEN, "*", 2024, "*", 0);
    sock_test_expect(&l, 194494, PS_PROTO_TCP, AF_INET, PS_SOCK_LISTEN,
                     "127.0.0.1", 47001, "*", 0);
    sock_test_expect(&l, 194498, PS_PROTO_TCP, AF_INET, PS_SOCK_ESTABLISHED,
                     "127.0.0.1", 49298, "127.0.0.1", 47001);
    const struct ps_socket *s = sock_test_expect(&l, 194499, PS_PROTO_TCP, AF_INET,
                                                 PS_SOCK_ESTABLISHED, "127.0.0.1",
                                                 47001, "127.0.0.1", 49298);
    assert_int_equal(s->rqueue, 5);
    assert_int_equal(s->wqueue, 0);
    assert_int_equal(s->uid, 0);
    ps_socket_list_clear(&l);
}

static void recorded_other_tables(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    struct ps_socket_list l = {0};
    assert_int_equal(parse_file("proc-net-tcp6.txt", PS_PROTO_TCP, NULL, &l), 0);
    assert_int_equal(parse_file("proc-net-udp.txt", PS_PROTO_UDP, NULL, &l), 0);
    assert_int_equal(parse_file("proc-net-udp6.txt", PS_PROTO_UDP, NULL, &l), 0);
    assert_int_equal(l.count, 4);
    sock_test_expect(&l, 194495, PS_PROTO_TCP, AF_INET6, PS_SOCK_LISTEN, "::1", 47002, "*", 0);
    sock_test_expect(&l, 194496, PS_PROTO_UDP, AF_INET, PS_SOCK_CLOSE, "127.0.0.1", 47003, "*", 0);
    sock_test_expect(&l, 194497, PS_PROTO_UDP, AF_INET6, PS_SOCK_CLOSE, "::1", 47004, "*", 0);
    sock_test_expect(&l, 194500, PS_PROTO_UDP, AF_INET6, PS_SOCK_ESTABLISHED,
                     "::1", 60598, "::1", 47004);
    ps_socket_list_clear(&l);
}

static void query_filters(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    struct ps_socket_list l = {0};
    struct ps_sock_query q = sock_test_all;
    q.states = 1u << PS_SOCK_ESTABLISHED;
    assert_int_equal(parse_file("proc-net-tcp.txt", PS_PROTO_TCP, &q, &l), 0);
    assert_int_equal(l.count, 2);
    q.states = PS_SOCK_ALL_STATES;
    q.families = PS_SOCK_IPV4;
    assert_int_equal(parse_file("proc-net-udp6.txt", PS_PROTO_UDP, &q, &l), 0);
    assert_int_equal(l.count, 2);
    q.families = PS_SOCK_IPV6;
    q.protos = 1u << PS_PROTO_TCP;
    assert_int_equal(parse_file("proc-net-udp6.txt", PS_PROTO_UDP, &q, &l), 0);
    assert_int_equal(l.count, 2);
    ps_socket_list_clear(&l);
}

#define HEADER "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when " \
               "retrnsmt   uid  timeout inode\n"
#define GOOD "   1: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 " \
             "00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0\n"

static size_t count_of(const char *text)
{
    struct ps_socket_list l = {0};
    int rc = ps_sockets_parse_proc(text, strlen(text), PS_PROTO_TCP, NULL, &l);
    assert_int_equal(rc, 0);
    size_t n = l.count;
    ps_socket_list_clear(&l);
    return n;
}

static void malformed_lines(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    static const char *const bad[] = {
        "",                                        /* blank */
        "garbage\n",
        "   1: 0100007F:0016\n",                   /* cut short */
        "   1 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 1\n",  /* no colon after sl */
        "   1: 100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 1\n",  /* 7-digit address */
        "   1: 0100007G:0016 00000000:0000 0A 0:0 0:0 0 0 0 1\n", /* not hex */
        "   1: 0100007F:10016 00000000:0000 0A 0:0 0:0 0 0 0 1\n", /* port > 0xffff */
        "   1: 0100007F: 00000000:0000 0A 0:0 0:0 0 0 0 1\n",     /* no port */
        "   1: 0100007F:0016 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 1\n",
        "   1: 0100007F:0016 00000000:0000 10A 0:0 0:0 0 0 0 1\n", /* 3-digit state */
        "   1: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 4294967296 0 1\n", /* uid */
        "   1: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 -1 0 1\n",
        "   1: 0100007F:0016 00000000:0000 0A 00 0:0 0 0 0 1\n",   /* queues */
        "   1: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 x\n",  /* inode */
        "   1: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 18446744073709551616\n",
        "   1: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0\n",    /* no inode */
        "   1: 0100007F:0016 00000000:0000 00 0:0 0:0 0 0 0 1\n",  /* state 0 */
        "   1: 0100007F:0016 00000000:0000 FF 0:0 0:0 0 0 0 1\n",  /* unknown state */
    };
    char text[1024];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, HEADER "%s" GOOD "%s", bad[i], bad[i]);
        if (count_of(text) != 1)
            fail_msg("line %zu: '%s'", i, bad[i]);
    }
    /* The good line itself, also without its newline and with CRLF. */
    struct ps_socket_list l = {0};
    const char *t = HEADER GOOD;
    assert_int_equal(ps_sockets_parse_proc(t, strlen(t) - 1, PS_PROTO_TCP, NULL, &l), 0);
    assert_int_equal(l.count, 1);
    sock_test_expect(&l, 4242, PS_PROTO_TCP, AF_INET, PS_SOCK_LISTEN, "127.0.0.1", 22, "*", 0);
    assert_int_equal(l.v[0].uid, 1000);
    ps_socket_list_clear(&l);
    assert_int_equal(count_of(HEADER "1: 0100007F:0016 00000000:0000 0A 0:0 0:0 0 0 0 7\r\n"), 1);
    /* Lower-case hex and the largest values still fit. */
    assert_int_equal(count_of(HEADER "1: 0100007f:ffff 00000000:0 0a ffffffff:ffffffff 0:0 0 "
                              "4294967295 0 18446744073709551615\n"), 1);
}

static void header(void **state)
{
    (void)state;
    struct ps_socket_list l = {0};
    assert_int_equal(ps_sockets_parse_proc("", 0, PS_PROTO_TCP, NULL, &l), PS_EPARSE);
    assert_int_equal(ps_sockets_parse_proc(NULL, 0, PS_PROTO_TCP, NULL, &l), PS_EPARSE);
    const char *t = GOOD;
    assert_int_equal(ps_sockets_parse_proc(t, strlen(t), PS_PROTO_TCP, NULL, &l), PS_EPARSE);
    t = HEADER;
    assert_int_equal(ps_sockets_parse_proc(t, strlen(t), PS_PROTO_TCP, NULL, &l), 0);
    /* "local_address" must be on the first line. */
    t = "\n" HEADER GOOD;
    assert_int_equal(ps_sockets_parse_proc(t, strlen(t), PS_PROTO_TCP, NULL, &l), PS_EPARSE);
    assert_int_equal(l.count, 0);
    assert_int_equal(ps_sockets_parse_proc(t, strlen(t), PS_PROTO_TCP, NULL, NULL), PS_EINVAL);
}

/* Every prefix of a recorded table: no crash, no read past the end (ASan),
 * and never more sockets than the whole text holds. */
static void truncated(void **state)
{
    (void)state;
    size_t len;
    char *text = sock_test_fixture("proc-net-udp6.txt", &len);
    for (size_t n = 0; n <= len; n++) {
        struct ps_socket_list l = {0};
        char *copy = malloc(n ? n : 1);
        memcpy(copy, text, n);
        int rc = ps_sockets_parse_proc(copy, n, PS_PROTO_UDP, NULL, &l);
        assert_true(rc == 0 || rc == PS_EPARSE);
        assert_true(l.count <= 2);
        free(copy);
        ps_socket_list_clear(&l);
    }
    free(text);
}

/* A fake proc root: ROOT/net/ with the tables a test copies in. */
struct fake_proc {
    char root[256];
};

static const char *const tables[] = {"tcp", "tcp6", "udp", "udp6"};

static void fake_path(const struct fake_proc *p, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/net/%s", p->root, name);
}

static int proc_setup(void **state)
{
    struct fake_proc *p = calloc(1, sizeof *p);
    const char *tmp = getenv("TMPDIR");
    char path[512];
    if (!p)
        return -1;
    snprintf(p->root, sizeof p->root, "%s/ps-test-sock-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(p->root))
        return -1;
    fake_path(p, "", path, sizeof path);
    if (mkdir(path, 0755) != 0)
        return -1;
    *state = p;
    return 0;
}

static int proc_teardown(void **state)
{
    struct fake_proc *p = *state;
    char path[512];
    for (size_t i = 0; i < 4; i++) {
        fake_path(p, tables[i], path, sizeof path);
        unlink(path);
    }
    fake_path(p, "", path, sizeof path);
    rmdir(path);
    int rc = rmdir(p->root);
    free(p);
    return rc;
}

static void fake_write(const struct fake_proc *p, const char *name, const char *text,
                       size_t len)
{
    char path[512];
    fake_path(p, name, path, sizeof path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void fake_copy(const struct fake_proc *p, const char *name)
{
    char fixture[64];
    size_t len;
    snprintf(fixture, sizeof fixture, "proc-net-%s.txt", name);
    char *text = sock_test_fixture(fixture, &len);
    fake_write(p, name, text, len);
    free(text);
}

static void dump_fake_root(void **state)
{
    sock_test_need_little_endian();
    struct fake_proc *p = *state;
    struct ps_test_log log;
    struct ps_socket_list l = {0};

    ps_test_log_init(&log);
    for (size_t i = 0; i < 4; i++)
        fake_copy(p, tables[i]);
    assert_int_equal(ps_sockets_dump_proc(NULL, p->root, &l, &log.logger), 0);
    assert_int_equal(l.count, 8);
    sock_test_expect(&l, 194496, PS_PROTO_UDP, AF_INET, PS_SOCK_CLOSE, "127.0.0.1", 47003, "*", 0);
    sock_test_expect(&l, 194495, PS_PROTO_TCP, AF_INET6, PS_SOCK_LISTEN, "::1", 47002, "*", 0);
    l.count = 0;

    /* Only what the query names is read. */
    struct ps_sock_query q = sock_test_all;
    q.protos = 1u << PS_PROTO_UDP;
    q.families = PS_SOCK_IPV6;
    assert_int_equal(ps_sockets_dump_proc(&q, p->root, &l, &log.logger), 0);
    assert_int_equal(l.count, 2);
    l.count = 0;

    /* No IPv6 tables (IPv6 disabled): the others still count. */
    char path[512];
    fake_path(p, "tcp6", path, sizeof path);
    unlink(path);
    fake_path(p, "udp6", path, sizeof path);
    unlink(path);
    assert_int_equal(ps_sockets_dump_proc(NULL, p->root, &l, &log.logger), 0);
    assert_int_equal(l.count, 5);
    l.count = 0;
    /* ...but a query for IPv6 alone finds no table at all. */
    assert_int_equal(ps_sockets_dump_proc(&q, p->root, &l, &log.logger), PS_EIO);

    /* A table without its header is not a socket table. */
    fake_write(p, "udp", GOOD, strlen(GOOD));
    assert_int_equal(ps_sockets_dump_proc(NULL, p->root, &l, &log.logger), PS_EIO);
    assert_true(log.warnings > 0);
    ps_socket_list_clear(&l);

    assert_int_equal(ps_sockets_dump_proc(NULL, "/nonexistent-proc", &l, NULL), PS_EIO);
    assert_int_equal(l.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recorded_tcp),
        cmocka_unit_test(recorded_other_tables),
        cmocka_unit_test(query_filters),
        cmocka_unit_test(malformed_lines),
        cmocka_unit_test(header),
        cmocka_unit_test(truncated),
        cmocka_unit_test_setup_teardown(dump_fake_root, proc_setup, proc_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
