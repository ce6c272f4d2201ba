/* portscope lookup KEY...: what is this port, or where is this service. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

static void lookup_usage(FILE *out)
{
    fputs("Usage: portscope lookup [--json] [--risky LEVEL] KEY...\n"
          "       portscope lookup [--json] --risky LEVEL\n"
          "\n"
          "Looks up each KEY in the merged registry and prints every record\n"
          "found, in the order the keys were given. A KEY is:\n"
          "  22            a port (all transports)\n"
          "  6881-6999     a range of ports\n"
          "  ssh           a service name or alias, any case\n"
          "  53/udp        a port or name with a transport; udp/53 works too\n"
          "Transports: tcp, udp, sctp, dccp, ddp (AppleTalk).\n"
          "\n"
          "Each record shows the registry's facts and, where the knowledge\n"
          "base has them, its risk, category, uses, flags and the safer\n"
          "alternative (under the row).\n"
          "\n"
          "Options:\n"
          "  --json           one JSON object per record (JSON Lines)\n"
          "  --risky LEVEL    only records whose risk is LEVEL or worse (none,\n"
          "                   low, medium, high, critical); with no KEY, list\n"
          "                   every port of the knowledge base at that level\n"
          "\n"
          "Exit status: 0 every key matched; 1 some key matched nothing (the\n"
          "others are still printed); 2 a key is malformed; 3 the run failed.\n",
          out);
}

struct hits {
    const struct ps_service **v;
    size_t n, cap;
};

static void filter_risk(struct hits *h, enum ps_risk level);

static int hits_push(struct hits *h, const struct ps_service *svc)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        const struct ps_service **grown = realloc(h->v, cap * sizeof *grown);
        if (!grown)
            return -1;
        h->v = grown;
        h->cap = cap;
    }
    h->v[h->n++] = svc;
    return 0;
}

/* A range record shows once: at its first port, or at the key's first
 * port when it began before the key. */
static int collect_ports(const struct ps_registry *reg, const struct ps_key *k,
                         struct hits *h)
{
    const struct ps_service *buf[64];
    for (unsigned p = k->port; p <= k->port_end; p++) {
        size_t n = ps_registry_find_port(reg, k->proto, p, buf, 64);
        const struct ps_service **all = buf;
        if (n > 64) {
            all = malloc(n * sizeof *all);
            if (!all)
                return -1;
            ps_registry_find_port(reg, k->proto, p, all, n);
        }
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (all[i]->port == p || p == k->port)
                rc = hits_push(h, all[i]);
        if (all != buf)
            free((void *)all);
        if (rc)
            return rc;
    }
    return 0;
}

static int collect_name(const struct ps_registry *reg, const struct ps_key *k,
                        struct hits *h)
{
    size_t n = ps_registry_find_name(reg, k->name, k->proto, NULL, 0);
    if (n == 0)
        return 0;
    const struct ps_service **all = malloc(n * sizeof *all);
    if (!all)
        return -1;
    ps_registry_find_name(reg, k->name, k->proto, all, n);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = hits_push(h, all[i]);
    free((void *)all);
    return rc;
}

static int print_hits(struct cli *cli, struct cli_table *t, const struct hits *h)
{
    for (size_t i = 0; i < h->n; i++) {
        int rc = cli->json ? ps_service_write_json(cli->reg, h->v[i], stdout)
                           : cli_service_row(cli, t, h->v[i]);
        if (rc)
            return -1;
    }
    return 0;
}

static int lookup_keys(struct cli *cli, int argc, char **argv,
                       const struct ps_key *keys, struct cli_table *t)
{
    int status = EXIT_OK;
    struct hits h = {0};
    for (int i = 0; i < argc; i++) {
        h.n = 0;
        int rc = keys[i].kind == PS_KEY_PORT ? collect_ports(cli->reg, &keys[i], &h)
                                             : collect_name(cli->reg, &keys[i], &h);
        /* With --risky, a key that is known but not risky is no miss. */
        bool known = h.n > 0;
        if (rc == 0 && cli->risk_filter >= 0)
            filter_risk(&h, (enum ps_risk)cli->risk_filter);
        if (rc || print_hits(cli, t, &h)) {
            cli_error(cli, "lookup: out of memory or output error");
            status = EXIT_FAILURE_;
            break;
        }
        if (!known) {
            cli_error(cli, "lookup: nothing known about '%s'", argv[i]);
            status = EXIT_NOMATCH;
        }
    }
    free((void *)h.v);
    return status;
}

struct lookup_opts {
    bool risky;
    enum ps_risk level;
};

