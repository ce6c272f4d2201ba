/* Helpers shared by the socket tests (public API only). */
#ifndef PS_SOCK_TEST_H
#define PS_SOCK_TEST_H

#include "ps_test.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "portscope/sockets.h"

static const struct ps_sock_query sock_test_all = {
    .protos = 1u << PS_PROTO_TCP | 1u << PS_PROTO_UDP,
    .families = PS_SOCK_IPV4 | PS_SOCK_IPV6,
    .states = PS_SOCK_ALL_STATES,
};

/* The recordings under tests/data/sockets/ came from a little-endian
 * machine; their netlink headers and /proc words are in its byte order. */
static inline void sock_test_need_little_endian(void)
{
    const uint16_t one = 1;
    if (*(const uint8_t *)&one != 1)
        skip();
}

/* A whole file of tests/data/sockets/, malloc'd; fails the test if absent. */
static inline char *sock_test_fixture(const char *name, size_t *len)
{
    char rel[256], path[1024];
    snprintf(rel, sizeof rel, "sockets/%s", name);
    char *data = ps_test_read_file(ps_test_data_path(rel, path, sizeof path), len);
    if (!data)
        fail_msg("cannot read %s", path);
    return data;
}

/* The socket with this inode, or NULL. */
static inline const struct ps_socket *sock_test_by_inode(const struct ps_socket_list *l,
                                                         uint64_t inode)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->v[i].inode == inode)
            return &l->v[i];
    return NULL;
}

/* Asserts the text of an address, e.g. "127.0.0.1", "::1" or "*". */
static inline void sock_test_addr(int family, const uint8_t *addr, const char *want)
{
    char buf[64];
    assert_string_equal(ps_sock_addr_format(family, addr, buf, sizeof buf), want);
}

/* Asserts the main fields of the socket with inode. */
static inline const struct ps_socket *
sock_test_expect(const struct ps_socket_list *l, uint64_t inode, enum ps_proto proto,
                 int family, enum ps_sock_state state, const char *local,
                 unsigned lport, const char *peer, unsigned pport)
{
    const struct ps_socket *s = sock_test_by_inode(l, inode);
    if (!s)
        fail_msg("no socket with inode %llu", (unsigned long long)inode);
    assert_int_equal(s->proto, proto);
    assert_int_equal(s->family, family);
    assert_int_equal(s->state, state);
    sock_test_addr(family, s->local, local);
    assert_int_equal(s->local_port, lport);
    sock_test_addr(family, s->peer, peer);
    assert_int_equal(s->peer_port, pport);
    return s;
}

#endif
