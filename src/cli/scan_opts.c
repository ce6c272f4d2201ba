/* Options of portscope scan, spelled as nmap spells them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/scan_cli.h"

enum {
    OPT_TOP_PORTS = 3000, OPT_EXCLUDE_PORTS, OPT_IL, OPT_EXCLUDE,
    OPT_EXCLUDEFILE, OPT_PN, OPT_MAX_RETRIES, OPT_HOST_TIMEOUT,
    OPT_MIN_RATE, OPT_MAX_RATE, OPT_MAX_PAR, OPT_MIN_PAR, OPT_SEED,
    OPT_SHARD, OPT_ON, OPT_OX, OPT_OG, OPT_OJ, OPT_OA, OPT_OPEN,
    OPT_REASON, OPT_STATS, OPT_INIT_RTT, OPT_MIN_RTT, OPT_MAX_RTT,
    OPT_SCAN_DELAY, OPT_THREADS, OPT_SOURCE_PORT, OPT_RATE,
};

static const struct option scan_longopts[] = {
    {"top-ports", required_argument, NULL, OPT_TOP_PORTS},
    {"exclude-ports", required_argument, NULL, OPT_EXCLUDE_PORTS},
    {"iL", required_argument, NULL, OPT_IL},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"excludefile", required_argument, NULL, OPT_EXCLUDEFILE},
    {"Pn", no_argument, NULL, OPT_PN},
    {"max-retries", required_argument, NULL, OPT_MAX_RETRIES},
    {"host-timeout", required_argument, NULL, OPT_HOST_TIMEOUT},
    {"min-rate", required_argument, NULL, OPT_MIN_RATE},
    {"max-rate", required_argument, NULL, OPT_MAX_RATE},
    {"max-parallelism", required_argument, NULL, OPT_MAX_PAR},
    {"min-parallelism", required_argument, NULL, OPT_MIN_PAR},
    {"initial-rtt-timeout", required_argument, NULL, OPT_INIT_RTT},
    {"min-rtt-timeout", required_argument, NULL, OPT_MIN_RTT},
    {"max-rtt-timeout", required_argument, NULL, OPT_MAX_RTT},
    {"scan-delay", required_argument, NULL, OPT_SCAN_DELAY},
    {"seed", required_argument, NULL, OPT_SEED},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"oN", required_argument, NULL, OPT_ON},
    {"oX", required_argument, NULL, OPT_OX},
    {"oG", required_argument, NULL, OPT_OG},
    {"oJ", required_argument, NULL, OPT_OJ},
    {"oA", required_argument, NULL, OPT_OA},
    {"open", no_argument, NULL, OPT_OPEN},
    {"reason", no_argument, NULL, OPT_REASON},
    {"stats-every", required_argument, NULL, OPT_STATS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"source-port", required_argument, NULL, OPT_SOURCE_PORT},
    {"rate", required_argument, NULL, OPT_RATE},
    {"port", required_argument, NULL, 'p'},
    {0, 0, 0, 0},
};

int scan_parse_time(const char *text, int64_t *out_us)
{
    char *end;
    double v, unit = 1e6;

    errno = 0;
    v = strtod(text, &end);
    if (end == text || errno || !isfinite(v) || v < 0)
        return -1;
    if (strcmp(end, "ms") == 0)
        unit = 1e3;
    else if (strcmp(end, "s") == 0 || !*end)
        unit = 1e6;
    else if (strcmp(end, "m") == 0)
        unit = 60e6;
    else if (strcmp(end, "h") == 0)
        unit = 3600e6;
    else
        return -1;
    if (v * unit > 9e15)
        return -1;
    *out_us = (int64_t)(v * unit);
    return 0;
}

static int bad_value(struct cli *cli, const char *opt, const char *arg,
                     const char *want)
{
    cli_error(cli, "scan: %s '%s': %s", opt, arg, want);
    return EXIT_USAGE;
}

static int time_option(struct cli *cli, const char *opt, const char *arg,
                       int64_t *out)
{
    if (scan_parse_time(arg, out) < 0)
        return bad_value(cli, opt, arg,
                         "not a time (a number with ms, s, m or h)");
    return EXIT_OK;
}

static int rate_option(struct cli *cli, const char *opt, const char *arg,
                       double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (end == arg || *end || errno || !isfinite(v) || v <= 0 || v > 1e8)
        return bad_value(cli, opt, arg,
                         "not a rate (probes per second, above 0)");
    *out = v;
    return EXIT_OK;
}

static int count_option(struct cli *cli, const char *opt, const char *arg,
                        long min, long max, long *out)
{
    char what[64];
    snprintf(what, sizeof what, "scan: %s", opt);
    return cli_number(cli, what, arg, min, max, out) < 0 ? EXIT_USAGE
                                                          : EXIT_OK;
}

/* -sT, -sS, -sU... : the letters after -s. */
static int scan_type_option(struct cli *cli, struct scan_opts *o,
                            const char *arg)
{
    unsigned type = strcmp(arg, "T") == 0   ? PS_SCAN_CONNECT
                    : strcmp(arg, "S") == 0 ? PS_SCAN_SYN
                    : strcmp(arg, "U") == 0 ? PS_SCAN_UDP : 0;

    if (!type) {
        cli_error(cli, "scan: unknown scan type '-s%s' (supported: -sT, -sS, -sU)",
                  arg);
        return EXIT_USAGE;
    }
    if ((type & (PS_SCAN_CONNECT | PS_SCAN_SYN)) &&
        (o->types & ~type & (PS_SCAN_CONNECT | PS_SCAN_SYN))) {
        cli_error(cli, "scan: -sT and -sS are both TCP scans: choose one");
        return EXIT_USAGE;
    }
    o->types |= type;
    return EXIT_OK;
}

