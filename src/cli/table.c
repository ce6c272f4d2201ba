/* Aligned text tables for people; JSON output does not come here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"

/* Cells are kept in one text buffer addressed by offsets, with their
 * lengths: a lookup of a thousand ports makes thousands of cells, and one
 * allocation, or one strlen, per cell would cost more than the lookups. */
struct cell {
    uint32_t off, len;
};

struct cli_table {
    size_t columns;
    struct cell *cell;   /* rows * columns; row 0 is the header */
    size_t rows, cap;
    char *text;
    size_t text_len, text_cap;
    struct cell *note;   /* detail lines printed under a row */
    size_t *note_row;
    size_t notes, note_cap;
};

struct cli_table *cli_table_new(size_t columns, const char *const *headers)
{
    struct cli_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->columns = columns;
    if (cli_table_add(t, headers)) {
        cli_table_free(t);
        return NULL;
    }
    return t;
}

static int text_add(struct cli_table *t, const char *s, struct cell *c)
{
    size_t n = strlen(s);
    if (t->text_len + n > t->text_cap) {
        size_t cap = t->text_cap ? t->text_cap : 64 * 1024;
        while (cap < t->text_len + n)
            cap *= 2;
        if (cap > UINT32_MAX)
            return -1;
        char *grown = realloc(t->text, cap);
        if (!grown)
            return -1;
        t->text = grown;
        t->text_cap = cap;
    }
    memcpy(t->text + t->text_len, s, n);
    c->off = (uint32_t)t->text_len;
    c->len = (uint32_t)n;
    t->text_len += n;
    return 0;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct cell *grown = realloc(t->cell, cap * t->columns * sizeof *grown);
        if (!grown)
            return -1;
        t->cell = grown;
        t->cap = cap;
    }
    struct cell *row = &t->cell[t->rows * t->columns];
    for (size_t c = 0; c < t->columns; c++)
        if (text_add(t, cells[c] ? cells[c] : "", &row[c]))
            return -1;
    t->rows++;
    return 0;
}

int cli_table_note(struct cli_table *t, const char *text)
{
    if (t->notes == t->note_cap) {
        size_t cap = t->note_cap ? t->note_cap * 2 : 64;
        struct cell *notes = realloc(t->note, cap * sizeof *notes);
        if (!notes)
            return -1;
        t->note = notes;
        size_t *rows = realloc(t->note_row, cap * sizeof *rows);
        if (!rows)
            return -1;
        t->note_row = rows;
        t->note_cap = cap;
    }
    if (text_add(t, text, &t->note[t->notes]))
        return -1;
    t->note_row[t->notes++] = t->rows - 1;
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

static void pad(FILE *out, size_t n)
{
    static const char spaces[] = "                                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        fwrite_unlocked(spaces, 1, k, out);
        n -= k;
    }
}

/* Writes the last cell of a line, cut at the terminal width between
 * characters (never inside a UTF-8 sequence). */
static void put_last(FILE *out, const char *cell, size_t n, size_t used, size_t term)
{
    if (term && used + n > term && used + 4 < term) {
        size_t keep = term - used - 4;
        while (keep > 0 && ((unsigned char)cell[keep] & 0xC0) == 0x80)
            keep--;
        fwrite_unlocked(cell, 1, keep, out);
        fwrite_unlocked("...", 1, 3, out);
    } else {
        fwrite_unlocked(cell, 1, n, out);
    }
}

static void print_row(const struct cli_table *t, size_t r, const size_t *width,
                      size_t cols, size_t term, FILE *out)
{
    size_t used = 0;
    for (size_t c = 0; c < cols; c++) {
        const struct cell *cell = &t->cell[r * t->columns + c];
        const char *text = t->text + cell->off;
        if (c + 1 == cols) {
            put_last(out, text, cell->len, used, term);
            break;
        }
        fwrite_unlocked(text, 1, cell->len, out);
        pad(out, width[c] - cell->len + 2);
        used += width[c] + 2;
    }
}

int cli_table_print(struct cli_table *t, FILE *out, bool color)
{
    size_t width[16] = {0}, cols = t->columns < 16 ? t->columns : 16;
    size_t term = terminal_width(), next_note = 0;

    if (t->rows <= 1)
        return 0; /* a header over nothing says nothing */
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < cols; c++)
            if (t->cell[r * t->columns + c].len > width[c])
                width[c] = t->cell[r * t->columns + c].len;
    for (size_t r = 0; r < t->rows; r++) {
        if (r == 0 && color)
            fputs("\033[1m", out);
        print_row(t, r, width, cols, term, out);
        if (r == 0 && color)
            fputs("\033[0m", out);
        fputc_unlocked('\n', out);
        for (; next_note < t->notes && t->note_row[next_note] == r; next_note++) {
            const struct cell *n = &t->note[next_note];
            pad(out, width[0] + 2);
            put_last(out, t->text + n->off, n->len, width[0] + 2, term);
            fputc_unlocked('\n', out);
        }
    }
    return ferror(out) ? -1 : 0;
}

