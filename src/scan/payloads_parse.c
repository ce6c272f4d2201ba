/* Parser for nmap's nmap-payloads file:
 *
 *   # a comment, to the end of the line
 *   udp 53,5353,26000-26004        one entry: protocol, ports,
 *     "\x12\x34\x01\x00"           then one or more quoted strings that
 *     "\x00\x01..."                join into one payload (one datagram),
 *   source 500                     then optional keywords
 *
 * Tokens may be broken across lines, and comments may sit between the
 * strings. Strings take the escapes of nmap's cstring_unescape: \0 (a NUL
 * byte and nothing more: "\012" is a NUL then "12", as in nmap), \a \b \f
 * \n \r \t \v, \xHH (exactly two hex digits), and a backslash before any
 * other punctuation stands for that character (\\, \"). A backslash before
 * another letter or digit is an error, since nmap rejects it too.
 *
 * Keywords after the strings: "source PORT" records the source port the
 * payload wants; any other keyword is ignored with the rest of its line (a
 * warning), as nmap's format asks so that new keywords can be added. Only
 * "udp" may start an entry.
 *
 * Everything is checked before anything is added, so a bad file changes
 * nothing: the first problem is logged as "FILE:LINE: what" and the load
 * returns PS_EPARSE. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/internal.h"
#include "scan/payloads.h"

/* One entry of the file: its payload is bytes[off .. off + len - 1]. */
struct entry {
    size_t off, len;
    size_t line;             /* of its "udp" */
    uint16_t source_port;
};

struct parse {
    const char *p, *end;     /* what is left of the text */
    size_t line;             /* of *p, from 1 */
    const char *name;
    const struct ps_logger *log;
    uint8_t *bytes;          /* every entry's payload, one after another */
    size_t nbytes, bytes_cap;
    struct entry *ent;
    size_t nent, ent_cap;
    struct ps__payload_range *r;  /* r[i].payload numbers an entry */
    size_t nr, r_cap;
};

/* Logs "NAME:LINE: what" at level; returns PS_EPARSE for fail(). */
PS__PRINTF(4, 5)
static int report(const struct parse *ps, enum ps_log_level level,
                  size_t line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ps__log(ps->log, level, "%s:%zu: %s", ps->name, line, msg);
    return PS_EPARSE;
}

#define fail(ps, line, ...) report((ps), PS_LOG_ERROR, (line), __VA_ARGS__)
#define warn(ps, line, ...) (void)report((ps), PS_LOG_WARN, (line), __VA_ARGS__)

/* A token as it may be quoted in a message: printable ASCII only (the
 * input may hold anything), cut after 40 characters. */
static const char *show(const char *s, size_t len, char buf[48])
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < 40; i++)
        buf[n++] = s[i] >= ' ' && s[i] <= '~' ? s[i] : '?';
    buf[n] = '\0';
    if (len > 40)
        strcpy(buf + n, "...");
    return buf;
}

/* ---- Characters and tokens. */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
           c == '\n';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Skips white space, newlines and comments. */
static void skip_blank(struct parse *ps)
{
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == '#') {
            const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
            ps->p = nl ? nl : ps->end;
        } else if (is_blank(c)) {
            ps->line += c == '\n';
            ps->p++;
        } else {
            break;
        }
    }
}

/* Skips white space up to the end of the line (for a keyword's value,
 * which must be on the keyword's line). */
static void skip_inline(struct parse *ps)
{
    while (ps->p < ps->end && is_blank(*ps->p) && *ps->p != '\n')
        ps->p++;
}

static void skip_line(struct parse *ps)
{
    const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));
    ps->p = nl ? nl : ps->end;
}

/* The word at p: a run of anything but white space, '#' and '"'. */
static size_t read_word(struct parse *ps, const char **w)
{
    const char *s = ps->p;
    while (ps->p < ps->end && !is_blank(*ps->p) && *ps->p != '#' &&
           *ps->p != '"')
        ps->p++;
    *w = s;
    return (size_t)(ps->p - s);
}

static int word_is(const char *w, size_t len, const char *lit)
{
    return len == strlen(lit) && memcmp(w, lit, len) == 0;
}

static int at_string(const struct parse *ps)
{
    return ps->p < ps->end && *ps->p == '"';
}

/* ---- Ports. */

/* A decimal number at s[*i] (saturated at 65536, so that a long one is
 * "above 65535", not a wrapped value). 0 if there is no digit. */
