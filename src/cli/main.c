/* portscope: entry point. Global options come before the subcommand; the
 * subcommand's file parses the rest. With no subcommand, the default job
 * runs: the audit, whose own options may then be given bare. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const struct cli_command *const commands[] = {
    &cmd_audit, &cmd_list, &cmd_who, &cmd_scan, &cmd_lookup, &cmd_explain,
    &cmd_search, &cmd_ranges, &cmd_export, &cmd_summary,
};

static void main_usage(FILE *out);
static const struct cli_command cmd_main = {
    .name = "portscope", .summary = "", .run = NULL, .usage = main_usage,
};

static void main_usage(FILE *out)
{
    fputs("Usage: portscope [GLOBAL OPTIONS] [COMMAND [ARGS...]]\n"
          "\n"
          "Everything about TCP and UDP ports. With no command, portscope\n"
          "audits what listens on this host (portscope audit).\n"
          "\nCommands:\n", out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("  help CMD   show the help of a command\n"
          "\nGlobal options (also accepted after the command):\n"
          "  --registry FILE       also load FILE: services syntax, nmap-services or\n"
          "                        IANA CSV, detected from its content (repeatable;\n"
          "                        PORTSCOPE_REGISTRY adds a colon-separated list)\n"
          "  --services FILE       read FILE instead of /etc/services\n"
          "  --nmap-services FILE  read FILE instead of " "/usr/share/nmap/nmap-services\n"
          "  --no-system           skip /etc/services and nmap-services\n"
          "  --no-cache            parse every source now; do not read or write the\n"
          "                        registry snapshot in ~/.cache/portscope\n"
          "  --json                JSON Lines output, one object per line\n"
          "  --no-color            no colour (also: NO_COLOR set, or not a terminal)\n"
          "  --proc-root DIR       read DIR instead of /proc: port settings (ranges),\n"
          "                        socket owners (list, who, audit)\n"
          "  --netns NAME|PATH     list, who, audit: look into that network namespace\n"
          "                        (a name under /run/netns, or /proc/PID/ns/net)\n"
          "  --all-netns           list, who, audit: every named namespace and every\n"
          "                        one a running process uses, each row labelled\n"
          "                        (without root: only the current one)\n"
          "  -v, --verbose         report malformed registry lines one by one\n"
          "  -h, --help            show this help\n"
          "  -V, --version         show the version\n"
          "\nExit status: 0 success; 1 a key or search matched nothing, nothing\n"
          "uses the port (who), or a finding at the --fail-on level (audit);\n"
          "2 usage error (bad option, key or file); 3 the run failed.\n"
          "See portscope(1) for details.\n", out);
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

static void log_to_stderr(void *user, enum ps_log_level level, const char *msg)
{
    const struct cli *cli = user;
    if (level == PS_LOG_ERROR)
        cli_error(cli, "%s", msg);
    else if (level == PS_LOG_WARN)
        cli_warn(cli, "%s", msg);
    else
        cli_error(cli, "%s%s", level == PS_LOG_DEBUG ? "debug: " : "", msg);
}

static int run_help(struct cli *cli, int argc, char **argv)
{
    const struct cli_command *cmd = argc > 1 ? find_command(argv[1]) : &cmd_main;
    if (!cmd) {
        cli_error(cli, "help: unknown command '%s'", argv[1]);
        return EXIT_USAGE;
    }
    cmd->usage(stdout);
    return cli_finish_output(cli, EXIT_OK);
}

static void init_cli(struct cli *cli, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    memset(cli, 0, sizeof *cli);
    cli->prog = slash ? slash + 1 : argv[0];
    const char *no_color = getenv("NO_COLOR");
    cli->stdout_tty = isatty(STDOUT_FILENO);
    cli->color = cli->stdout_tty && !(no_color && no_color[0]);
    cli->proc_root = "/proc";
    cli->log = (struct ps_logger){.fn = log_to_stderr, .user = cli,
                                  .max = PS_LOG_ERROR};
}

/* Whether the command line is the audit's without its name: options only,
 * no command word, and among them one only the audit takes (`portscope
 * --fail-on high`). The global parser would call that option unknown, so
 * such a line goes to the audit's parser whole. Looks ahead with getopt
 * over both sets of options, reporting nothing. */
static bool bare_audit(int argc, char **argv)
{
    size_t ng = 0, na = 0;
    while (cli_global_longopts[ng].name)
        ng++;
    while (cli_audit_longopts[na].name)
        na++;
    struct option *all = calloc(ng + na + 1, sizeof *all);
    if (!all)
        return false; /* the global parser will say what it can */
    memcpy(all, cli_audit_longopts, na * sizeof *all);
    memcpy(all + na, cli_global_longopts, ng * sizeof *all);
    bool audit_opt = false;
    int opt;
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+:" CLI_GLOBAL_SHORTOPTS, all, NULL)) != -1)
        audit_opt |= opt == CLI_AUDIT_FAIL_ON || (opt == ':' && optopt == CLI_AUDIT_FAIL_ON);
    free(all);
    return audit_opt && optind >= argc;
}

/* Global options, then the command word and its arguments (none: the
 * audit). */
static int run_command(struct cli *cli, int argc, char **argv)
{
    int status;
    struct cli_parse p = {.cmd = &cmd_main, .stop_at_operand = true};
    int first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    const struct cli_command *cmd = &cmd_audit;
    if (first < argc && strcmp(argv[first], "help") == 0)
        return run_help(cli, argc - first, argv + first);
    if (first < argc && !(cmd = find_command(argv[first]))) {
        cli_error(cli, "unknown command '%s'", argv[first]);
        fprintf(stderr, "Try '%s --help'.\n", cli->prog);
        return EXIT_USAGE;
    }
    /* The subcommand sees argv[0] as its own name. */
    int sub_argc = first < argc ? argc - first : 1;
    char *none[] = {(char *)cmd->name, NULL};
    return cmd->run(cli, sub_argc, first < argc ? argv + first : none);
}

int main(int argc, char **argv)
{
    struct cli cli;
    int status;

    if (argc < 1)
        return EXIT_USAGE;
    signal(SIGPIPE, SIG_IGN); /* a closed pipe becomes a write error */
    init_cli(&cli, argv);
    if (bare_audit(argc, argv)) {
        argv[0] = (char *)cmd_audit.name; /* as if `portscope audit ...` */
        status = cmd_audit.run(&cli, argc, argv);
    } else {
        status = run_command(&cli, argc, argv);
    }
    ps_registry_free(cli.reg);
    free(cli.registries);
    free(cli.netns_spans);
    return status;
}