static int shard_option(struct cli *cli, struct scan_opts *o, const char *arg)
{
    unsigned long k, n;
    char *end;

    errno = 0;
    k = strtoul(arg, &end, 10);
    if (end == arg || *end != '/' || errno)
        return bad_value(cli, "--shard", arg, "expected K/N, as 2/5");
    const char *rest = end + 1;
    n = strtoul(rest, &end, 10);
    if (end == rest || *end || errno || n < 1 || n > 65536 || k < 1 || k > n)
        return bad_value(cli, "--shard", arg,
                         "expected K/N with 1 <= K <= N <= 65536");
    o->shard_k = (unsigned)k;
    o->shard_n = (unsigned)n;
    return EXIT_OK;
}

static int timing_option(struct cli *cli, struct scan_opts *o, int opt,
                         const char *arg)
{
    struct ps_scan_timing *t = &o->timing;
    long v;
    int rc;

    switch (opt) {
    case 'T':
        if (strlen(arg) != 1 || arg[0] < '0' || arg[0] > '5')
            return bad_value(cli, "-T", arg, "expected -T0 to -T5");
        t->template_level = arg[0] - '0';
        return EXIT_OK;
    case OPT_MAX_RETRIES:
        rc = count_option(cli, "--max-retries", arg, 0, 50, &v);
        t->max_retries = (int)v;
        return rc;
    case OPT_MAX_PAR:
    case OPT_MIN_PAR:
        rc = count_option(cli, opt == OPT_MAX_PAR ? "--max-parallelism"
                                                  : "--min-parallelism",
                          arg, 1, 1000000, &v);
        *(opt == OPT_MAX_PAR ? &t->max_parallelism : &t->min_parallelism) =
            (unsigned)v;
        return rc;
    case OPT_HOST_TIMEOUT:
        return time_option(cli, "--host-timeout", arg, &t->host_timeout_us);
    case OPT_INIT_RTT:
        return time_option(cli, "--initial-rtt-timeout", arg,
                           &t->initial_rtt_timeout_us);
    case OPT_MIN_RTT:
        return time_option(cli, "--min-rtt-timeout", arg,
                           &t->min_rtt_timeout_us);
    case OPT_MAX_RTT:
        return time_option(cli, "--max-rtt-timeout", arg,
                           &t->max_rtt_timeout_us);
    case OPT_SCAN_DELAY:
        return time_option(cli, "--scan-delay", arg, &t->scan_delay_us);
    case OPT_MIN_RATE:
        return rate_option(cli, "--min-rate", arg, &t->min_rate);
    case OPT_MAX_RATE:
        return rate_option(cli, "--max-rate", arg, &t->max_rate);
    case OPT_RATE: /* masscan's name for the same limit */
        return rate_option(cli, "--rate", arg, &t->max_rate);
    default:
        return -1;
    }
}