static int read_number(const char *s, size_t len, size_t *i, uint32_t *v)
{
    size_t start = *i;
    *v = 0;
    for (; *i < len && is_digit(s[*i]); (*i)++) {
        *v = *v * 10 + (uint32_t)(s[*i] - '0');
        if (*v > 65536)
            *v = 65536;
    }
    return *i > start;
}

static int bad_list(const struct parse *ps, const char *s, size_t len)
{
    char buf[48];
    return fail(ps, ps->line, "bad port list '%s': expected PORT or "
                "LOW-HIGH, separated by commas", show(s, len, buf));
}

/* "PORT" or "LOW-HIGH" at s[*i], checked. */
static int read_range(const struct parse *ps, const char *s, size_t len,
                      size_t *i, uint32_t *lo, uint32_t *hi)
{
    char buf[48];
    if (!read_number(s, len, i, lo))
        return bad_list(ps, s, len);
    *hi = *lo;
    if (*i < len && s[*i] == '-') {
        (*i)++;
        if (!read_number(s, len, i, hi))
            return fail(ps, ps->line, "bad port range in '%s': expected "
                        "LOW-HIGH", show(s, len, buf));
    }
    if (*lo == 0 || *hi == 0)
        return fail(ps, ps->line, "port 0 in '%s': payloads go to ports "
                    "1-65535", show(s, len, buf));
    if (*lo > 65535 || *hi > 65535)
        return fail(ps, ps->line, "port above 65535 in '%s'",
                    show(s, len, buf));
    if (*lo > *hi)
        return fail(ps, ps->line, "reversed range %u-%u", (unsigned)*lo,
                    (unsigned)*hi);
    return 0;
}

