/* Word wrapping for prose output (explain). */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"

size_t cli_text_width(void)
{
    struct winsize ws;
    size_t w = 80;
    const char *cols = getenv("COLUMNS");
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
        ws.ws_col >= 20)
        w = ws.ws_col;
    else if (cols && atoi(cols) >= 20)
        w = (size_t)atoi(cols);
    return w > 100 ? 100 : w; /* long lines are hard to read */
}

/* Prints one paragraph (no "\n\n" inside) wrapped to width, each line
 * starting with indent spaces. A word longer than a line stands alone. */
static void wrap_paragraph(FILE *out, const char *p, size_t len, size_t indent,
                           size_t hang, size_t width)
{
    bool first_line = true;
    size_t col = 0;
    const char *end = p + len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\n'))
            p++;
        const char *w = p;
        while (p < end && *p != ' ' && *p != '\n')
            p++;
        size_t n = (size_t)(p - w);
        if (n == 0)
            break;
        size_t at = first_line ? indent : hang;
        if (col > at && col + 1 + n > width) {
            fputc('\n', out);
            col = 0;
            first_line = false;
            at = hang;
        }
        if (col == 0) {
            fprintf(out, "%*s", (int)at, "");
            col = at;
        } else {
            fputc(' ', out);
            col++;
        }
        fwrite(w, 1, n, out);
        col += n;
    }
    if (col)
        fputc('\n', out);
}

void cli_wrap(FILE *out, const char *text, size_t indent, size_t width)
{
    cli_wrap_hanging(out, text, indent, indent, width);
}

void cli_wrap_hanging(FILE *out, const char *text, size_t indent, size_t hang,
                      size_t width)
{
    while (*text) {
        const char *brk = strstr(text, "\n\n");
        size_t len = brk ? (size_t)(brk - text) : strlen(text);
        wrap_paragraph(out, text, len, indent, hang, width);
        if (!brk)
            break;
        fputc('\n', out);
        text = brk + 2;
    }
}
