/* portscope audit (and bare portscope): one finding per listening socket
 * that deserves one, with a severity, a reason and what to do. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void audit_usage(FILE *out)
{
    fputs("Usage: portscope [audit] [--json] [--fail-on LEVEL]\n"
          "\n"
          "Audits what listens on this host: every listening TCP socket and\n"
          "every unconnected UDP socket is joined with the port registry and\n"
          "the knowledge base, and judged by how risky the service is and who\n"
          "can reach it. A risky service bound to loopback only rates far\n"
          "lower than on every interface; a known trojan port is critical\n"
          "wherever it listens; a cleartext login service on every interface\n"
          "is high. Each finding says why and what to do.\n"
          "\n"
          "Options:\n"
          "  --json            one JSON object per finding: severity, port, proto,\n"
          "                    address, exposure (loopback, address, interface,\n"
          "                    all), service, pid, process, user, netns, reason,\n"
          "                    action, interface\n"
          "  --fail-on LEVEL   exit 1 when a finding is at LEVEL or worse (info,\n"
          "                    low, medium, high, critical): for CI and cron\n"
          "\n"
          "Exit status: 0 (or, with --fail-on, no finding at that level); 1 a\n"
          "finding at the --fail-on level; 2 usage error; 3 the run failed.\n", out);
}

struct audit_opts {
    bool fail_on_set;
    enum ps_severity fail_on;
};

const struct option cli_audit_longopts[] = {
    {"fail-on", required_argument, NULL, CLI_AUDIT_FAIL_ON},
    {0, 0, 0, 0},
};

static int audit_option(struct cli *cli, void *ctx, int opt, const char *arg)
{
    struct audit_opts *o = ctx;
    if (opt != CLI_AUDIT_FAIL_ON)
        return EXIT_USAGE;
    if (ps_severity_parse(arg, &o->fail_on)) {
        cli_error(cli, "audit: --fail-on '%s' is not a level (info, low, medium, "
                  "high, critical)", arg);
        return EXIT_USAGE;
    }
    o->fail_on_set = true;
    return 0;
}

struct row {
    const struct ps_socket *s;
    const struct ps_process *p;
    const char *netns;           /* label with --netns/--all-netns, or NULL */
    struct ps_finding f;
};

static int row_cmp(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    if (a->f.severity != b->f.severity)
        return a->f.severity > b->f.severity ? -1 : 1;
    if (a->s->local_port != b->s->local_port)
        return a->s->local_port < b->s->local_port ? -1 : 1;
    return (int)a->s->proto - (int)b->s->proto;
}

static const char *const exposure_names[] = {"loopback", "address", "all", "interface"};

static int print_json(const struct row *r)
{
    char addr[64];
    ps_sock_addr_format(r->s->family, r->s->local, addr, sizeof addr);
    json_t *o = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s}",
        "severity", ps_severity_name(r->f.severity), "port", (json_int_t)r->s->local_port,
        "proto", ps_proto_name(r->s->proto), "address", addr,
        "exposure", exposure_names[r->f.exposure], "service", r->f.service);
    if (!o)
        return -1;
    json_object_set_new(o, "pid", r->p ? json_integer(r->p->pid) : json_null());
    char comm[80], user[160];
    json_object_set_new(o, "process", r->p ? json_string(cli_printable(r->p->comm, comm, sizeof comm))
                                           : json_null());
    const char *who = cli_user_of(r->p, r->s, user, sizeof user);
    json_object_set_new(o, "user", who ? json_string(who) : json_null());
    json_object_set_new(o, "netns", r->netns ? json_string(r->netns) : json_null());
    json_object_set_new(o, "reason", json_string(r->f.reason));
    json_object_set_new(o, "action", json_string(r->f.action));
    char ifbuf[24];
    const char *iface = cli_iface(r->s, ifbuf, sizeof ifbuf);
    json_object_set_new(o, "interface", iface ? json_string(iface) : json_null());
    int rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return rc || fputc('\n', stdout) == EOF ? -1 : 0;
}