static int output_option(struct scan_opts *o, int opt, const char *arg)
{
    switch (opt) {
    case OPT_ON: o->out_path[SCAN_OUT_NORMAL] = arg; return EXIT_OK;
    case OPT_OX: o->out_path[SCAN_OUT_XML] = arg; return EXIT_OK;
    case OPT_OG: o->out_path[SCAN_OUT_GREP] = arg; return EXIT_OK;
    case OPT_OJ: o->out_path[SCAN_OUT_JSON] = arg; return EXIT_OK;
    case OPT_OA: o->out_all = arg; return EXIT_OK;
    default: return -1;
    }
}

static int on_option(struct cli *cli, void *ctx, int opt, const char *arg)
{
    struct scan_opts *o = ctx;
    long v;
    int rc;

    if ((rc = timing_option(cli, o, opt, arg)) >= 0 ||
        (rc = output_option(o, opt, arg)) >= 0)
        return rc;
    switch (opt) {
    case 's': return scan_type_option(cli, o, arg);
    case 'p': o->ports_spec = arg; return EXIT_OK;
    case 'F': o->top_ports = 100; return EXIT_OK;
    case OPT_TOP_PORTS:
        rc = count_option(cli, "--top-ports", arg, 1, 65535, &v);
        o->top_ports = v;
        return rc;
    case OPT_EXCLUDE_PORTS: o->exclude_ports = arg; return EXIT_OK;
    case OPT_IL: o->input_list = arg; return EXIT_OK;
    case OPT_EXCLUDE: o->exclude = arg; return EXIT_OK;
    case OPT_EXCLUDEFILE: o->exclude_file = arg; return EXIT_OK;
    case 'n': o->no_dns = true; return EXIT_OK;
    case 'R': o->no_dns = false; return EXIT_OK;
    case '6': o->ipv6 = true; return EXIT_OK;
    case '4': o->ipv6 = false; return EXIT_OK;
    case OPT_PN: return EXIT_OK; /* every target is scanned anyway */
    case OPT_OPEN: o->open_only = true; return EXIT_OK;
    case OPT_REASON: o->reason = true; return EXIT_OK;
    case OPT_STATS: return time_option(cli, "--stats-every", arg,
                                       &o->stats_every_us);
    case OPT_SEED: {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(arg, &end, 0);
        if (end == arg || *end || errno || arg[0] == '-')
            return bad_value(cli, "--seed", arg, "not a whole number");
        o->seed = s;
        o->seed_set = true;
        return EXIT_OK;
    }
    case OPT_SHARD: return shard_option(cli, o, arg);
    case 'e':
        if (!arg[0] || strlen(arg) >= 16 || strchr(arg, '/'))
            return bad_value(cli, "-e", arg, "not an interface name");
        o->interface = arg;
        return EXIT_OK;
    case 'S':
        if (ps_ip_parse(arg, &o->source_ip) < 0)
            return bad_value(cli, "-S", arg, "not an IPv4 or IPv6 address");
        return EXIT_OK;
    case 'g':
    case OPT_SOURCE_PORT:
        rc = count_option(cli, opt == 'g' ? "-g" : "--source-port", arg, 1, 65535, &v);
        o->source_port = (int)v;
        return rc;
    case OPT_THREADS:
        rc = count_option(cli, "--threads", arg, 1, PS_SCAN_MAX_THREADS, &v);
        o->threads = (unsigned)v;
        return rc;
    default: return EXIT_USAGE;
    }
}

extern const struct cli_command cmd_scan;

int scan_parse_options(struct cli *cli, int argc, char **argv,
                       struct scan_opts *o, int *status)
{
    struct cli_parse p = {
        .shortopts = "s:p:FT:nR46e:S:g:",
        .longopts = scan_longopts,
        .on_option = on_option,
        .ctx = o,
        .cmd = &cmd_scan,
        .long_only = true,
    };

    memset(o, 0, sizeof *o);
    o->top_ports = -1;
    o->timing.template_level = 3;
    o->timing.max_retries = -1;
    o->source_port = -1;
    o->progress = isatty(STDERR_FILENO);
    int first = cli_parse_options(cli, argc, argv, &p, status);
    if (first < 0)
        return -1;
    if (!o->types)
        o->types = PS_SCAN_CONNECT;
    o->targets = (const char **)(argv + first);
    o->target_count = (size_t)(argc - first);
    return first;
}

void scan_opts_free(struct scan_opts *o)
{
    (void)o;
}
