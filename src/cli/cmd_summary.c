/* portscope (no command) and portscope summary: what the registry holds.
 * This is the default job until the audit of this host exists. */
#include <jansson.h>

#include "cli/cli.h"

static void summary_usage(FILE *out)
{
    fputs("Usage: portscope summary [--json]\n"
          "\n"
          "Lists the registry sources loaded (the built-in table,\n"
          "/etc/services, nmap-services, files named with --registry) with\n"
          "how many lines each had, how many records each gave and how many\n"
          "malformed lines were skipped, then the merged totals by transport\n"
          "and port class.\n", out);
}

static void totals(const struct cli *cli, size_t by_proto[PS_PROTO_COUNT],
                   size_t by_class[3])
{
    struct ps_registry_iter it = {0};
    const struct ps_service *svc;
    while ((svc = ps_registry_next(cli->reg, &it))) {
        by_proto[svc->proto]++;
        by_class[ps_port_class_of(svc->port)]++;
    }
}

static int print_json(const struct cli *cli, const size_t *by_proto,
                      const size_t *by_class)
{
    json_t *sources = json_array(), *protos = json_object(), *classes = json_object();
    for (size_t i = 0; i < ps_registry_source_count(cli->reg); i++) {
        const struct ps_source *s = ps_registry_source(cli->reg, i);
        json_array_append_new(sources, json_pack("{s:s,s:s?,s:s,s:i,s:i,s:i}",
            "source", s->label, "path", s->path, "format", ps_format_name(s->format),
            "lines", (json_int_t)s->lines, "records", (json_int_t)s->records,
            "skipped", (json_int_t)s->skipped));
    }
    for (int p = 0; p < PS_PROTO_COUNT; p++)
        json_object_set_new(protos, ps_proto_name(p), json_integer((json_int_t)by_proto[p]));
    for (int c = 0; c < 3; c++)
        json_object_set_new(classes, ps_port_class_name(c), json_integer((json_int_t)by_class[c]));
    json_t *root = json_pack("{s:o,s:i,s:o,s:o}", "sources", sources, "records",
                             (json_int_t)ps_registry_count(cli->reg), "by_proto",
                             protos, "by_class", classes);
    int rc = !root || json_dumpf(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    return rc || fputc('\n', stdout) == EOF;
}

static void print_text(const struct cli *cli, const size_t *by_proto,
                       const size_t *by_class)
{
    const char *b = cli->color ? "\033[1m" : "", *e = cli->color ? "\033[0m" : "";
    printf("%sportscope %s: port registry%s\n\n", b, ps_version(), e);
    printf("%-10s %-34s %-13s %7s %8s %8s\n", "SOURCE", "PATH", "FORMAT", "LINES",
           "RECORDS", "SKIPPED");
    for (size_t i = 0; i < ps_registry_source_count(cli->reg); i++) {
        const struct ps_source *s = ps_registry_source(cli->reg, i);
        printf("%-10.10s %-34s %-13s %7zu %8zu %8zu\n", s->label,
               s->path ? s->path : "(compiled in)", ps_format_name(s->format),
               s->lines, s->records, s->skipped);
    }
    printf("\n%zu merged records:", ps_registry_count(cli->reg));
    for (int p = 0; p < PS_PROTO_COUNT; p++)
        printf("%s %zu %s", p ? "," : "", by_proto[p], ps_proto_name(p));
    printf("\n");
    printf("by class: %zu system (0-1023), %zu user (1024-49151), "
           "%zu dynamic (49152-65535)\n", by_class[0], by_class[1], by_class[2]);
    printf("\nTry: %s lookup 22 | %s search mail | %s ranges | %s --help\n",
           cli->prog, cli->prog, cli->prog, cli->prog);
}

static int summary_run(struct cli *cli, int argc, char **argv)
{
    struct cli_parse p = {.cmd = &cmd_summary};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    if (first < argc) {
        cli_error(cli, "summary: unexpected argument '%s'", argv[first]);
        return EXIT_USAGE;
    }
    if ((status = cli_load_registry(cli)))
        return status;
    size_t by_proto[PS_PROTO_COUNT] = {0}, by_class[3] = {0};
    totals(cli, by_proto, by_class);
    if (cli->json)
        status = print_json(cli, by_proto, by_class) ? EXIT_FAILURE_ : EXIT_OK;
    else
        print_text(cli, by_proto, by_class);
    return cli_finish_output(cli, status);
}

const struct cli_command cmd_summary = {
    .name = "summary",
    .summary = "what the port registry holds: sources, counts, classes",
    .run = summary_run,
    .usage = summary_usage,
};