static void print_text(const struct cli *cli, const struct row *r, size_t width)
{
    static const char *const colors[] = {"", "", "\033[33m", "\033[31m", "\033[1;31m"};
    char head[256], local[80], owner[96] = "owner unknown", sev[16];
    size_t i = 0;
    for (const char *n = ps_severity_name(r->f.severity); *n && i < sizeof sev - 1; n++)
        sev[i++] = (char)(*n - ('a' <= *n && *n <= 'z' ? 32 : 0));
    sev[i] = '\0';
    cli_endpoint(r->s, true, local, sizeof local);
    char comm[80], user[160];
    const char *who = cli_user_of(r->p, r->s, user, sizeof user);
    if (r->p)
        snprintf(owner, sizeof owner, "%s/%d (%s)", cli_printable(r->p->comm, comm, sizeof comm),
                 r->p->pid, who);
    else if (who)
        snprintf(owner, sizeof owner, "owner unknown (%s)", who);
    snprintf(head, sizeof head, "%u/%s  %s  %s  %s%s%s", r->s->local_port,
             ps_proto_name(r->s->proto), local, r->f.service[0] ? r->f.service : "-", owner,
             r->netns ? "  netns " : "", r->netns ? r->netns : "");
    const char *c = cli->color ? colors[r->f.severity] : "", *e = cli->color ? "\033[0m" : "";
    printf("%s%-8s%s  %s\n", c, sev, e, head);
    char line[512];
    snprintf(line, sizeof line, "why: %s", r->f.reason);
    cli_wrap_hanging(stdout, line, 10, 15, width);
    snprintf(line, sizeof line, "fix: %s", r->f.action);
    cli_wrap_hanging(stdout, line, 10, 15, width);
}

static void print_summary(size_t sockets, const struct row *rows, size_t n)
{
    size_t count[PS_SEV_CRITICAL + 1] = {0};
    for (size_t i = 0; i < n; i++)
        count[rows[i].f.severity]++;
    printf("portscope audit: %zu listening socket%s, %zu finding%s", sockets,
           sockets == 1 ? "" : "s", n, n == 1 ? "" : "s");
    const char *sep = " (";
    for (int s = PS_SEV_CRITICAL; s >= PS_SEV_INFO; s--)
        if (count[s]) {
            printf("%s%zu %s", sep, count[s], ps_severity_name((enum ps_severity)s));
            sep = ", ";
        }
    printf("%s\n", n ? ")" : "");
}

static int report(struct cli *cli, struct row *rows, size_t n, size_t sockets)
{
    qsort(rows, n, sizeof *rows, row_cmp);
    if (!cli->json) {
        print_summary(sockets, rows, n);
        if (n == 0)
            printf("Nothing listening here is a known risk.\n");
    }
    size_t width = cli_text_width();
    for (size_t i = 0; i < n; i++) {
        if (cli->json) {
            if (print_json(&rows[i]))
                return EXIT_FAILURE_;
        } else {
            fputc('\n', stdout);
            print_text(cli, &rows[i], width);
        }
    }
    return EXIT_OK;
}

static int audit_run(struct cli *cli, int argc, char **argv)
{
    struct audit_opts o = {.fail_on_set = false};
    struct cli_parse p = {.cmd = &cmd_audit, .longopts = cli_audit_longopts,
                          .on_option = audit_option, .ctx = &o};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    if (first < argc) {
        cli_error(cli, "audit: unexpected argument '%s'", argv[first]);
        return EXIT_USAGE;
    }
    if ((status = cli_load_registry(cli)))
        return status;
    struct ps_sock_query q = {.protos = 1u << PS_PROTO_TCP | 1u << PS_PROTO_UDP,
                              .families = PS_SOCK_IPV4 | PS_SOCK_IPV6,
                              .states = 1u << PS_SOCK_LISTEN | 1u << PS_SOCK_CLOSE};
    struct ps_socket_list list = {0};
    struct ps_owners *owners;
    if ((status = cli_read_sockets(cli, &q, &list, &owners, true)))
        return status;
    struct row *rows = calloc(list.count ? list.count : 1, sizeof *rows);
    size_t n = 0;
    bool failed = false;
    for (size_t i = 0; rows && i < list.count; i++) {
        struct row *r = &rows[n];
        r->s = &list.v[i];
        r->p = cli_owner_of(owners, r->s);
        r->netns = cli_netns_of(cli, i);
        if (ps_audit_socket(r->s, cli->reg, &r->f)) {
            failed |= o.fail_on_set && r->f.severity >= o.fail_on;
            n++;
        }
    }
    status = rows ? report(cli, rows, n, list.count) : EXIT_FAILURE_;
    if (status == EXIT_OK && failed)
        status = EXIT_NOMATCH;
    free(rows);
    ps_owners_free(owners);
    ps_socket_list_clear(&list);
    return cli_finish_output(cli, status);
}

const struct cli_command cmd_audit = {
    .name = "audit",
    .summary = "is what listens here safe? findings and actions (the default)",
    .run = audit_run,
    .usage = audit_usage,
};
