/* ps_sockets_parse_diag() on sock_diag datagrams recorded on a real kernel
 * (tests/data/sockets/README.txt says what was open) and on hand-made
 * malformed ones. */
#include "sock_test.h"

#include <errno.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

static int parse_file(const char *name, enum ps_proto proto,
                      const struct ps_sock_query *q, struct ps_socket_list *l)
{
    size_t len;
    char *data = sock_test_fixture(name, &len);
    int rc = ps_sockets_parse_diag(data, len, proto, q, l);
    free(data);
    return rc;
}

static void recorded_tcp4(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    struct ps_socket_list l = {0};
    assert_int_equal(parse_file("diag-tcp4.0.bin", PS_PROTO_TCP, &sock_test_all, &l), 0);
    assert_int_equal(l.count, 4);
    const struct ps_socket *s;
    s = sock_test_expect(&l, 1678, PS_PROTO_TCP, AF_INET, PS_SOCK_LISTEN, "*", 2024, "*", 0);
    assert_int_equal(s->wqueue, 128); /* the listen backlog */
    s = sock_test_expect(&l, 194494, PS_PROTO_TCP, AF_INET, PS_SOCK_LISTEN,
                         "127.0.0.1", 47001, "*", 0);
    assert_int_equal(s->wqueue, 16);
    assert_int_equal(s->uid, 0);
    assert_int_equal(s->ifindex, 0);
    sock_test_expect(&l, 194498, PS_PROTO_TCP, AF_INET, PS_SOCK_ESTABLISHED,
                     "127.0.0.1", 49298, "127.0.0.1", 47001);
    s = sock_test_expect(&l, 194499, PS_PROTO_TCP, AF_INET, PS_SOCK_ESTABLISHED,
                         "127.0.0.1", 47001, "127.0.0.1", 49298);
    assert_int_equal(s->rqueue, 5);
    /* IPv4 fills 4 bytes; the rest stays zero. */
    for (int i = 4; i < 16; i++)
        assert_int_equal(s->local[i] | s->peer[i], 0);
    ps_socket_list_clear(&l);
}

static void recorded_other_tables(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    struct ps_socket_list l = {0};
    assert_int_equal(parse_file("diag-tcp6.0.bin", PS_PROTO_TCP, &sock_test_all, &l), 0);
    assert_int_equal(parse_file("diag-udp4.0.bin", PS_PROTO_UDP, &sock_test_all, &l), 0);
    assert_int_equal(parse_file("diag-udp6.0.bin", PS_PROTO_UDP, &sock_test_all, &l), 0);
    assert_int_equal(l.count, 4);
    sock_test_expect(&l, 194495, PS_PROTO_TCP, AF_INET6, PS_SOCK_LISTEN, "::1", 47002, "*", 0);
    const struct ps_socket *s = sock_test_expect(&l, 194496, PS_PROTO_UDP, AF_INET,
                                                 PS_SOCK_CLOSE, "127.0.0.1", 47003, "*", 0);
    assert_int_equal(s->ifindex, 1); /* SO_BINDTODEVICE lo */
    sock_test_expect(&l, 194497, PS_PROTO_UDP, AF_INET6, PS_SOCK_CLOSE, "::1", 47004, "*", 0);
    sock_test_expect(&l, 194500, PS_PROTO_UDP, AF_INET6, PS_SOCK_ESTABLISHED,
                     "::1", 60598, "::1", 47004);
    ps_socket_list_clear(&l);
}

static void recorded_done(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    static const char *const names[] = {"diag-tcp4.1.bin", "diag-tcp6.1.bin",
                                        "diag-udp4.1.bin", "diag-udp6.1.bin"};
    struct ps_socket_list l = {0};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(parse_file(names[i], PS_PROTO_TCP, &sock_test_all, &l), 1);
    assert_int_equal(l.count, 0);

    /* Both datagrams back to back: the sockets, then done. */
    size_t a, b;
    char *d0 = sock_test_fixture("diag-tcp4.0.bin", &a);
    char *d1 = sock_test_fixture("diag-tcp4.1.bin", &b);
    char *both = malloc(a + b);
    memcpy(both, d0, a);
    memcpy(both + a, d1, b);
    assert_int_equal(ps_sockets_parse_diag(both, a + b, PS_PROTO_TCP, NULL, &l), 1);
    assert_int_equal(l.count, 4);
    free(both);
    free(d0);
    free(d1);
    ps_socket_list_clear(&l);
}

