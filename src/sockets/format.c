/* Names, address text and the socket list: the small pieces every socket
 * source and every caller shares. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sockets/sock_internal.h"

const struct ps_sock_query ps__sock_query_all = {
    .protos = 1u << PS_PROTO_TCP | 1u << PS_PROTO_UDP,
    .families = PS_SOCK_IPV4 | PS_SOCK_IPV6,
    .states = PS_SOCK_ALL_STATES,
};

bool ps__sock_query_match(const struct ps_sock_query *q, enum ps_proto proto,
                          int family, unsigned state)
{
    unsigned fam = family == AF_INET ? PS_SOCK_IPV4
                 : family == AF_INET6 ? PS_SOCK_IPV6 : 0;

    if (!q)
        q = &ps__sock_query_all;
    if (state == 0 || state >= PS_SOCK_STATE_MAX || (unsigned)proto >= 32)
        return false;
    return (q->protos & 1u << proto) && (q->families & fam) &&
           (q->states & 1u << state);
}

struct ps_socket *ps__socket_list_push(struct ps_socket_list *list)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 256;
        if (cap > SIZE_MAX / sizeof *list->v)
            return NULL;
        struct ps_socket *v = realloc(list->v, cap * sizeof *v);
        if (!v)
            return NULL;
        list->v = v;
        list->cap = cap;
    }
    struct ps_socket *s = &list->v[list->count++];
    memset(s, 0, sizeof *s);
    return s;
}

void ps_socket_list_clear(struct ps_socket_list *list)
{
    if (!list)
        return;
    free(list->v);
    list->v = NULL;
    list->count = list->cap = 0;
}

/* Indexed by enum ps_sock_state; the spelling is ss(8)'s. */
static const char *const state_names[PS_SOCK_STATE_MAX] = {
    [PS_SOCK_ESTABLISHED] = "ESTAB",
    [PS_SOCK_SYN_SENT] = "SYN-SENT",
    [PS_SOCK_SYN_RECV] = "SYN-RECV",
    [PS_SOCK_FIN_WAIT1] = "FIN-WAIT-1",
    [PS_SOCK_FIN_WAIT2] = "FIN-WAIT-2",
    [PS_SOCK_TIME_WAIT] = "TIME-WAIT",
    [PS_SOCK_CLOSE] = "CLOSE",
    [PS_SOCK_CLOSE_WAIT] = "CLOSE-WAIT",
    [PS_SOCK_LAST_ACK] = "LAST-ACK",
    [PS_SOCK_LISTEN] = "LISTEN",
    [PS_SOCK_CLOSING] = "CLOSING",
    [PS_SOCK_NEW_SYN_RECV] = "NEW-SYN-RECV",
};

const char *ps_sock_state_name(enum ps_sock_state state, enum ps_proto proto)
{
    /* An unconnected UDP socket is "closed" only in the kernel's terms. */
    if (state == PS_SOCK_CLOSE && proto == PS_PROTO_UDP)
        return "UNCONN";
    if ((unsigned)state >= PS_SOCK_STATE_MAX || !state_names[state])
        return "UNKNOWN";
    return state_names[state];
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

char *ps_sock_addr_format(int family, const uint8_t *addr, char *buf, size_t len)
{
    size_t width = family == AF_INET6 ? 16 : 4;
    const char *text = NULL;

    if (!buf || len == 0)
        return buf;
    if (!addr || (family != AF_INET && family != AF_INET6))
        text = "?";
    else if (all_zero(addr, width))
        text = "*";
    else if (inet_ntop(family, addr, buf, (socklen_t)(len > 64 ? 64 : len)))
        return buf;
    else
        text = "?"; /* buf too small for this address */
    size_t n = strlen(text);
    if (n >= len)
        n = len - 1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    return buf;
}
