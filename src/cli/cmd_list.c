/* portscope list: what listens here (and, with -a, what is connected), with
 * the service each port is registered for and the process that owns it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <jansson.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "portscope/owners.h"
#include "portscope/sockets.h"

static void list_usage(FILE *out)
{
    fputs("Usage: portscope list [-tulanp46] [--port N] [--proto P] [--user U] [--json]\n"
          "\n"
          "Lists the sockets of this host, as ss and netstat do: by default the\n"
          "listening TCP and UDP sockets (UDP: those not connected), with the\n"
          "service registered for each port and the process that owns it.\n"
          "\n"
          "Options:\n"
          "  -t, --tcp          TCP sockets (with -u: both; neither: both)\n"
          "  -u, --udp          UDP sockets\n"
          "  -l, --listening    listening sockets only (the default)\n"
          "  -a, --all          sockets in every state\n"
          "  -n, --numeric      no service names\n"
          "  -p, --processes    show owners; plain `list` does, but as with ss,\n"
          "                     other flags without -p skip the /proc walk\n"
          "  -4, -6             IPv4 or IPv6 only\n"
          "  --port N           sockets whose local or peer port is N\n"
          "  --proto P          tcp or udp\n"
          "  --user U           sockets owned by user U (name or uid)\n"
          "  --json             one JSON object per socket: proto, state,\n"
          "                     local_addr, local_port, peer_addr, peer_port,\n"
          "                     service, pid, process, user, netns, interface\n"
          "\n"
          "Without root, the owners of other users' sockets cannot be seen;\n"
          "portscope says so on stderr.\n", out);
}

struct list_opts {
    unsigned protos, families;
    bool all, numeric;
    bool owners;             /* -p given */
    bool selected;           /* any of -t -u -l -a -n -4 -6 given */
    long port;               /* -1: any */
    const char *user;
    uid_t uid;               /* resolved --user */
};

enum { OPT_PORT = 2000, OPT_PROTO, OPT_USER };

static const struct option list_longopts[] = {
    {"tcp", no_argument, NULL, 't'},
    {"udp", no_argument, NULL, 'u'},
    {"listening", no_argument, NULL, 'l'},
    {"all", no_argument, NULL, 'a'},
    {"numeric", no_argument, NULL, 'n'},
    {"processes", no_argument, NULL, 'p'},
    {"port", required_argument, NULL, OPT_PORT},
    {"proto", required_argument, NULL, OPT_PROTO},
    {"user", required_argument, NULL, OPT_USER},
    {0, 0, 0, 0},
};

static int resolve_user(struct cli *cli, const char *name, uid_t *uid)
{
    struct passwd pw, *res = NULL;
    char buf[4096];
    char *end;
    errno = 0;
    unsigned long v = strtoul(name, &end, 10);
    if (*name >= '0' && *name <= '9' && !*end) {
        if (errno == ERANGE || v >= UINT32_MAX) {
            cli_error(cli, "list: --user %s is not a valid uid", name);
            return EXIT_USAGE;
        }
        *uid = (uid_t)v;
        return 0;
    }
    if (getpwnam_r(name, &pw, buf, sizeof buf, &res) == 0 && res) {
        *uid = res->pw_uid;
        return 0;
    }
    cli_error(cli, "list: --user '%s' is not a user name or uid", name);
    return EXIT_USAGE;
}

static int list_option(struct cli *cli, void *ctx, int opt, const char *arg)
{
    struct list_opts *o = ctx;
    enum ps_proto proto;
    if (opt > 0 && opt < 128 && strchr("tulan46", opt))
        o->selected = true;
    switch (opt) {
    case 't': o->protos |= 1u << PS_PROTO_TCP; return 0;
    case 'u': o->protos |= 1u << PS_PROTO_UDP; return 0;
    case 'l': o->all = false; return 0;
    case 'a': o->all = true; return 0;
    case 'n': o->numeric = true; return 0;
    case 'p': o->owners = true; return 0;
    case '4': o->families |= PS_SOCK_IPV4; return 0;
    case '6': o->families |= PS_SOCK_IPV6; return 0;
    case OPT_PORT:
        return cli_number(cli, "list: --port", arg, 1, 65535, &o->port) ? EXIT_USAGE : 0;
    case OPT_PROTO:
        if (ps_proto_parse(arg, strlen(arg), &proto) || proto > PS_PROTO_UDP) {
            cli_error(cli, "list: --proto '%s' is not tcp or udp", arg);
            return EXIT_USAGE;
        }
        o->protos |= 1u << proto;
        return 0;
    case OPT_USER:
        o->user = arg;
        return resolve_user(cli, arg, &o->uid);
    default:
        return EXIT_USAGE;
    }
}

static const char *service_of(struct cli *cli, const struct ps_socket *s,
                              const struct list_opts *o)
{
    if (o->numeric || !cli->reg)
        return "";
    /* A listener is known by its local port. For a connection, the server
     * end is usually the lower port: the other side is ephemeral. */
    uint16_t port = s->state == PS_SOCK_LISTEN || s->peer_port == 0 ? s->local_port
                    : s->local_port < s->peer_port                  ? s->local_port
                                                                     : s->peer_port;
    const struct ps_service *svc = ps_port_service(cli->reg, s->proto, port);
    return svc ? svc->name : "";
}

