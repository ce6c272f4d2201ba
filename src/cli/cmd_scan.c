/* portscope scan: what is open over there. nmap's flags and output
 * formats over libportscope's scan engine. */
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "cli/scan_cli.h"
#include "portscope/priv.h"

static void scan_usage(FILE *out)
{
    fputs(
"Usage: portscope scan [OPTIONS] TARGET...\n"
"\n"
"Scans TCP ports of the targets and reports each port open, closed or\n"
"filtered, as nmap does, with nmap's options and output formats. A connect\n"
"scan needs no privileges; a SYN scan needs root or CAP_NET_RAW, and gives\n"
"them up once its sockets are open. Every target is scanned (no host\n"
"discovery).\n"
"\n"
"Targets: 198.18.0.7, 2001:db8::7, 198.18.0.0/24, 198.18.0.1-20,\n"
"198.18.0-1.1,3,5-7, host names (resolved once).\n"
"  -iL FILE             read targets from FILE ('-': standard input)\n"
"  --exclude T[,T...]   skip these targets\n"
"  --excludefile FILE   skip the targets listed in FILE\n"
"  -n                   no reverse DNS lookup of the targets\n"
"  -6                   resolve host names to IPv6 (literals need no -6)\n"
"  -Pn                  accepted for nmap compatibility (always the case)\n"
"\n"
"Ports (default: the 1000 most common TCP ports):\n"
"  -p SPEC              22,80,1000-2000, -p- (1-65535), http,ssh, T:80\n"
"  -F                   the 100 most common ports\n"
"  --top-ports N        the N most common ports (nmap-services frequencies)\n"
"  --exclude-ports SPEC do not scan these\n"
"\n"
"Scan types:\n"
"  -sT                  TCP connect scan (the default)\n"
"  -sS                  TCP SYN scan: half-open, stateless, fast; raw packets\n"
"  -sU                  UDP scan (with -sT or -sS: both protocols)\n"
"  -e IFACE             raw probes leave (and answers are read) on IFACE\n"
"  -S ADDR              source address of raw probes\n"
"  -g PORT, --source-port PORT   source port of raw probes\n"
"\n"
"Timing:\n"
"  -T0..-T5             nmap's templates (default -T3)\n"
"  --max-retries N      most probes per port beyond the first\n"
"  --host-timeout T     give up on a host after T (e.g. 30s, 5m)\n"
"  --min-rate N, --max-rate N   probes per second (--rate N: --max-rate)\n"
"  --min-parallelism N, --max-parallelism N   probes in flight\n"
"  --initial-rtt-timeout T, --min-rtt-timeout T, --max-rtt-timeout T\n"
"  --scan-delay T       wait at least T between probes\n"
"  --seed N             the order of probes (default: random)\n"
"  --shard K/N          scan only part K of N: the N parts of the same\n"
"                       scan are disjoint and together the whole scan\n"
"  --threads N          event loops in parallel (default: one per CPU)\n"
"\n"
"Output (FILE '-' is standard output):\n"
"  -oN FILE             normal text, as on standard output\n"
"  -oX FILE             nmap XML (valid against nmap.dtd)\n"
"  -oG FILE             grepable\n"
"  -oJ FILE             JSON Lines: one object per port, then a summary\n"
"  -oA BASE             all four: BASE.nmap .xml .gnmap .jsonl\n"
"  --open               list only open (and open|filtered) ports\n"
"  --reason             say why each port has its state\n"
"  --stats-every T      print progress every T on standard error\n"
"  -v                   more detail\n"
"\n"
"A progress bar is shown on standard error when it is a terminal.\n"
"Ctrl-C or SIGTERM stops sending, waits briefly for answers, and closes\n"
"every output file well-formed, marked interrupted.\n"
"\n"
"Exit status: 0 done; 2 usage error (nothing was sent); 3 failure (such\n"
"as -sS without the privilege it needs); 130 interrupted.\n", out);
}

static struct ps_scan *running_scan;