static void query_filters(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    struct ps_socket_list l = {0};
    struct ps_sock_query q = sock_test_all;

    q.states = 1u << PS_SOCK_LISTEN;
    assert_int_equal(parse_file("diag-tcp4.0.bin", PS_PROTO_TCP, &q, &l), 0);
    assert_int_equal(l.count, 2);
    q = sock_test_all;
    q.families = PS_SOCK_IPV6;
    assert_int_equal(parse_file("diag-tcp4.0.bin", PS_PROTO_TCP, &q, &l), 0);
    assert_int_equal(l.count, 2);
    q = sock_test_all;
    q.protos = 1u << PS_PROTO_UDP;
    assert_int_equal(parse_file("diag-tcp4.0.bin", PS_PROTO_TCP, &q, &l), 0);
    assert_int_equal(l.count, 2);
    assert_int_equal(parse_file("diag-udp6.0.bin", PS_PROTO_UDP, &q, &l), 0);
    assert_int_equal(l.count, 4);
    ps_socket_list_clear(&l);
}

/* Every prefix of a recorded datagram: whole messages parse, a cut one is
 * PS_EPARSE, and nothing is read past the end (ASan checks that). */
static void truncated(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    size_t len;
    char *data = sock_test_fixture("diag-tcp4.0.bin", &len);
    const size_t msg = 124; /* each of the four messages, as recorded */
    assert_int_equal(len, 4 * msg);
    for (size_t n = 0; n <= len; n++) {
        struct ps_socket_list l = {0};
        char *copy = malloc(n ? n : 1);
        memcpy(copy, data, n);
        int rc = ps_sockets_parse_diag(copy, n, PS_PROTO_TCP, NULL, &l);
        if (n % msg == 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(l.count, n / msg);
        } else {
            assert_int_equal(rc, PS_EPARSE);
        }
        free(copy);
        ps_socket_list_clear(&l);
    }
    free(data);
}

/* The parser copies headers out, so any alignment of the buffer works. */
static void unaligned(void **state)
{
    (void)state;
    sock_test_need_little_endian();
    size_t len;
    char *data = sock_test_fixture("diag-udp6.0.bin", &len);
    char *buf = malloc(len + 3);
    for (size_t shift = 1; shift < 4; shift++) {
        struct ps_socket_list l = {0};
        memcpy(buf + shift, data, len);
        assert_int_equal(ps_sockets_parse_diag(buf + shift, len, PS_PROTO_UDP, NULL, &l), 0);
        assert_int_equal(l.count, 2);
        ps_socket_list_clear(&l);
    }
    free(buf);
    free(data);
}

/* Hand-made messages, in host byte order. */
struct nlbuf {
    _Alignas(8) unsigned char b[1024];
    size_t len;
};

static void put(struct nlbuf *m, uint32_t nlmsg_len, uint16_t type,
                const void *payload, size_t plen)
{
    struct nlmsghdr h = {.nlmsg_len = nlmsg_len, .nlmsg_type = type,
                         .nlmsg_flags = NLM_F_MULTI};
    memcpy(m->b + m->len, &h, sizeof h);
    if (plen)
        memcpy(m->b + m->len + NLMSG_HDRLEN, payload, plen);
    m->len += NLMSG_ALIGN(NLMSG_HDRLEN + plen);
}

static void put_socket(struct nlbuf *m, uint8_t family, uint8_t st, uint16_t port)
{
    struct inet_diag_msg d = {.idiag_family = family, .idiag_state = st,
                              .idiag_inode = 77};
    d.id.idiag_sport = htons(port);
    put(m, NLMSG_HDRLEN + sizeof d, SOCK_DIAG_BY_FAMILY, &d, sizeof d);
}

static int parse(const struct nlbuf *m, struct ps_socket_list *l)
{
    return ps_sockets_parse_diag(m->b, m->len, PS_PROTO_TCP, NULL, l);
}

