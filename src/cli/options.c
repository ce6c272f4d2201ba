/* Option handling shared by every subcommand, and small CLI helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

enum {
    OPT_REGISTRY = 1000,
    OPT_SERVICES,
    OPT_NMAP,
    OPT_NO_SYSTEM,
    OPT_JSON,
    OPT_NO_COLOR,
    OPT_PROC_ROOT,
    OPT_NO_CACHE,
    OPT_NETNS,
    OPT_ALL_NETNS,
};

const struct option cli_global_longopts[] = {
    {"registry", required_argument, NULL, OPT_REGISTRY},
    {"services", required_argument, NULL, OPT_SERVICES},
    {"nmap-services", required_argument, NULL, OPT_NMAP},
    {"no-system", no_argument, NULL, OPT_NO_SYSTEM},
    {"json", no_argument, NULL, OPT_JSON},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"proc-root", required_argument, NULL, OPT_PROC_ROOT},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"netns", required_argument, NULL, OPT_NETNS},
    {"all-netns", no_argument, NULL, OPT_ALL_NETNS},
    {"help", no_argument, NULL, 'h'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, 'V'},
    {0, 0, 0, 0},
};

/* One write per message: stderr is unbuffered, and a lookup of many
 * unknown ports would otherwise cost several system calls per line. */
static void vreport(const struct cli *cli, const char *kind, const char *fmt,
                    va_list ap) __attribute__((format(printf, 3, 0)));

static void vreport(const struct cli *cli, const char *kind, const char *fmt,
                    va_list ap)
{
    char msg[2048];
    int n = snprintf(msg, sizeof msg, "%s: %s", cli->prog, kind);
    if (n < 0 || (size_t)n >= sizeof msg - 2)
        n = 0;
    int m = vsnprintf(msg + n, sizeof msg - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    n = (size_t)(n + m) < sizeof msg - 2 ? n + m : (int)sizeof msg - 2;
    msg[n++] = '\n';
    if (cli->stdout_tty)
        fflush(stdout); /* keep stdout and stderr in order on a terminal */
    fwrite(msg, 1, (size_t)n, stderr);
}

void cli_error(const struct cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cli, "", fmt, ap);
    va_end(ap);
}

void cli_warn(const struct cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cli, "warning: ", fmt, ap);
    va_end(ap);
}

int cli_number(const struct cli *cli, const char *what, const char *text,
               long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno == ERANGE || v < min || v > max) {
        cli_error(cli, "%s '%s' is not a whole number from %ld to %ld", what,
                  text, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_global_option(struct cli *cli, int opt, const char *arg)
{
    switch (opt) {
    case OPT_REGISTRY: {
        const char **grown = realloc(cli->registries,
                                     (cli->registry_count + 1) * sizeof *grown);
        if (!grown) {
            cli_error(cli, "out of memory");
            return -2;
        }
        cli->registries = grown;
        cli->registries[cli->registry_count++] = arg;
        return 1;
    }
    case OPT_SERVICES:
        cli->services_path = arg;
        return 1;
    case OPT_NMAP:
        cli->nmap_path = arg;
        return 1;
    case OPT_NO_SYSTEM:
        cli->no_system = true;
        return 1;
    case OPT_JSON:
        cli->json = true;
        return 1;
    case OPT_NO_COLOR:
        cli->no_color = true;
        cli->color = false;
        return 1;
    case OPT_NETNS:
        cli->netns = arg;
        return 1;
    case OPT_ALL_NETNS:
        cli->all_netns = true;
        return 1;
    case OPT_NO_CACHE:
        cli->no_cache = true;
        return 1;
    case OPT_PROC_ROOT:
        cli->proc_root = arg;
        return 1;
    case 'v':
        cli->verbose++;
        cli->log.max = cli->verbose > 1 ? PS_LOG_DEBUG : PS_LOG_WARN;
        return 1;
    default:
        return 0;
    }
}

static size_t count_opts(const struct option *o)
{
    size_t n = 0;
    while (o && o[n].name)
        n++;
    return n;
}

int cli_parse_options(struct cli *cli, int argc, char **argv,
                      const struct cli_parse *p, int *status)
{
    size_t nl = count_opts(p->longopts), ng = count_opts(cli_global_longopts);
    struct option *all = calloc(nl + ng + 1, sizeof *all);
    char shortopts[64];

    if (!all) {
        cli_error(cli, "out of memory");
        *status = EXIT_FAILURE_;
        return -1;
    }
    memcpy(all, p->longopts ? p->longopts : cli_global_longopts,
           nl * sizeof *all);
    memcpy(all + nl, cli_global_longopts, ng * sizeof *all);
    /* Leading ':' reports a missing argument apart from an unknown option. */
    snprintf(shortopts, sizeof shortopts, "%s:%s%s", p->stop_at_operand ? "+" : "",
             CLI_GLOBAL_SHORTOPTS,
             p->shortopts ? p->shortopts : "");
    optind = 0; /* glibc: 0 also resets the permutation state */
    opterr = 0;
    *status = EXIT_OK;
    int opt;
    bool done = false; /* --help or --version answered the call */
    while (*status == EXIT_OK && !done &&
           (opt = p->long_only
                      ? getopt_long_only(argc, argv, shortopts, all, NULL)
                      : getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
        int g;
        if (opt == 'h') {
            p->cmd->usage(stdout);
            *status = cli_finish_output(cli, EXIT_OK);
            done = true;
        } else if (opt == 'V') {
            printf("portscope %s\n", ps_version());
            *status = cli_finish_output(cli, EXIT_OK);
            done = true;
        } else if (opt == '?' || opt == ':') {
            const char *name = argv[optind - 1];
            /* Top-level options have no command to name. */
            const char *cmd = p->stop_at_operand ? "" : p->cmd->name;
            const char *sep = *cmd ? ": " : "";
            /* glibc sets optopt to a long option's value when it was given
             * a value it does not take ("--json=1"). */
            bool is_long = strncmp(name, "--", 2) == 0;
            if (opt == ':')
                cli_error(cli, "%s%soption '%s' needs a value", cmd, sep, name);
            else if (is_long && optopt)
                cli_error(cli, "%s%soption '%.*s' takes no value", cmd, sep,
                          (int)strcspn(name, "="), name);
            else if (!is_long && optopt > 0 && optopt < 128)
                cli_error(cli, "%s%sunknown option '-%c'", cmd, sep, optopt);
            else
                cli_error(cli, "%s%sunknown option '%s'", cmd, sep, name);
            fprintf(stderr, "Try '%s%s%s --help'.\n", cli->prog, *cmd ? " " : "", cmd);
            *status = EXIT_USAGE;
        } else if ((g = cli_global_option(cli, opt, optarg)) != 0) {
            if (g < 0)
                *status = g == -2 ? EXIT_FAILURE_ : EXIT_USAGE;
        } else if (p->on_option) {
            *status = p->on_option(cli, p->ctx, opt, optarg);
        }
    }
    free(all);
    return *status == EXIT_OK && !done ? optind : -1;
}

int cli_finish_output(const struct cli *cli, int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno != EPIPE)
            cli_error(cli, "writing output: %s", strerror(errno));
        return EXIT_FAILURE_;
    }
    return status;
}