static int lookup_option(struct cli *cli, void *ctx, int opt, const char *arg)
{
    struct lookup_opts *o = ctx;
    if (opt != 'r')
        return EXIT_USAGE;
    if (ps_risk_parse(arg, &o->level)) {
        cli_error(cli, "lookup: --risky '%s' is not a level (none, low, medium, "
                  "high, critical)", arg);
        return EXIT_USAGE;
    }
    o->risky = true;
    return 0;
}

static const struct option lookup_longopts[] = {
    {"risky", required_argument, NULL, 'r'},
    {0, 0, 0, 0},
};

static const char *const risky_headers[] = {"PORT", "SERVICE", "RISK", "CATEGORY",
                                            "FLAGS", "WHAT"};

/* One row per knowledge entry at or above the level. */
static int list_risky(struct cli *cli, enum ps_risk level)
{
    size_t count, shown = 0;
    const struct ps_knowledge *all = ps_knowledge_all(&count);
    struct cli_table *t = cli->json ? NULL : cli_table_new(6, risky_headers);
    if (!cli->json && !t)
        return EXIT_FAILURE_;
    for (size_t i = 0; i < count; i++) {
        const struct ps_knowledge *k = &all[i];
        if (k->risk < level)
            continue;
        shown++;
        if (cli->json) {
            if (ps_knowledge_write_json(k, stdout))
                break; /* cli_finish_output reports the write error */
            continue;
        }
        char port[32], flags[160] = "";
        if (k->port != k->port_end)
            snprintf(port, sizeof port, "%u-%u/%s", k->port, k->port_end, ps_proto_name(k->proto));
        else
            snprintf(port, sizeof port, "%u/%s", k->port, ps_proto_name(k->proto));
        for (unsigned bit = 0; bit < PS_KFLAG_COUNT; bit++)
            if (k->flags & (1u << bit))
                snprintf(flags + strlen(flags), sizeof flags - strlen(flags), "%s%s",
                         flags[0] ? "," : "", ps_kflag_name(1u << bit));
        const char *cells[6] = {port, k->service[0] ? k->service : "-",
                                ps_risk_name(k->risk), k->category,
                                flags[0] ? flags : "-", k->title};
        if (cli_table_add(t, cells)) {
            cli_table_free(t);
            cli_error(cli, "lookup: out of memory");
            return EXIT_FAILURE_;
        }
    }
    if (t && cli_table_print(t, stdout, cli->color))
        shown = 0;
    cli_table_free(t);
    if (shown == 0)
        cli_error(cli, "lookup: no port in the knowledge base is rated %s or worse",
                  ps_risk_name(level));
    return cli_finish_output(cli, shown ? EXIT_OK : EXIT_NOMATCH);
}

/* With --risky and keys, keeps the records rated at or above the level. */
static void filter_risk(struct hits *h, enum ps_risk level)
{
    size_t kept = 0;
    for (size_t i = 0; i < h->n; i++) {
        const struct ps_knowledge *k = ps_knowledge_for(h->v[i]);
        if (k && k->risk >= level)
            h->v[kept++] = h->v[i];
    }
    h->n = kept;
}

static int lookup_run(struct cli *cli, int argc, char **argv)
{
    struct lookup_opts o = {.risky = false};
    struct cli_parse p = {.cmd = &cmd_lookup, .longopts = lookup_longopts,
                          .on_option = lookup_option, .ctx = &o};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    argc -= first;
    argv += first;
    if (argc == 0 && o.risky)
        return list_risky(cli, o.level);
    cli->risk_filter = o.risky ? (int)o.level : -1;
    if (argc == 0) {
        cli_error(cli, "lookup: no key given (a port, range or service name)");
        fprintf(stderr, "Try '%s lookup --help'.\n", cli->prog);
        return EXIT_USAGE;
    }
    struct ps_key *keys = calloc((size_t)argc, sizeof *keys);
    if (!keys)
        return EXIT_FAILURE_;
    status = cli_parse_keys(cli, "lookup", argc, argv, keys);
    if (status == EXIT_OK)
        status = cli_load_registry(cli);
    if (status == EXIT_OK)
        status = cli_check_suspect_keys(cli, "lookup", argc, argv, keys);
    if (status == EXIT_OK) {
        struct cli_table *t = cli->json ? NULL
                              : cli_table_new(CLI_SERVICE_COLUMNS, cli_service_headers);
        if (!cli->json && !t)
            status = EXIT_FAILURE_;
        else
            status = lookup_keys(cli, argc, argv, keys, t);
        if (t && status != EXIT_FAILURE_ && cli_table_print(t, stdout, cli->color))
            status = EXIT_FAILURE_;
        cli_table_free(t);
        status = cli_finish_output(cli, status);
    }
    free(keys);
    return status;
}

const struct cli_command cmd_lookup = {
    .name = "lookup",
    .summary = "what is this port, or which port is this service",
    .run = lookup_run,
    .usage = lookup_usage,
};
