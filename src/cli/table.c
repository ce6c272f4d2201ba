/* Aligned text tables for people; JSON output does not come here. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"

/* Cells are kept in one text buffer addressed by offsets: a lookup of a
 * thousand ports makes thousands of cells, and one allocation per cell
 * would cost more than the lookups. */
struct cli_table {
    size_t columns;
    size_t *cell;      /* rows * columns offsets into text; row 0 = header */
    size_t rows, cap;
    char *text;
    size_t text_len, text_cap;
    size_t *note_row, *note_text; /* detail lines: row, offset in text */
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

static int text_add(struct cli_table *t, const char *s, size_t *off)
{
    size_t n = strlen(s) + 1;
    if (t->text_len + n > t->text_cap) {
        size_t cap = t->text_cap ? t->text_cap : 4096;
        while (cap < t->text_len + n)
            cap *= 2;
        char *grown = realloc(t->text, cap);
        if (!grown)
            return -1;
        t->text = grown;
        t->text_cap = cap;
    }
    memcpy(t->text + t->text_len, s, n);
    *off = t->text_len;
    t->text_len += n;
    return 0;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        size_t *grown = realloc(t->cell, cap * t->columns * sizeof *grown);
        if (!grown)
            return -1;
        t->cell = grown;
        t->cap = cap;
    }
    size_t *row = &t->cell[t->rows * t->columns];
    for (size_t c = 0; c < t->columns; c++)
        if (text_add(t, cells[c] ? cells[c] : "", &row[c]))
            return -1;
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

/* Rows are assembled in one buffer and written with a single fwrite. */
struct line {
    char *buf;
    size_t len, cap;
};

static int line_put(struct line *l, const char *s, size_t n)
{
    if (l->len + n > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->len + n)
            cap *= 2;
        char *grown = realloc(l->buf, cap);
        if (!grown)
            return -1;
        l->buf = grown;
        l->cap = cap;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    return 0;
}

static int line_pad(struct line *l, size_t n)
{
    static const char spaces[] = "                                        ";
    int rc = 0;
    while (rc == 0 && n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        rc = line_put(l, spaces, k);
        n -= k;
    }
    return rc;
}

static int row_build(const struct cli_table *t, size_t r, const size_t *width,
                     size_t cols, size_t term, struct line *l)
{
    size_t used = 0;
    int rc = 0;
    l->len = 0;
    for (size_t c = 0; rc == 0 && c < cols; c++) {
        const char *cell = t->text + t->cell[r * t->columns + c];
        size_t n = strlen(cell);
        if (c + 1 < cols) {
            rc = line_put(l, cell, n) || line_pad(l, width[c] - n + 2);
            used += width[c] + 2;
        } else if (term && used + n > term && used + 4 < term) {
            size_t keep = term - used - 4;
            /* Cut between characters, not inside a UTF-8 sequence. */
            while (keep > 0 && ((unsigned char)cell[keep] & 0xC0) == 0x80)
                keep--;
            rc = line_put(l, cell, keep) || line_put(l, "...", 3);
        } else {
            rc = line_put(l, cell, n);
        }
    }
    return rc ? rc : line_put(l, "\n", 1);
}

static int print_notes(const struct cli_table *t, size_t r, size_t *next,
                       size_t indent, size_t term, struct line *l, FILE *out);

int cli_table_print(struct cli_table *t, FILE *out, bool color)
{
    size_t width[16] = {0}, cols = t->columns < 16 ? t->columns : 16;
    size_t term = terminal_width();
    struct line l = {0};
    int rc = 0;

    if (t->rows <= 1)
        return 0; /* a header over nothing says nothing */
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t n = strlen(t->text + t->cell[r * t->columns + c]);
            if (n > width[c])
                width[c] = n;
        }
    size_t next_note = 0;
    for (size_t r = 0; rc == 0 && r < t->rows; r++) {
        rc = row_build(t, r, width, cols, term, &l);
        if (rc == 0 && r == 0 && color)
            fputs("\033[1m", out);
        if (rc == 0)
            fwrite(l.buf, 1, l.len - (r == 0 && color), out);
        if (rc == 0 && r == 0 && color)
            fputs("\033[0m\n", out);
        if (rc == 0)
            rc = print_notes(t, r, &next_note, width[0] + 2, term, &l, out);
    }
    free(l.buf);
    return rc || ferror(out) ? -1 : 0;
}

int cli_table_note(struct cli_table *t, const char *text)
{
    if (t->notes == t->note_cap) {
        size_t cap = t->note_cap ? t->note_cap * 2 : 32;
        size_t *rows = realloc(t->note_row, cap * sizeof *rows);
        if (!rows)
            return -1;
        t->note_row = rows;
        size_t *texts = realloc(t->note_text, cap * sizeof *texts);
        if (!texts)
            return -1;
        t->note_text = texts;
        t->note_cap = cap;
    }
    if (text_add(t, text, &t->note_text[t->notes]))
        return -1;
    t->note_row[t->notes++] = t->rows - 1;
    return 0;
}

/* Notes of row r start at *next (notes are added in row order). */
static int print_notes(const struct cli_table *t, size_t r, size_t *next,
                       size_t indent, size_t term, struct line *l, FILE *out)
{
    for (; *next < t->notes && t->note_row[*next] == r; ++*next) {
        const char *text = t->text + t->note_text[*next];
        size_t n = strlen(text);
        l->len = 0;
        if (line_pad(l, indent) ||
            line_put(l, text, term && indent + n > term ? term - indent : n) ||
            line_put(l, "\n", 1))
            return -1;
        fwrite(l->buf, 1, l->len, out);
    }
    return 0;
}

void cli_table_free(struct cli_table *t)
{
    if (!t)
        return;
    free(t->note_row);
    free(t->note_text);
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
