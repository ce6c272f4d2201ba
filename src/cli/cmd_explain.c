/* portscope explain PORT|NAME...: a few paragraphs for a person. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void explain_usage(FILE *out)
{
    fputs("Usage: portscope explain [--json] KEY...\n"
          "\n"
          "Explains what a port or service is for, how it works on the wire,\n"
          "what makes it risky and what to use instead, from the built-in\n"
          "knowledge base. A KEY is a port (21), a port with a transport\n"
          "(53/udp), or a service or program name (ftp, rdp, doom). Text is\n"
          "wrapped to the terminal width ($COLUMNS or 80 when not a terminal).\n"
          "\n"
          "Options:\n"
          "  --json   one JSON object per knowledge entry (JSON Lines)\n"
          "\n"
          "Exit status: 0 every key was explained; 1 the knowledge base has\n"
          "nothing on some key; 2 a key is malformed; 3 the run failed.\n", out);
}

#define MAX_HITS 64

struct found {
    const struct ps_knowledge *k[MAX_HITS];
    size_t n;
};

static void add(struct found *f, const struct ps_knowledge *k)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->k[i] == k)
            return;
    if (f->n < MAX_HITS)
        f->k[f->n++] = k;
}

static bool same_word(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* By name: entries of the registry records with that name or alias, and
 * entries whose service or one of whose uses carries the name. */
static void find_by_name(const struct cli *cli, const struct ps_key *key,
                         struct found *f)
{
    const struct ps_service *recs[MAX_HITS];
    size_t n = ps_registry_find_name(cli->reg, key->name, key->proto, recs, MAX_HITS);
    for (size_t i = 0; i < n && i < MAX_HITS; i++) {
        const struct ps_knowledge *k = ps_knowledge_for(recs[i]);
        if (k)
            add(f, k);
    }
    size_t count;
    const struct ps_knowledge *all = ps_knowledge_all(&count);
    for (size_t i = 0; i < count; i++) {
        const struct ps_knowledge *k = &all[i];
        if (key->proto != PS_PROTO_ANY && k->proto != key->proto)
            continue;
        bool hit = same_word(k->service, key->name);
        for (unsigned u = 0; !hit && u < k->use_count; u++)
            hit = same_word(k->uses[u].name, key->name);
        if (hit)
            add(f, k);
    }
}

static void find_by_port(const struct ps_key *key, struct found *f)
{
    const struct ps_knowledge *hits[MAX_HITS];
    for (unsigned p = key->port; p <= key->port_end && f->n < MAX_HITS; p++) {
        size_t n = ps_knowledge_find_port(key->proto, p, hits, MAX_HITS);
        for (size_t i = 0; i < n && i < MAX_HITS; i++)
            add(f, hits[i]);
    }
}

/* "CHOICE | WHY" reads better as "CHOICE: WHY". */
static void print_pair(FILE *out, const char *label, const char *text, size_t width)
{
    char buf[2048];
    const char *bar = strchr(text, '|');
    if (bar) {
        size_t n = (size_t)(bar - text);
        while (n && text[n - 1] == ' ')
            n--;
        const char *why = bar + 1;
        while (*why == ' ')
            why++;
        snprintf(buf, sizeof buf, "%s %.*s: %s", label, (int)n, text, why);
    } else {
        snprintf(buf, sizeof buf, "%s %s", label, text);
    }
    cli_wrap_hanging(out, buf, 2, 4, width);
}

