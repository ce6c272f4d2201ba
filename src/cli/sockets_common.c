/* What list, who and audit share: reading the socket table and owners. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/cli.h"

int cli_read_sockets(struct cli *cli, const struct ps_sock_query *q,
                     struct ps_socket_list *list, struct ps_owners **owners)
{
    int rc = ps_sockets_dump(q, cli->proc_root, list, &cli->log);
    if (rc) {
        cli_error(cli, "cannot read the socket table: %s", ps_strerror(rc));
        ps_socket_list_clear(list);
        return EXIT_FAILURE_;
    }
    *owners = NULL;
    if (ps_owners_scan(cli->proc_root, owners, &cli->log) == 0 && ps_owners_hidden(*owners))
        cli_warn(cli, "%zu processes of other users could not be inspected, so the "
                 "owners of their sockets are not shown; run as root to see them",
                 ps_owners_hidden(*owners));
    return EXIT_OK;
}

const struct ps_process *cli_owner_of(const struct ps_owners *owners,
                                      const struct ps_socket *s)
{
    const struct ps_process *p = NULL;
    if (owners && s->inode)
        ps_owners_find(owners, s->inode, &p, 1);
    return p;
}

void cli_endpoint(const struct ps_socket *s, bool local, char *buf, size_t len)
{
    char a[64];
    const uint8_t *addr = local ? s->local : s->peer;
    unsigned port = local ? s->local_port : s->peer_port;
    ps_sock_addr_format(s->family, addr, a, sizeof a);
    bool v6 = s->family == AF_INET6 && strcmp(a, "*") != 0;
    if (port == 0 && strcmp(a, "*") == 0)
        snprintf(buf, len, "*:*");
    else
        snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", a, port);
}
