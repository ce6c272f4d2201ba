/* Helpers shared by the socket-listing files (src/sockets/); never
 * installed. Named sock_internal.h so the owners code in the same folder
 * can keep its own internal header. */
#ifndef PS_SOCKETS_INTERNAL_H
#define PS_SOCKETS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portscope/sockets.h"

/* What a NULL query means: TCP and UDP, both families, every state. */
extern const struct ps_sock_query ps__sock_query_all;

/* True when q asks for (proto, family, state). States outside the enum
 * never match, so a malformed state cannot shift past the mask's width. */
bool ps__sock_query_match(const struct ps_sock_query *q, enum ps_proto proto,
                          int family, unsigned state);

/* A zeroed slot at the end of list, or NULL when memory runs out (list is
 * then unchanged). The array doubles, so n pushes cost O(n) copying. */
struct ps_socket *ps__socket_list_push(struct ps_socket_list *list);

/* Fills ifname and if_loopback of the sockets list->v[from ..] that are
 * bound to an interface, looked up in the current network namespace. A
 * lookup that fails leaves ifname "". */
void ps__sockets_name_ifaces(struct ps_socket_list *list, size_t from);

/* What a netlink buffer said besides its sockets, for the live dump. */
struct ps__diag_status {
    int error;          /* errno from NLMSG_ERROR or a failed NLMSG_DONE */
    bool interrupted;   /* NLM_F_DUMP_INTR: the table changed mid-dump */
};

/* ps_sockets_parse_diag() plus the status above (st may be NULL). */
int ps__sockets_parse_diag(const void *buf, size_t len, enum ps_proto proto,
                           const struct ps_sock_query *q,
                           struct ps_socket_list *out, struct ps__diag_status *st);

#endif
