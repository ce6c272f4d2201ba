/* portscope search WORD...: ranked matches over names, aliases and
 * descriptions. */
#include <stdlib.h>

#include "cli/cli.h"

static void search_usage(FILE *out)
{
    fputs("Usage: portscope search [--json] [-n N] WORD...\n"
          "\n"
          "Finds the records whose name, aliases or description, or whose\n"
          "knowledge-base entry, mention every WORD (any case), best first.\n"
          "Each word scores its best place: an exact name 100, an exact alias\n"
          "80, a name starting with it 50, a use of the port (knowledge) 45, a\n"
          "name containing it 30, the knowledge title 25, an alias containing\n"
          "it 20, its category 20, a whole word of the description 15, part of\n"
          "a description word 10, the knowledge notes and explanation 8.\n"
          "\n"
          "Options:\n"
          "  -n, --limit N   print at most N records (default: all)\n"
          "  --json          one JSON object per record, with a \"score\" key\n"
          "\n"
          "Exit status: 0 something matched; 1 nothing matched; 2 usage error.\n",
          out);
}

struct search_opts {
    long limit;
};

static int search_option(struct cli *cli, void *ctx, int opt, const char *arg)
{
    struct search_opts *o = ctx;
    if (opt == 'n')
        return cli_number(cli, "search: --limit", arg, 1, 1000000, &o->limit)
                   ? EXIT_USAGE : 0;
    return EXIT_USAGE;
}

static const struct option search_longopts[] = {
    {"limit", required_argument, NULL, 'n'},
    {0, 0, 0, 0},
};

static int print_matches(struct cli *cli, const struct ps_match *m, size_t n)
{
    struct cli_table *t = NULL;
    if (!cli->json && !(t = cli_table_new(CLI_SERVICE_COLUMNS, cli_service_headers)))
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (cli->json) {
            /* The record is rendered first and printed only whole, with the
             * score spliced in as its first key so a reader sees the rank. */
            char *line = NULL;
            size_t len = 0;
            FILE *mem = open_memstream(&line, &len);
            rc = !mem || ps_service_write_json(cli->reg, m[i].service, mem);
            if (mem && fclose(mem) != 0)
                rc = 1;
            if (!rc && len > 1)
                rc = printf("{\"score\":%d,%s", m[i].score, line + 1) < 0;
            free(line);
        } else {
            rc = cli_service_row(cli, t, m[i].service);
        }
    }
    if (t && rc == 0)
        rc = cli_table_print(t, stdout, cli->color);
    cli_table_free(t);
    return rc;
}

static int search_run(struct cli *cli, int argc, char **argv)
{
    struct search_opts o = {.limit = 0};
    struct cli_parse p = {.cmd = &cmd_search, .shortopts = "n:",
                          .longopts = search_longopts,
                          .on_option = search_option, .ctx = &o};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    if (first == argc) {
        cli_error(cli, "search: no word given");
        fprintf(stderr, "Try '%s search --help'.\n", cli->prog);
        return EXIT_USAGE;
    }
    for (int i = first; i < argc; i++)
        if (argv[i][0] == '\0') {
            cli_error(cli, "search: word %d is empty", i - first + 1);
            return EXIT_USAGE;
        }
    if ((status = cli_load_registry(cli)))
        return status;
    struct ps_match *m;
    size_t n;
    if (ps_registry_search(cli->reg, (const char *const *)argv + first,
                           (size_t)(argc - first), &m, &n)) {
        cli_error(cli, "search: out of memory");
        return EXIT_FAILURE_;
    }
    if (o.limit && n > (size_t)o.limit)
        n = (size_t)o.limit;
    status = n ? EXIT_OK : EXIT_NOMATCH;
    if (n == 0)
        cli_error(cli, "search: no record matches every word");
    else if (print_matches(cli, m, n))
        status = EXIT_FAILURE_;
    free(m);
    return cli_finish_output(cli, status);
}

const struct cli_command cmd_search = {
    .name = "search",
    .summary = "find services by words in their names and descriptions",
    .run = search_run,
    .usage = search_usage,
};
