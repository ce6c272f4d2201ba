/* Checks shared by the socket-table fuzz targets (public API only). */
#ifndef PS_FUZZ_SOCK_COMMON_H
#define PS_FUZZ_SOCK_COMMON_H

#include <sys/socket.h>

#include "fuzz_common.h"
#include "portscope/sockets.h"

/* A query picked from a byte, so every filter path runs. */
static inline struct ps_sock_query fuzz_sock_query(unsigned char b)
{
    static const uint32_t states[4] = {
        PS_SOCK_ALL_STATES, 1u << PS_SOCK_LISTEN,
        1u << PS_SOCK_ESTABLISHED | 1u << PS_SOCK_CLOSE, 0};
    struct ps_sock_query q = {
        .protos = (b & 1 ? 1u << PS_PROTO_TCP : 0) | (b & 2 ? 1u << PS_PROTO_UDP : 0),
        .families = (b >> 2) & 3u,
        .states = states[(b >> 4) & 3],
    };
    return q;
}

/* Every record the parser appended obeys struct ps_socket and the query. */
static inline void fuzz_check_sockets(const struct ps_socket_list *l, size_t from,
                                      enum ps_proto proto, const struct ps_sock_query *q)
{
    char buf[48];

    FUZZ_CHECK(l->count <= l->cap && (l->cap == 0 || l->v));
    for (size_t i = from; i < l->count; i++) {
        const struct ps_socket *s = &l->v[i];
        unsigned fam = s->family == AF_INET ? PS_SOCK_IPV4 : PS_SOCK_IPV6;
        FUZZ_CHECK(s->proto == proto);
        FUZZ_CHECK(s->family == AF_INET || s->family == AF_INET6);
        FUZZ_CHECK(s->state > 0 && s->state < PS_SOCK_STATE_MAX);
        FUZZ_CHECK(!q || ((q->protos & 1u << proto) && (q->families & fam) &&
                          (q->states & 1u << s->state)));
        if (s->family == AF_INET)
            for (int k = 4; k < 16; k++)
                FUZZ_CHECK(s->local[k] == 0 && s->peer[k] == 0);
        FUZZ_CHECK(strlen(ps_sock_addr_format(s->family, s->local, buf, sizeof buf)) < 48);
        FUZZ_CHECK(strlen(ps_sock_addr_format(s->family, s->peer, buf, sizeof buf)) < 48);
        FUZZ_CHECK(ps_sock_state_name(s->state, s->proto) != NULL);
    }
}

#endif
