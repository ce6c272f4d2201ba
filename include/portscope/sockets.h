/* Sockets on this host: what listens and what is connected, read from the
 * kernel through netlink sock_diag (inet_diag), with /proc/net as a
 * fallback, and the processes that own them. */
#ifndef PORTSCOPE_SOCKETS_H
#define PORTSCOPE_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portscope/log.h"
#include "portscope/registry.h"

/* Kernel TCP states (include/net/tcp_states.h); UDP sockets report
 * PS_SOCK_CLOSE when unconnected and PS_SOCK_ESTABLISHED when connected. */
enum ps_sock_state {
    PS_SOCK_ESTABLISHED = 1,
    PS_SOCK_SYN_SENT,
    PS_SOCK_SYN_RECV,
    PS_SOCK_FIN_WAIT1,
    PS_SOCK_FIN_WAIT2,
    PS_SOCK_TIME_WAIT,
    PS_SOCK_CLOSE,
    PS_SOCK_CLOSE_WAIT,
    PS_SOCK_LAST_ACK,
    PS_SOCK_LISTEN,
    PS_SOCK_CLOSING,
    PS_SOCK_NEW_SYN_RECV,
    PS_SOCK_STATE_MAX,
};

struct ps_socket {
    enum ps_proto proto;      /* PS_PROTO_TCP or PS_PROTO_UDP */
    int family;               /* AF_INET or AF_INET6 */
    enum ps_sock_state state;
    uint8_t local[16];        /* address in network order; IPv4 uses 4 bytes */
    uint8_t peer[16];
    uint16_t local_port;      /* host order */
    uint16_t peer_port;
    uint32_t ifindex;         /* bound interface (SO_BINDTODEVICE, or an
                                 IPv6 link-local scope), 0 for none */
    char ifname[16];          /* its name (IF_NAMESIZE), looked up by
                                 ps_sockets_dump() in the socket's own
                                 namespace; "" if none or unknown */
    bool if_loopback;         /* that interface is a loopback device */
    uint32_t uid;
    uint64_t inode;           /* 0 for sockets with no file (TIME_WAIT) */
    uint32_t rqueue, wqueue;  /* receive/send queue, or accept backlog */
};

/* What to dump: bit sets over protocols, families and states. */
struct ps_sock_query {
    unsigned protos;          /* 1u << PS_PROTO_TCP | 1u << PS_PROTO_UDP */
    unsigned families;        /* PS_SOCK_IPV4 | PS_SOCK_IPV6 */
    uint32_t states;          /* 1u << state; PS_SOCK_ALL_STATES for all */
};
#define PS_SOCK_IPV4 1u
#define PS_SOCK_IPV6 2u
#define PS_SOCK_ALL_STATES 0xfffu

/* A growable array of sockets. Free with ps_socket_list_clear(). */
struct ps_socket_list {
    struct ps_socket *v;
    size_t count, cap;
};
void ps_socket_list_clear(struct ps_socket_list *list);

/* Appends the sockets of the current network namespace that match q.
 * Uses netlink sock_diag; when that is unavailable (no NETLINK_SOCK_DIAG,
 * EPERM in a sandbox), reads proc_root/net/{tcp,tcp6,udp,udp6} instead and
 * logs that it did (those tables do not say which sockets are bound to an
 * interface). A socket bound to an interface gets its name and loopback
 * flag, looked up here because an interface index means nothing in
 * another namespace. Returns 0, PS_EIO, PS_EACCES or PS_ENOMEM. */
int ps_sockets_dump(const struct ps_sock_query *q, const char *proc_root,
                    struct ps_socket_list *out, const struct ps_logger *log);

/* As ps_sockets_dump(), reading /proc/net only (the fallback). */
int ps_sockets_dump_proc(const struct ps_sock_query *q, const char *proc_root,
                         struct ps_socket_list *out, const struct ps_logger *log);

/* Parses a buffer of netlink messages (struct nlmsghdr ..., as a
 * SOCK_DIAG_BY_FAMILY dump returns them) for protocol proto, appending each
 * inet_diag_msg that matches q. Stops at NLMSG_DONE. Returns 0 or 1 (done),
 * PS_EPARSE for a malformed message, PS_EIO for an NLMSG_ERROR, or
 * PS_ENOMEM. Never reads outside buf. */
int ps_sockets_parse_diag(const void *buf, size_t len, enum ps_proto proto,
                          const struct ps_sock_query *q,
                          struct ps_socket_list *out);

/* Parses the text of /proc/net/tcp, tcp6, udp or udp6 (family from the
 * address width). Malformed lines are skipped. Returns 0, PS_EPARSE when
 * the header is missing, or PS_ENOMEM. */
int ps_sockets_parse_proc(const char *text, size_t len, enum ps_proto proto,
                          const struct ps_sock_query *q,
                          struct ps_socket_list *out);

/* "LISTEN", "ESTAB", "UNCONN"... as ss prints them (UDP CLOSE is UNCONN). */
const char *ps_sock_state_name(enum ps_sock_state state, enum ps_proto proto);

/* Formats an address of a socket ("127.0.0.1", "::1", "*" for any). buf
 * must hold at least 48 bytes. Returns buf. */
char *ps_sock_addr_format(int family, const uint8_t *addr, char *buf, size_t len);

#endif