static void on_signal(int sig)
{
    (void)sig;
    ps_scan_stop(running_scan);
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* A connect scan holds one descriptor per probe in flight: use what the
 * hard limit allows (the engine keeps a reserve below it). */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* The protocols the scan types probe. */
static unsigned scan_protos(unsigned types)
{
    return ((types & (PS_SCAN_CONNECT | PS_SCAN_SYN)) ? PS_PORTSPEC_TCP : 0) |
           ((types & PS_SCAN_UDP) ? PS_PORTSPEC_UDP : 0);
}

/* The default ports: the most common ones of each protocol scanned. */
static int top_ports(struct cli *cli, const struct scan_opts *o, unsigned protos,
                     struct ps_portset *ports)
{
    size_t n = o->top_ports > 0 ? (size_t)o->top_ports : 1000;

    if (((protos & PS_PORTSPEC_TCP) && ps_portset_top(cli->reg, PS_PROTO_TCP, n, ports) < 0) ||
        ((protos & PS_PORTSPEC_UDP) && ps_portset_top(cli->reg, PS_PROTO_UDP, n, ports) < 0)) {
        cli_error(cli, "scan: out of memory");
        return EXIT_FAILURE_;
    }
    return EXIT_OK;
}

/* Ports of a protocol no chosen scan type probes are dropped, with a word
 * (nmap's T: and U: prefixes make such lists easy to write). */
static void warn_unscanned(struct cli *cli, unsigned protos, struct ps_portset *ports)
{
    if (!(protos & PS_PORTSPEC_UDP) && ps_portset_count(ports, PS_PROTO_UDP) > 0)
        cli_warn(cli, "scan: UDP ports given without a UDP scan (-sU); they are skipped");
    if (!(protos & PS_PORTSPEC_TCP) && ps_portset_count(ports, PS_PROTO_TCP) > 0)
        cli_warn(cli, "scan: TCP ports given without a TCP scan (-sT, -sS); they are "
                 "skipped");
}

static int build_ports(struct cli *cli, const struct scan_opts *o,
                       struct ps_portset *ports)
{
    unsigned protos = scan_protos(o->types);
    char err[256];
    int rc;

    ps_portset_clear(ports);
    if (o->ports_spec) {
        rc = ps_portspec_parse(o->ports_spec, cli->reg, protos, ports, err, sizeof err);
        if (rc < 0) {
            cli_error(cli, "scan: -p %s", err);
            return EXIT_USAGE;
        }
    } else if ((rc = top_ports(cli, o, protos, ports)) != EXIT_OK) {
        return rc;
    }
    if (o->exclude_ports &&
        ps_portset_remove_spec(ports, o->exclude_ports, cli->reg,
                               PS_PORTSPEC_BOTH, err, sizeof err) < 0) {
        cli_error(cli, "scan: --exclude-ports %s", err);
        return EXIT_USAGE;
    }
    warn_unscanned(cli, protos, ports);
    if (((protos & PS_PORTSPEC_TCP) ? ps_portset_count(ports, PS_PROTO_TCP) : 0) +
            ((protos & PS_PORTSPEC_UDP) ? ps_portset_count(ports, PS_PROTO_UDP) : 0) == 0) {
        cli_error(cli, "scan: no port to scan");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int targets_error(struct cli *cli, const char *what, const char *err)
{
    cli_error(cli, "scan: %s%s", what, err);
    return EXIT_USAGE;
}

static int build_targets(struct cli *cli, const struct scan_opts *o,
                         struct ps_targets **out)
{
    struct ps_targets *t = ps_targets_new(o->ipv6 ? PS_TARGETS_PREFER_V6 : 0,
                                          &cli->log);
    char err[512];
    int status = EXIT_OK;

    if (!t) {
        cli_error(cli, "out of memory");
        return EXIT_FAILURE_;
    }
    /* Exclusions first: counting an -iL file then needs one read. */
    if (o->exclude && ps_targets_exclude(t, o->exclude, err, sizeof err) < 0)
        status = targets_error(cli, "--exclude: ", err);
    if (status == EXIT_OK && o->exclude_file &&
        ps_targets_exclude_file(t, o->exclude_file, err, sizeof err) < 0)
        status = targets_error(cli, "--excludefile: ", err);
    for (size_t i = 0; i < o->target_count && status == EXIT_OK; i++)
        if (ps_targets_add(t, o->targets[i], err, sizeof err) < 0)
            status = targets_error(cli, "target ", err);
    if (status == EXIT_OK && o->input_list &&
        ps_targets_add_file(t, o->input_list, err, sizeof err) < 0)
        status = targets_error(cli, "-iL: ", err);
    if (status == EXIT_OK && o->target_count == 0 && !o->input_list) {
        cli_error(cli, "scan: no target given (try 'portscope scan 127.0.0.1')");
        status = EXIT_USAGE;
    }
    if (status != EXIT_OK) {
        ps_targets_free(t);
        return status;
    }
    *out = t;
    return EXIT_OK;
}

/* Reverse DNS of a finished host, as nmap does unless -n. */
static void reverse_name(const struct ps_ip *ip, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl;

    memset(&ss, 0, sizeof ss);
    buf[0] = '\0';
    if (ip->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, ip->bytes, 4);
        sl = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, ip->bytes, 16);
        sl = sizeof *sin6;
    }
    if (getnameinfo((struct sockaddr *)&ss, sl, buf, (socklen_t)len, NULL, 0,
                    NI_NAMEREQD) != 0)
        buf[0] = '\0';
}

static void on_host(void *ud, const struct ps_scan_host *host)
{
    struct scan_run *run = ud;
    struct ps_scan_host h = *host;
    char name[NI_MAXHOST];

    if (!run->opts->no_dns) {
        reverse_name(&h.ip, name, sizeof name);
        if (name[0])
            h.rdns = name;
    }
    scan_outputs_host(run->outputs, &h);
}

/* The command line as typed, for output headers. */
static char *command_line(int argc, char **argv)
{
    size_t len = sizeof "portscope";
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    strcpy(s, "portscope");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

static void fill_config(struct ps_scan_config *cfg, const struct scan_opts *o,
                        const struct ps_portset *ports,
                        const struct ps_targets *targets, struct scan_run *run)
{
    ps_scan_config_init(cfg);
    cfg->types = o->types;
    cfg->ports = ports;
    cfg->targets = targets;
    cfg->timing = o->timing;
    cfg->seed = o->seed;
    cfg->seed_set = o->seed_set;
    cfg->shard_index = o->shard_k;
    cfg->shard_count = o->shard_n;
    cfg->threads = o->threads;
    cfg->interface = o->interface;
    cfg->source_ip = o->source_ip;
    cfg->source_port = o->source_port;
    cfg->on_host = on_host;
    cfg->ud = run;
    cfg->log = &run->cli->log;
    if (o->stats_every_us > 0 || o->progress) {
        cfg->on_progress = scan_progress_report;
        cfg->progress_interval_us =
            o->stats_every_us > 0 ? o->stats_every_us : 250000;
    }
}

/* Runs the scan once everything is valid; nothing was sent before. The
 * scan is set up (and its options checked) before any output file is
 * created, so a usage error leaves existing files alone. */
static int execute(struct cli *cli, struct scan_opts *o,
                   const struct ps_portset *ports, struct ps_targets *targets,
                   const char *cmdline)
{
    struct scan_run run = {.cli = cli, .opts = o};
    struct ps_scan_config cfg;
    struct ps_scan *scan = NULL;
    struct ps_scan_summary sum;
    int status, rc;

    fill_config(&cfg, o, ports, targets, &run);
    rc = ps_scan_new(&cfg, &scan);
    if (rc < 0) {
        cli_error(cli, "scan: %s", ps_strerror(rc));
        return rc == PS_EINVAL || rc == PS_EUNSUPP ? EXIT_USAGE : EXIT_FAILURE_;
    }
    run.outputs = scan_outputs_open(cli, o, &status);
    if (!run.outputs) {
        ps_scan_free(scan);
        return status;
    }
    /* Raw sockets and the capture are open, and so are the output files:
     * nothing from the network is parsed with privileges. */
    if ((o->types & (PS_SCAN_SYN | PS_SCAN_UDP)) &&
        ps_drop_privileges(NULL, &cli->log) < 0) {
        ps_scan_free(scan);
        scan_outputs_free(run.outputs);
        return EXIT_FAILURE_;
    }
    struct ps_scan_info info = {
        .command_line = cmdline, .version = ps_version(),
        .start_us = 0, .scan_type = ps_scan_type_name(scan),
        .ports = ports, .target_count = ps_targets_count(targets),
        .verbose = cli->verbose, .show_reason = o->reason,
        .open_only = o->open_only,
    };
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    info.start_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    scan_outputs_begin(run.outputs, &info);
    running_scan = scan;
    catch_signals();
    rc = ps_scan_run(scan);
    scan_progress_clear();
    ps_scan_get_summary(scan, &sum);
    status = scan_outputs_end(run.outputs, &sum);
    if (rc < 0) {
        cli_error(cli, "scan: %s", sum.error ? sum.error : ps_strerror(rc));
        status = EXIT_FAILURE_;
    } else if (sum.interrupted && status == EXIT_OK) {
        status = 130;
    }
    running_scan = NULL;
    ps_scan_free(scan);
    scan_outputs_free(run.outputs);
    return status;
}

static int scan_run(struct cli *cli, int argc, char **argv)
{
    struct scan_opts o;
    struct ps_portset *ports = NULL;
    struct ps_targets *targets = NULL;
    char *cmdline = NULL;
    int status;

    if (scan_parse_options(cli, argc, argv, &o, &status) < 0)
        return status;
    if ((status = cli_load_registry(cli)) != EXIT_OK)
        return status;
    ports = malloc(sizeof *ports);
    cmdline = command_line(argc, argv);
    if (!ports || !cmdline) {
        cli_error(cli, "out of memory");
        status = EXIT_FAILURE_;
    } else if ((status = build_ports(cli, &o, ports)) == EXIT_OK &&
               (status = build_targets(cli, &o, &targets)) == EXIT_OK) {
        raise_fd_limit();
        status = execute(cli, &o, ports, targets, cmdline);
    }
    ps_targets_free(targets);
    free(ports);
    free(cmdline);
    scan_opts_free(&o);
    return status;
}

const struct cli_command cmd_scan = {
    .name = "scan",
    .summary = "what is open over there: a port scanner with nmap's flags",
    .run = scan_run,
    .usage = scan_usage,
};