static bool wanted(const struct ps_socket *s, const struct list_opts *o,
                   const struct ps_process *owner)
{
    if (o->port >= 0 && s->local_port != o->port && s->peer_port != o->port)
        return false;
    if (o->user && s->uid != o->uid && !(owner && owner->uid == o->uid))
        return false;
    return true;
}

static int emit_json(const struct ps_socket *s, const char *service,
                     const struct ps_process *p, const char *netns)
{
    char local[64], peer[64];
    ps_sock_addr_format(s->family, s->local, local, sizeof local);
    ps_sock_addr_format(s->family, s->peer, peer, sizeof peer);
    json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:i,s:s}",
        "proto", ps_proto_name(s->proto), "state", ps_sock_state_name(s->state, s->proto),
        "local_addr", local, "local_port", (json_int_t)s->local_port,
        "peer_addr", peer, "peer_port", (json_int_t)s->peer_port, "service", service);
    if (!o)
        return -1;
    json_object_set_new(o, "pid", p ? json_integer(p->pid) : json_null());
    char comm[80], user[160];
    const char *who = cli_user_of(p, s, user, sizeof user);
    json_object_set_new(o, "process", p ? json_string(cli_printable(p->comm, comm, sizeof comm))
                                        : json_null());
    json_object_set_new(o, "user", who ? json_string(who) : json_null());
    json_object_set_new(o, "netns", netns ? json_string(netns) : json_null());
    char ifbuf[24];
    const char *iface = cli_iface(s, ifbuf, sizeof ifbuf);
    json_object_set_new(o, "interface", iface ? json_string(iface) : json_null());
    int rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return rc || fputc('\n', stdout) == EOF ? -1 : 0;
}

static const char *const list_headers[] = {"PROTO", "STATE", "LOCAL", "PEER",
                                           "SERVICE", "PROCESS", "USER", "NETNS"};

static int emit_row(struct cli_table *t, const struct ps_socket *s,
                    const char *service, const struct ps_process *p, const char *ns)
{
    char local[80], peer[80], proc[64], user[160];
    cli_endpoint(s, true, local, sizeof local);
    cli_endpoint(s, false, peer, sizeof peer);
    char comm[80];
    if (p)
        snprintf(proc, sizeof proc, "%s/%d", cli_printable(p->comm, comm, sizeof comm), p->pid);
    const char *who = cli_user_of(p, s, user, sizeof user);
    const char *cells[8] = {ps_proto_name(s->proto), ps_sock_state_name(s->state, s->proto),
                            local, peer, service[0] ? service : "-", p ? proc : "-",
                            who ? who : "-", ns ? ns : "-"};
    return cli_table_add(t, cells);
}

static int print_sockets(struct cli *cli, const struct ps_socket_list *list,
                         const struct ps_owners *owners, const struct list_opts *o)
{
    /* The NETNS column only when sockets come from another namespace. */
    size_t cols = cli->netns_span_count ? 8 : 7;
    struct cli_table *t = cli->json ? NULL : cli_table_new(cols, list_headers);
    if (!cli->json && !t)
        return EXIT_FAILURE_;
    for (size_t i = 0; i < list->count; i++) {
        const struct ps_socket *s = &list->v[i];
        const struct ps_process *p = cli_owner_of(owners, s);
        if (!wanted(s, o, p))
            continue;
        const char *service = service_of(cli, s, o);
        const char *ns = cli_netns_of(cli, i);
        if (cli->json ? emit_json(s, service, p, ns) : emit_row(t, s, service, p, ns)) {
            cli_table_free(t);
            return EXIT_FAILURE_;
        }
    }
    int rc = t && cli_table_print(t, stdout, cli->color) ? EXIT_FAILURE_ : EXIT_OK;
    cli_table_free(t);
    return rc;
}

static int list_run(struct cli *cli, int argc, char **argv)
{
    struct list_opts o = {.port = -1};
    struct cli_parse p = {.cmd = &cmd_list, .shortopts = "tulanp46",
                          .longopts = list_longopts, .on_option = list_option, .ctx = &o};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    if (first < argc) {
        cli_error(cli, "list: unexpected argument '%s'", argv[first]);
        return EXIT_USAGE;
    }
    struct ps_sock_query q = {
        .protos = o.protos ? o.protos : (1u << PS_PROTO_TCP | 1u << PS_PROTO_UDP),
        .families = o.families ? o.families : (PS_SOCK_IPV4 | PS_SOCK_IPV6),
        /* UDP sockets that listen are the unconnected ones (CLOSE). */
        .states = o.all ? PS_SOCK_ALL_STATES
                        : (1u << PS_SOCK_LISTEN | 1u << PS_SOCK_CLOSE)};
    if (!o.numeric && (status = cli_load_registry(cli)))
        return status;
    struct ps_socket_list list = {0};
    struct ps_owners *owners;
    /* As ss: flags without -p list no owners (the /proc walk is most of the
     * time on a busy host); plain `list` shows them. */
    bool owners_wanted = o.owners || !o.selected;
    if ((status = cli_read_sockets(cli, &q, &list, &owners, owners_wanted)))
        return status;
    status = print_sockets(cli, &list, owners, &o);
    ps_owners_free(owners);
    ps_socket_list_clear(&list);
    return cli_finish_output(cli, status);
}

const struct cli_command cmd_list = {
    .name = "list",
    .summary = "what listens here and who owns it (like ss -tulpn)",
    .run = list_run,
    .usage = list_usage,
};
