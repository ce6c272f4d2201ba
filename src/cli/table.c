/* Aligned text tables for people; JSON output does not come here. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"

struct cli_table {
    size_t columns;
    char **cells;      /* rows * columns, row-major; row 0 is the header */
    size_t rows, cap;
};

struct cli_table *cli_table_new(size_t columns, const char *const *headers)
{
    struct cli_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->columns = columns;
    if (cli_table_add(t, headers)) {
        free(t);
        return NULL;
    }
    return t;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        char **grown = realloc(t->cells, cap * t->columns * sizeof *grown);
        if (!grown)
            return -1;
        t->cells = grown;
        t->cap = cap;
    }
    char **row = &t->cells[t->rows * t->columns];
    for (size_t c = 0; c < t->columns; c++) {
        row[c] = strdup(cells[c] ? cells[c] : "");
        if (!row[c]) {
            while (c-- > 0)
                free(row[c]);
            return -1;
        }
    }
    t->rows++;
    return 0;
}

static size_t terminal_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
        ws.ws_col > 20)
        return ws.ws_col;
    return 0; /* not a terminal: never truncate */
}

int cli_table_print(struct cli_table *t, FILE *out, bool color)
{
    size_t width[16] = {0}, cols = t->columns < 16 ? t->columns : 16;
    size_t term = terminal_width();

    if (t->rows <= 1)
        return 0; /* a header over nothing says nothing */

    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t n = strlen(t->cells[r * t->columns + c]);
            if (n > width[c])
                width[c] = n;
        }
    for (size_t r = 0; r < t->rows; r++) {
        size_t used = 0;
        if (r == 0 && color)
            fputs("\033[1m", out);
        for (size_t c = 0; c < cols; c++) {
            const char *cell = t->cells[r * t->columns + c];
            if (c + 1 < cols) {
                fprintf(out, "%-*s  ", (int)width[c], cell);
                used += width[c] + 2;
            } else if (term && used + strlen(cell) > term && used + 4 < term) {
                fprintf(out, "%.*s...", (int)(term - used - 4), cell);
            } else {
                fputs(cell, out);
            }
        }
        if (r == 0 && color)
            fputs("\033[0m", out);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

void cli_table_free(struct cli_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * t->columns; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

void cli_sources_text(const struct cli *cli, const struct ps_service *svc,
                      char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ps_registry_source_count(cli->reg); i++) {
        if (!(svc->sources & (1u << i)))
            continue;
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
                         ps_registry_source(cli->reg, i)->label);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

const char *const cli_service_headers[CLI_SERVICE_COLUMNS] = {
    "PORT", "SERVICE", "ALIASES", "CLASS", "SOURCES", "DESCRIPTION"};

int cli_service_row(struct cli *cli, struct cli_table *t,
                    const struct ps_service *svc)
{
    char port[32], aliases[256] = "", sources[512];
    size_t used = 0;

    if (svc->port_end != svc->port)
        snprintf(port, sizeof port, "%u-%u/%s", svc->port, svc->port_end,
                 ps_proto_name(svc->proto));
    else
        snprintf(port, sizeof port, "%u/%s", svc->port, ps_proto_name(svc->proto));
    for (unsigned i = 0; i < svc->alias_count; i++) {
        int n = snprintf(aliases + used, sizeof aliases - used, "%s%s",
                         i ? "," : "", svc->aliases[i]);
        if (n < 0 || (size_t)n >= sizeof aliases - used)
            break;
        used += (size_t)n;
    }
    cli_sources_text(cli, svc, sources, sizeof sources);
    const char *cells[CLI_SERVICE_COLUMNS] = {
        port, svc->name[0] ? svc->name : "-", aliases[0] ? aliases : "-",
        ps_port_class_name(ps_port_class_of(svc->port)), sources,
        svc->description[0] ? svc->description : "-"};
    return cli_table_add(t, cells);
}