static int cmp_range(const void *a, const void *b)
{
    const struct ps__payload_range *x = a, *y = b;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Sorts the ranges of one entry and merges those that overlap or touch,
 * so that "7,7" or "1-10,5" does not send one payload twice to a port. */
static void merge_ranges(struct ps__payload_range *r, size_t *n)
{
    size_t k = 0;
    qsort(r, *n, sizeof *r, cmp_range);
    for (size_t i = 0; i < *n; i++) {
        if (k > 0 && r[i].lo <= (uint32_t)r[k - 1].hi + 1) {
            if (r[i].hi > r[k - 1].hi)
                r[k - 1].hi = r[i].hi;
        } else {
            r[k++] = r[i];
        }
    }
    *n = k;
}

/* The port list of entry number e: "7,9,17,32768-65535". */
static int parse_ports(struct parse *ps, const char *s, size_t len, size_t e)
{
    size_t i = 0, first = ps->nr;

    for (;;) {
        uint32_t lo = 0, hi = 0; /* set on success; gcc cannot tell */
        int rc = read_range(ps, s, len, &i, &lo, &hi);
        if (rc)
            return rc;
        void *v = ps__grow_array(ps->r, &ps->r_cap, ps->nr + 1, sizeof *ps->r);
        if (!v)
            return PS_ENOMEM;
        ps->r = v;
        ps->r[ps->nr++] = (struct ps__payload_range){(uint16_t)lo, (uint16_t)hi,
                                                     (uint32_t)e};
        if (i == len)
            break;
        if (s[i] != ',')
            return bad_list(ps, s, len);
        i++;
    }
    size_t n = ps->nr - first;
    merge_ranges(ps->r + first, &n);
    ps->nr = first + n;
    return 0;
}

/* ---- Strings. */

static int put_byte(struct parse *ps, const struct entry *e, uint8_t c)
{
    if (ps->nbytes - e->off >= PS__PAYLOAD_LEN_MAX)
        return fail(ps, ps->line, "payload longer than %u bytes, the most "
                    "one datagram carries", PS__PAYLOAD_LEN_MAX);
    void *v = ps__grow_array(ps->bytes, &ps->bytes_cap, ps->nbytes + 1, 1);
    if (!v)
        return PS_ENOMEM;
    ps->bytes = v;
    ps->bytes[ps->nbytes++] = c;
    return 0;
}

/* The escape after a backslash (p is past it): its byte in *out. */
static int read_escape(struct parse *ps, uint8_t *out)
{
    static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v";
    if (ps->p == ps->end || *ps->p == '\n')
        return fail(ps, ps->line, "backslash at the end of a line");
    char c = *ps->p++;
    if (c == 'x') {
        int h = ps->end - ps->p >= 2 ? hex_value(ps->p[0]) : -1;
        int l = h >= 0 ? hex_value(ps->p[1]) : -1;
        if (l < 0)
            return fail(ps, ps->line, "\\x needs two hex digits");
        ps->p += 2;
        *out = (uint8_t)(h << 4 | l);
        return 0;
    }
    if (c == '0') {
        if (ps->p < ps->end && is_digit(*ps->p))
            warn(ps, ps->line, "\\0%c is a NUL byte then '%c', as in nmap "
                 "(there are no octal escapes); write \\xHH for one byte",
                 *ps->p, *ps->p);
        *out = 0;
        return 0;
    }
    for (size_t i = 0; simple[i]; i += 2)
        if (c == simple[i]) {
            *out = (uint8_t)simple[i + 1];
            return 0;
        }
    if (is_digit(c))
        return fail(ps, ps->line, "\\%c: there are no octal escapes; "
                    "write \\xHH", c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return fail(ps, ps->line, "unknown escape \\%c", c);
    *out = (uint8_t)c; /* \\ \" and any other punctuation: itself */
    return 0;
}

/* One quoted string (p at its opening quote), appended to e's payload. */
static int read_string(struct parse *ps, const struct entry *e)
{
    size_t line = ps->line;
    ps->p++;
    for (;;) {
        if (ps->p == ps->end || *ps->p == '\n')
            return fail(ps, line, "unterminated string (a string ends on its "
                                  "line; go on with another \"...\")");
        char c = *ps->p++;
        if (c == '"')
            return 0;
        uint8_t byte = (uint8_t)c;
        int rc = c == '\\' ? read_escape(ps, &byte) : 0;
        if (rc == 0)
            rc = put_byte(ps, e, byte);
        if (rc)
            return rc;
    }
}

/* ---- Entries. */

/* "source PORT", the keyword read; the value must be on its line. */
static int parse_source(struct parse *ps, struct entry *e)
{
    const char *w;
    size_t len, i = 0;
    uint32_t port;
    char buf[48];

    skip_inline(ps);
    len = read_word(ps, &w);
    if (len == 0)
        return fail(ps, ps->line, "source needs a port number on its line");
    if (!read_number(w, len, &i, &port) || i != len || port == 0 ||
        port > 65535)
        return fail(ps, ps->line, "bad source port '%s': expected 1-65535",
                    show(w, len, buf));
    if (e->source_port)
        return fail(ps, ps->line, "source given twice for one entry");
    e->source_port = (uint16_t)port;
    return 0;
}

/* The keywords after an entry's strings, up to the next "udp". */
static int parse_keywords(struct parse *ps, struct entry *e)
{
    for (;;) {
        skip_blank(ps);
        const char *start = ps->p, *w;
        size_t line = ps->line, len = read_word(ps, &w);
        char buf[48];
        if (len == 0 || word_is(w, len, "udp")) {
            ps->p = start; /* the end, a stray string, or the next entry */
            return 0;
        }
        if (word_is(w, len, "source")) {
            int rc = parse_source(ps, e);
            if (rc)
                return rc;
        } else {
            warn(ps, line, "unknown keyword '%s' ignored, with the rest of "
                 "its line", show(w, len, buf));
            skip_line(ps);
        }
    }
}

/* Why a word cannot start an entry. */
static int bad_start(const struct parse *ps, const char *w, size_t len)
{
    char buf[48];
    if (len == 0)
        return fail(ps, ps->line, "a quoted string where an entry should "
                    "start (strings follow the port list, before keywords)");
    if (word_is(w, len, "tcp") || word_is(w, len, "sctp"))
        return fail(ps, ps->line, "only udp payloads are supported, not %s",
                    show(w, len, buf));
    return fail(ps, ps->line, "unknown keyword '%s' (an entry starts with "
                "udp PORTS \"payload\")", show(w, len, buf));
}

/* One entry, p at its first word. */
static int parse_entry(struct parse *ps)
{
    struct entry e = {.off = ps->nbytes, .line = ps->line};
    const char *w;
    size_t len = read_word(ps, &w);
    int rc;

    if (!word_is(w, len, "udp"))
        return bad_start(ps, w, len);
    skip_blank(ps);
    len = read_word(ps, &w);
    if (len == 0)
        return fail(ps, e.line, "udp needs a port list");
    if ((rc = parse_ports(ps, w, len, ps->nent)))
        return rc;
    skip_blank(ps);
    if (!at_string(ps))
        return fail(ps, ps->line, "expected a quoted payload after the "
                    "port list");
    while (at_string(ps)) {
        if ((rc = read_string(ps, &e)))
            return rc;
        skip_blank(ps);
    }
    e.len = ps->nbytes - e.off;
    if ((rc = parse_keywords(ps, &e)))
        return rc;
    void *v = ps__grow_array(ps->ent, &ps->ent_cap, ps->nent + 1,
                             sizeof *ps->ent);
    if (!v)
        return PS_ENOMEM;
    ps->ent = v;
    ps->ent[ps->nent++] = e;
    return 0;
}

/* No port may get more than PS__PAYLOADS_PER_PORT_MAX payloads: counted
 * with a difference array over all ports, so a hostile file costs time
 * linear in its size. */
static int check_per_port(const struct parse *ps)
{
    if (ps->nent <= PS__PAYLOADS_PER_PORT_MAX)
        return 0; /* an entry covers a port once (merge_ranges) */
    int32_t *d = calloc(65537, sizeof *d);
    if (!d)
        return PS_ENOMEM;
    for (size_t i = 0; i < ps->nr; i++) {
        d[ps->r[i].lo]++;
        d[ps->r[i].hi + 1]--;
    }
    uint32_t port = 0;
    for (int32_t sum = 0; port <= 65535; port++)
        if ((sum += d[port]) > (int32_t)PS__PAYLOADS_PER_PORT_MAX)
            break;
    free(d);
    if (port > 65535)
        return 0;
    /* The entry that went over: the 256th to cover the port. */
    size_t seen = 0, i = 0;
    for (; i < ps->nr; i++)
        if (ps->r[i].lo <= port && port <= ps->r[i].hi &&
            ++seen > PS__PAYLOADS_PER_PORT_MAX)
            break;
    return fail(ps, ps->ent[ps->r[i].payload].line,
                "more than %u payloads for port %u", PS__PAYLOADS_PER_PORT_MAX,
                (unsigned)port);
}

/* Hands the checked entries to the set, which copies their bytes. */
static int commit(struct parse *ps, struct ps__payloads *p)
{
    if (ps->nent == 0)
        return 0;
    struct ps__payload *pl = malloc(ps->nent * sizeof *pl);
    if (!pl)
        return PS_ENOMEM;
    for (size_t i = 0; i < ps->nent; i++) {
        const struct entry *e = &ps->ent[i];
        /* Empty payloads may leave bytes NULL; the set does not read
         * data when len is 0. */
        pl[i] = (struct ps__payload){e->len ? ps->bytes + e->off : NULL,
                                     e->len, e->source_port};
    }
    int rc = ps__payloads_add(p, pl, ps->nent, ps->r, ps->nr, 1);
    free(pl);
    return rc;
}

int ps__payloads_load(struct ps__payloads *p, const char *text, size_t len,
                      const char *name, const struct ps_logger *log)
{
    if (!p || !name || (!text && len))
        return PS_EINVAL;
    struct parse ps = {.line = 1, .name = name, .log = log};
    int rc = 0;

    if (len > 0) { /* with len 0 text may be NULL, and NULL + 0 is undefined */
        ps.p = text;
        ps.end = text + len;
        for (skip_blank(&ps); rc == 0 && ps.p < ps.end; skip_blank(&ps))
            rc = parse_entry(&ps);
    }
    if (rc == 0)
        rc = check_per_port(&ps);
    if (rc == 0)
        rc = commit(&ps, p);
    if (rc == PS_ENOMEM)
        ps__log(log, PS_LOG_ERROR, "%s: %s", name, ps_strerror(rc));
    free(ps.bytes);
    free(ps.ent);
    free(ps.r);
    return rc;
}

int ps__payloads_load_file(struct ps__payloads *p, const char *path,
                           const struct ps_logger *log)
{
    char *data;
    size_t len;

    if (!p || !path)
        return PS_EINVAL;
    int rc = ps__read_file(path, &data, &len, NULL);
    if (rc) {
        /* A missing file is the caller's call: nmap may not be installed. */
        ps__log(log, rc == PS_ENOENT ? PS_LOG_DEBUG : PS_LOG_ERROR, "%s: %s",
                path, ps_strerror(rc));
        return rc;
    }
    rc = ps__payloads_load(p, data, len, path, log);
    free(data);
    return rc;
}