void cli_table_free(struct cli_table *t)
{
    if (!t)
        return;
    free(t->note_row);
    free(t->note);
    free(t->cell);
    free(t->text);
    free(t);
}

/* Appends s to buf (len bytes, used so far *used), always terminating;
 * snprintf per piece was the main cost of printing a long lookup. */
static void append(char *buf, size_t len, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n >= len)
        n = *used + 1 < len ? len - *used - 1 : 0;
    memcpy(buf + *used, s, n);
    *used += n;
    buf[*used] = '\0';
}

static void append_uint(char *buf, size_t len, size_t *used, unsigned v)
{
    char digits[12], *p = digits + sizeof digits - 1;
    *p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    append(buf, len, used, p);
}

void cli_sources_text(const struct cli *cli, const struct ps_service *svc,
                      char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ps_registry_source_count(cli->reg); i++) {
        if (!(svc->sources & (1u << i)))
            continue;
        if (used)
            append(buf, len, &used, ",");
        append(buf, len, &used, ps_registry_source(cli->reg, i)->label);
    }
}

const char *const cli_service_headers[CLI_SERVICE_COLUMNS] = {
    "PORT", "SERVICE", "ALIASES", "CLASS", "RISK", "CATEGORY", "SOURCES",
    "DESCRIPTION"};

/* Under a row: what the port is used for, its flags, and the safer choice. */
static int knowledge_notes(struct cli_table *t, const struct ps_knowledge *k)
{
    char buf[1024];
    size_t used = 0;
    buf[0] = '\0';
    append(buf, sizeof buf, &used, "uses: ");
    for (unsigned i = 0; i < k->use_count; i++) {
        if (i)
            append(buf, sizeof buf, &used, "; ");
        append(buf, sizeof buf, &used, k->uses[i].name);
    }
    for (unsigned bit = 0, first = 1; bit < PS_KFLAG_COUNT; bit++)
        if (k->flags & (1u << bit)) {
            append(buf, sizeof buf, &used, first ? "  [" : ", ");
            append(buf, sizeof buf, &used, ps_kflag_name(1u << bit));
            first = 0;
        }
    if (k->flags)
        append(buf, sizeof buf, &used, "]");
    if (cli_table_note(t, buf))
        return -1;
    if (!k->alternative[0])
        return 0;
    used = 0;
    append(buf, sizeof buf, &used, "instead: ");
    append(buf, sizeof buf, &used, k->alternative);
    char *bar = strstr(buf, " | "); /* "CHOICE | WHY" reads as "CHOICE: WHY" */
    if (bar)
        memmove(bar, bar + 1, strlen(bar + 1) + 1), bar[0] = ':';
    return cli_table_note(t, buf);
}

int cli_service_row(struct cli *cli, struct cli_table *t,
                    const struct ps_service *svc)
{
    char port[32], aliases[256] = "", sources[512];
    size_t used = 0;

    append_uint(port, sizeof port, &used, svc->port);
    if (svc->port_end != svc->port) {
        append(port, sizeof port, &used, "-");
        append_uint(port, sizeof port, &used, svc->port_end);
    }
    append(port, sizeof port, &used, "/");
    append(port, sizeof port, &used, ps_proto_name(svc->proto));
    used = 0;
    for (unsigned i = 0; i < svc->alias_count; i++) {
        if (i)
            append(aliases, sizeof aliases, &used, ",");
        append(aliases, sizeof aliases, &used, svc->aliases[i]);
    }
    cli_sources_text(cli, svc, sources, sizeof sources);
    const struct ps_knowledge *k = ps_knowledge_for(svc);
    const char *cells[CLI_SERVICE_COLUMNS] = {
        port, svc->name[0] ? svc->name : "-", aliases[0] ? aliases : "-",
        ps_port_class_name(ps_port_class_of(svc->port)),
        k ? ps_risk_name(k->risk) : "-", k ? k->category : "-", sources,
        svc->description[0] ? svc->description : k ? k->title : "-"};
    if (cli_table_add(t, cells))
        return -1;
    return k ? knowledge_notes(t, k) : 0;
}