static void errors_and_done(void **state)
{
    (void)state;
    struct ps_socket_list l = {0};
    struct nlbuf m = {0};
    int err = -EPERM;

    put_socket(&m, AF_INET, PS_SOCK_LISTEN, 80);
    put(&m, NLMSG_HDRLEN + sizeof err, NLMSG_ERROR, &err, sizeof err);
    assert_int_equal(parse(&m, &l), PS_EIO);
    assert_int_equal(l.count, 1); /* what came before the error stays */
    l.count = 0;

    /* An error code of 0 is an acknowledgement. */
    m.len = 0;
    err = 0;
    put(&m, NLMSG_HDRLEN + sizeof err, NLMSG_ERROR, &err, sizeof err);
    put_socket(&m, AF_INET6, PS_SOCK_LISTEN, 443);
    assert_int_equal(parse(&m, &l), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.v[0].local_port, 443);
    l.count = 0;

    /* A corrupt code must not overflow when turned into an errno. */
    m.len = 0;
    err = INT_MIN;
    put(&m, NLMSG_HDRLEN + sizeof err, NLMSG_ERROR, &err, sizeof err);
    assert_int_equal(parse(&m, &l), PS_EIO);
    m.len = 0;
    put(&m, NLMSG_HDRLEN + sizeof err, NLMSG_DONE, &err, sizeof err);
    assert_int_equal(parse(&m, &l), PS_EIO);

    /* NLMSG_ERROR too short to hold its code. */
    m.len = 0;
    put(&m, NLMSG_HDRLEN + 2, NLMSG_ERROR, &err, 2);
    assert_int_equal(parse(&m, &l), PS_EPARSE);

    /* NLMSG_DONE carrying a failure, and an old kernel's empty one. */
    m.len = 0;
    err = -EINTR;
    put(&m, NLMSG_HDRLEN + sizeof err, NLMSG_DONE, &err, sizeof err);
    assert_int_equal(parse(&m, &l), PS_EIO);
    m.len = 0;
    put(&m, NLMSG_HDRLEN, NLMSG_DONE, NULL, 0);
    put_socket(&m, AF_INET, PS_SOCK_LISTEN, 22); /* after done: not read */
    assert_int_equal(parse(&m, &l), 1);
    assert_int_equal(l.count, 0);
    ps_socket_list_clear(&l);
}

static void malformed(void **state)
{
    (void)state;
    struct ps_socket_list l = {0};
    struct nlbuf m = {0};
    unsigned char zero[64] = {0};

    put(&m, 8, SOCK_DIAG_BY_FAMILY, zero, 0); /* shorter than its header */
    assert_int_equal(parse(&m, &l), PS_EPARSE);
    m.len = 0;
    put(&m, 0xfffffffcu, SOCK_DIAG_BY_FAMILY, zero, 0); /* longer than the buffer */
    assert_int_equal(parse(&m, &l), PS_EPARSE);
    m.len = 0;
    put(&m, NLMSG_HDRLEN + 40, SOCK_DIAG_BY_FAMILY, zero, 40); /* short inet_diag_msg */
    assert_int_equal(parse(&m, &l), PS_EPARSE);
    assert_int_equal(ps_sockets_parse_diag(zero, 10, PS_PROTO_TCP, NULL, &l), PS_EPARSE);
    assert_int_equal(l.count, 0);

    /* Unknown message types, families and states are skipped, not fatal. */
    m.len = 0;
    put(&m, NLMSG_HDRLEN + 4, 0x99, zero, 4);
    put_socket(&m, AF_UNIX, PS_SOCK_LISTEN, 1);
    put_socket(&m, AF_INET, 0, 2);
    put_socket(&m, AF_INET, PS_SOCK_STATE_MAX, 3);
    put_socket(&m, AF_INET, 200, 4);
    put_socket(&m, AF_INET, PS_SOCK_TIME_WAIT, 5);
    assert_int_equal(parse(&m, &l), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.v[0].local_port, 5);

    assert_int_equal(ps_sockets_parse_diag(NULL, 0, PS_PROTO_TCP, NULL, &l), 0);
    assert_int_equal(ps_sockets_parse_diag(zero, 0, PS_PROTO_TCP, NULL, NULL), PS_EINVAL);
    ps_socket_list_clear(&l);
    ps_socket_list_clear(&l); /* twice is harmless */
    ps_socket_list_clear(NULL);
}

/* The list grows past its first allocation without losing entries. */
static void many(void **state)
{
    (void)state;
    struct ps_socket_list l = {0};
    struct nlbuf m = {0};
    put_socket(&m, AF_INET, PS_SOCK_LISTEN, 1000);
    for (unsigned i = 0; i < 5000; i++)
        assert_int_equal(parse(&m, &l), 0);
    assert_int_equal(l.count, 5000);
    assert_true(l.cap >= l.count);
    assert_int_equal(l.v[4999].local_port, 1000);
    assert_int_equal(l.v[4999].inode, 77);
    ps_socket_list_clear(&l);
    assert_null(l.v);
    assert_int_equal(l.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recorded_tcp4),
        cmocka_unit_test(recorded_other_tables),
        cmocka_unit_test(recorded_done),
        cmocka_unit_test(query_filters),
        cmocka_unit_test(truncated),
        cmocka_unit_test(unaligned),
        cmocka_unit_test(errors_and_done),
        cmocka_unit_test(malformed),
        cmocka_unit_test(many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
