/* portscope ranges: the RFC 6335 port classes and this host's settings. */
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli/cli.h"

static void ranges_usage(FILE *out)
{
    fputs("Usage: portscope ranges [--json] [--proc-root DIR]\n"
          "\n"
          "Prints the three port ranges of RFC 6335 with the number of\n"
          "registry records in each, then what this host's kernel says:\n"
          "  ephemeral range      net.ipv4.ip_local_port_range, where outgoing\n"
          "                       connections get their local port\n"
          "  unprivileged start   net.ipv4.ip_unprivileged_port_start: binding\n"
          "                       below it needs root or CAP_NET_BIND_SERVICE\n"
          "  reserved ports       net.ipv4.ip_local_reserved_ports, never\n"
          "                       handed out as ephemeral ports\n"
          "\n"
          "Options:\n"
          "  --json   one JSON object with \"classes\" and \"host\"\n", out);
}

static void count_classes(const struct cli *cli, size_t counts[3])
{
    struct ps_registry_iter it = {0};
    const struct ps_service *svc;
    while ((svc = ps_registry_next(cli->reg, &it)))
        counts[ps_port_class_of(svc->port)]++;
}

static void print_text(const struct cli *cli, const struct ps_host_ports *hp,
                       const size_t counts[3])
{
    size_t n;
    const struct ps_class_info *cls = ps_port_classes(&n);
    const char *b = cli->color ? "\033[1m" : "", *e = cli->color ? "\033[0m" : "";

    printf("%sPort ranges (RFC 6335)%s\n", b, e);
    for (size_t i = 0; i < n; i++)
        printf("  %-8s %5u-%-5u  %-29s %6zu records  %s\n",
               ps_port_class_name(cls[i].cls), cls[i].first, cls[i].last,
               cls[i].iana_name, counts[i], cls[i].summary);
    printf("\n%sThis host (%s)%s\n", b, cli->proc_root, e);
    if (hp->have_ephemeral)
        printf("  ephemeral range     %u-%u (%u ports)\n", hp->ephemeral.first,
               hp->ephemeral.last, hp->ephemeral.last - hp->ephemeral.first + 1);
    else
        printf("  ephemeral range     unknown\n");
    if (hp->have_unprivileged)
        printf("  unprivileged start  %u (ports below need privilege)\n",
               hp->unprivileged_start);
    else
        printf("  unprivileged start  unknown\n");
    printf("  reserved ports      ");
    if (!hp->have_reserved)
        printf("unknown");
    else if (hp->reserved_count == 0)
        printf("none");
    for (size_t i = 0; i < hp->reserved_count; i++) {
        const struct ps_port_span *s = &hp->reserved[i];
        if (s->first == s->last)
            printf("%s%u", i ? "," : "", s->first);
        else
            printf("%s%u-%u", i ? "," : "", s->first, s->last);
    }
    printf("\n");
}

static json_t *span_json(unsigned first, unsigned last)
{
    return json_pack("{s:i,s:i}", "first", (json_int_t)first, "last", (json_int_t)last);
}

static int print_json(const struct ps_host_ports *hp, const size_t counts[3])
{
    size_t n;
    const struct ps_class_info *cls = ps_port_classes(&n);
    json_t *classes = json_array(), *host = json_object(), *reserved = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(classes, json_pack("{s:s,s:i,s:i,s:s,s:i}",
            "class", ps_port_class_name(cls[i].cls), "first", (json_int_t)cls[i].first,
            "last", (json_int_t)cls[i].last, "iana_name", cls[i].iana_name,
            "records", (json_int_t)counts[i]));
    json_object_set_new(host, "ephemeral", hp->have_ephemeral
        ? span_json(hp->ephemeral.first, hp->ephemeral.last) : json_null());
    json_object_set_new(host, "unprivileged_port_start", hp->have_unprivileged
        ? json_integer(hp->unprivileged_start) : json_null());
    for (size_t i = 0; i < hp->reserved_count; i++)
        json_array_append_new(reserved, span_json(hp->reserved[i].first,
                                                  hp->reserved[i].last));
    json_object_set_new(host, "reserved", hp->have_reserved ? reserved : json_null());
    if (!hp->have_reserved)
        json_decref(reserved);
    json_t *root = json_pack("{s:o,s:o}", "classes", classes, "host", host);
    int rc = !root || json_dumpf(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    return rc || fputc('\n', stdout) == EOF;
}

static int ranges_run(struct cli *cli, int argc, char **argv)
{
    struct cli_parse p = {.cmd = &cmd_ranges};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    if (first < argc) {
        cli_error(cli, "ranges: unexpected argument '%s'", argv[first]);
        return EXIT_USAGE;
    }
    struct stat st;
    if (stat(cli->proc_root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error(cli, "ranges: --proc-root %s is not a directory", cli->proc_root);
        return EXIT_USAGE;
    }
    if ((status = cli_load_registry(cli)))
        return status;
    struct ps_host_ports hp;
    if (ps_host_ports_read(cli->proc_root, &hp, &cli->log)) {
        cli_error(cli, "ranges: out of memory");
        return EXIT_FAILURE_;
    }
    size_t counts[3] = {0};
    count_classes(cli, counts);
    if (cli->json)
        status = print_json(&hp, counts) ? EXIT_FAILURE_ : EXIT_OK;
    else
        print_text(cli, &hp, counts);
    ps_host_ports_clear(&hp);
    return cli_finish_output(cli, status);
}

const struct cli_command cmd_ranges = {
    .name = "ranges",
    .summary = "the RFC 6335 port ranges and this host's port settings",
    .run = ranges_run,
    .usage = ranges_usage,
};
