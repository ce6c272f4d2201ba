/* portscope who PORT[/PROTO]: which processes use a port, like lsof -i and
 * fuser, with their command line, unit and how long they have run. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static void who_usage(FILE *out)
{
    fputs("Usage: portscope who [--json] PORT[/PROTO]|NAME\n"
          "\n"
          "Shows who uses a port: every TCP or UDP socket whose local or peer\n"
          "port it is, in any state, with the owning process: pid, user,\n"
          "command line, systemd unit or container, and since when it runs.\n"
          "NAME is a service name (ssh), meaning its registered ports.\n"
          "\n"
          "Options:\n"
          "  --json   one JSON object per socket: proto, state, local_addr,\n"
          "           local_port, peer_addr, peer_port, pid, process, user,\n"
          "           cmdline, unit, container, started (seconds since the epoch),\n"
          "           netns (with --netns or --all-netns), interface (bound\n"
          "           with SO_BINDTODEVICE, else null)\n"
          "\n"
          "Exit status: 0 something uses the port; 1 nothing does; 2 usage error.\n",
          out);
}

#define MAX_PORTS 32

struct target {
    unsigned ports[MAX_PORTS];
    enum ps_proto protos[MAX_PORTS];
    size_t n;
};

static bool matches(const struct target *t, const struct ps_socket *s)
{
    for (size_t i = 0; i < t->n; i++)
        if ((t->protos[i] == PS_PROTO_ANY || t->protos[i] == s->proto) && t->ports[i] &&
            (s->local_port == t->ports[i] || s->peer_port == t->ports[i]))
            return true;
    return false;
}

/* A port key gives its port; a name gives the ports registered for it. */
static int resolve(struct cli *cli, const char *text, struct target *t)
{
    struct ps_key key;
    char err[160];
    if (ps_key_parse(text, &key, err, sizeof err)) {
        cli_error(cli, "who: '%s': %s", text, err);
        return EXIT_USAGE;
    }
    if (key.kind == PS_KEY_PORT) {
        if (key.port == 0) {
            cli_error(cli, "who: port 0 is not a port anything can use");
            return EXIT_USAGE;
        }
        if (key.port != key.port_end) {
            cli_error(cli, "who: '%s': give one port, not a range", text);
            return EXIT_USAGE;
        }
        t->ports[0] = key.port;
        t->protos[0] = key.proto;
        t->n = 1;
        return EXIT_OK;
    }
    int status = cli_load_registry(cli);
    if (status)
        return status;
    const struct ps_service *recs[MAX_PORTS];
    size_t n = ps_registry_find_name(cli->reg, key.name, key.proto, recs, MAX_PORTS);
    for (size_t i = 0; i < n && i < MAX_PORTS; i++) {
        t->ports[t->n] = recs[i]->port;
        t->protos[t->n++] = recs[i]->proto;
    }
    if (t->n == 0) {
        cli_error(cli, "who: '%s' is not a port or a known service name", text);
        return key.suspect ? EXIT_USAGE : EXIT_NOMATCH;
    }
    return EXIT_OK;
}

static int print_json(const struct ps_socket *s, const struct ps_process *p,
                      const char *netns)
{
    char local[64], peer[64];
    ps_sock_addr_format(s->family, s->local, local, sizeof local);
    ps_sock_addr_format(s->family, s->peer, peer, sizeof peer);
    json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:i}", "proto", ps_proto_name(s->proto),
        "state", ps_sock_state_name(s->state, s->proto), "local_addr", local,
        "local_port", (json_int_t)s->local_port, "peer_addr", peer,
        "peer_port", (json_int_t)s->peer_port);
    if (!o)
        return -1;
    json_object_set_new(o, "pid", p ? json_integer(p->pid) : json_null());
    char b[4][4096];
    json_object_set_new(o, "process", p ? json_string(cli_printable(p->comm, b[0], 80)) : json_null());
    const char *who = cli_user_of(p, s, b[1], 160);
    json_object_set_new(o, "user", who ? json_string(who) : json_null());
    json_object_set_new(o, "cmdline", p ? json_string(cli_printable(p->cmdline, b[2], sizeof b[2]))
                                        : json_null());
    json_object_set_new(o, "unit", p ? json_string(cli_printable(p->unit, b[3], 400)) : json_null());
    json_object_set_new(o, "container", p ? json_string(p->container) : json_null());
    json_object_set_new(o, "started", p && p->start_time >= 0
                                          ? json_integer(p->start_time) : json_null());
    json_object_set_new(o, "netns", netns ? json_string(netns) : json_null());
    const char *iface = cli_iface(s, b[0], sizeof b[0]);
    json_object_set_new(o, "interface", iface ? json_string(iface) : json_null());
    int rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return rc || fputc('\n', stdout) == EOF ? -1 : 0;
}