static void print_header(const struct cli *cli, const struct ps_knowledge *k,
                         size_t width)
{
    char buf[512], port[32];
    size_t n;
    if (k->port != k->port_end)
        snprintf(port, sizeof port, "%u-%u/%s", k->port, k->port_end, ps_proto_name(k->proto));
    else
        snprintf(port, sizeof port, "%u/%s", k->port, ps_proto_name(k->proto));
    snprintf(buf, sizeof buf, "%s%s%s: %s", port, k->service[0] ? " " : "", k->service,
             k->title);
    if (cli->color)
        fputs("\033[1m", stdout);
    cli_wrap(stdout, buf, 0, width);
    if (cli->color)
        fputs("\033[0m", stdout);
    n = (size_t)snprintf(buf, sizeof buf, "category %s, risk %s", k->category,
                         ps_risk_name(k->risk));
    for (unsigned bit = 0, first = 1; bit < PS_KFLAG_COUNT && n < sizeof buf; bit++)
        if (k->flags & (1u << bit)) {
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", first ? " [" : ", ",
                                  ps_kflag_name(1u << bit));
            first = 0;
        }
    if (k->flags && n < sizeof buf)
        snprintf(buf + n, sizeof buf - n, "]");
    cli_wrap(stdout, buf, 2, width);
}

/* "Label: text", wrapped under the label's indent. */
static void print_line(const char *label, const char *text, size_t width)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s %s", label, text);
    cli_wrap_hanging(stdout, buf, 2, 4, width);
}

static void print_entry(const struct cli *cli, const struct ps_knowledge *k,
                        size_t width)
{
    print_header(cli, k, width);
    if (k->explain[0]) {
        fputc('\n', stdout);
        cli_wrap(stdout, k->explain, 2, width);
    }
    printf("\n  Uses:\n");
    for (unsigned i = 0; i < k->use_count; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "- %s: %s", k->uses[i].name, k->uses[i].note);
        cli_wrap_hanging(stdout, buf, 4, 6, width);
    }
    if (k->alternative[0])
        print_pair(stdout, "Instead:", k->alternative, width);
    if (k->related[0])
        print_line("Related ports:", k->related, width);
    if (k->references[0])
        print_line("References:", k->references, width);
}

static int explain_key(struct cli *cli, const char *text, const struct ps_key *key,
                       bool *first)
{
    struct found f = {.n = 0};
    if (key->kind == PS_KEY_PORT)
        find_by_port(key, &f);
    else
        find_by_name(cli, key, &f);
    if (f.n == 0) {
        cli_error(cli, "explain: the knowledge base has nothing on '%s'%s", text,
                  key->kind == PS_KEY_PORT ? " (try: portscope lookup)" : "");
        return EXIT_NOMATCH;
    }
    size_t width = cli_text_width();
    for (size_t i = 0; i < f.n; i++) {
        if (cli->json) {
            if (ps_knowledge_write_json(f.k[i], stdout))
                return EXIT_FAILURE_;
            continue;
        }
        if (!*first)
            fputc('\n', stdout);
        *first = false;
        print_entry(cli, f.k[i], width);
    }
    return EXIT_OK;
}

static int explain_run(struct cli *cli, int argc, char **argv)
{
    struct cli_parse p = {.cmd = &cmd_explain};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    if (first == argc) {
        cli_error(cli, "explain: no port or service name given");
        fprintf(stderr, "Try '%s explain --help'.\n", cli->prog);
        return EXIT_USAGE;
    }
    int n = argc - first;
    struct ps_key *keys = calloc((size_t)n, sizeof *keys);
    if (!keys)
        return EXIT_FAILURE_;
    status = cli_parse_keys(cli, "explain", n, argv + first, keys);
    if (status == EXIT_OK)
        status = cli_load_registry(cli);
    if (status == EXIT_OK)
        status = cli_check_suspect_keys(cli, "explain", n, argv + first, keys);
    bool first_entry = true;
    for (int i = 0; status != EXIT_USAGE && status != EXIT_FAILURE_ && i < n; i++) {
        int rc = explain_key(cli, argv[first + i], &keys[i], &first_entry);
        if (rc > status)
            status = rc;
    }
    free(keys);
    return cli_finish_output(cli, status);
}

const struct cli_command cmd_explain = {
    .name = "explain",
    .summary = "what a port or service is, how it works, its risks, what instead",
    .run = explain_run,
    .usage = explain_usage,
};