static void print_text(const struct ps_socket *s, const struct ps_process *p,
                       const char *netns)
{
    char local[80], peer[80];
    cli_endpoint(s, true, local, sizeof local);
    cli_endpoint(s, false, peer, sizeof peer);
    printf("%s %s %s -> %s%s%s\n", ps_proto_name(s->proto),
           ps_sock_state_name(s->state, s->proto), local, peer,
           netns ? "  netns " : "", netns ? netns : "");
    if (!p) {
        char user[160];
        const char *who = cli_user_of(NULL, s, user, sizeof user);
        printf("  owner unknown (another user's process, or another namespace)%s%s\n",
               who ? "; socket of user " : "", who ? who : "");
        return;
    }
    char b[3][4096];
    printf("  process  %s (pid %d, user %s)\n", cli_printable(p->comm, b[0], 80), p->pid,
           cli_printable(p->user, b[1], 160));
    if (p->cmdline[0])
        printf("  command  %s\n", cli_printable(p->cmdline, b[2], sizeof b[2]));
    if (p->unit[0])
        printf("  unit     %s\n", cli_printable(p->unit, b[0], sizeof b[0]));
    if (p->container[0])
        printf("  container %.12s\n", p->container);
    if (p->start_time >= 0) {
        char when[64];
        time_t t = (time_t)p->start_time;
        long long age = (long long)(time(NULL) - t);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&t));
        printf("  since    %s (%lldd %02lldh %02lldm ago)\n", when, age / 86400,
               age / 3600 % 24, age / 60 % 60);
    }
}

static int who_run(struct cli *cli, int argc, char **argv)
{
    struct cli_parse p = {.cmd = &cmd_who};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    if (argc - first != 1) {
        cli_error(cli, "who: give exactly one port or service name");
        fprintf(stderr, "Try '%s who --help'.\n", cli->prog);
        return EXIT_USAGE;
    }
    struct target t = {.n = 0};
    if ((status = resolve(cli, argv[first], &t)))
        return status;
    struct ps_sock_query q = {.protos = 1u << PS_PROTO_TCP | 1u << PS_PROTO_UDP,
                              .families = PS_SOCK_IPV4 | PS_SOCK_IPV6,
                              .states = PS_SOCK_ALL_STATES};
    struct ps_socket_list list = {0};
    struct ps_owners *owners;
    if ((status = cli_read_sockets(cli, &q, &list, &owners, true)))
        return status;
    size_t shown = 0;
    for (size_t i = 0; i < list.count; i++) {
        const struct ps_socket *s = &list.v[i];
        if (!matches(&t, s))
            continue;
        /* Every process holding the socket (after fork, several), as
         * fuser and lsof show them; one entry with no owner if none. */
        const struct ps_process *procs[16];
        size_t n = owners && s->inode ? ps_owners_find(owners, s->inode, procs, 16) : 0;
        for (size_t k = 0; k < (n ? (n < 16 ? n : 16) : 1); k++) {
            const struct ps_process *proc = n ? procs[k] : NULL;
            if (cli->json) {
                if (print_json(s, proc, cli_netns_of(cli, i)))
                    goto done;
            } else {
                if (shown)
                    fputc('\n', stdout);
                print_text(s, proc, cli_netns_of(cli, i));
            }
            shown++;
        }
    }
done:
    if (shown == 0)
        cli_error(cli, "who: nothing uses %s", argv[first]);
    ps_owners_free(owners);
    ps_socket_list_clear(&list);
    return cli_finish_output(cli, shown ? EXIT_OK : EXIT_NOMATCH);
}

const struct cli_command cmd_who = {
    .name = "who",
    .summary = "who uses this port: process, user, command, unit, since when",
    .run = who_run,
    .usage = who_usage,
};
