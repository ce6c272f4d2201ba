/* Loader for IANA's service-names-port-numbers CSV, through libcsv.
 *
 * Columns used: 0 Service Name, 1 Port Number, 2 Transport Protocol,
 * 3 Description. Quoted fields may span lines. Rows with no port (names
 * registered for DNS-SD only) and "Unassigned" rows are not services and are
 * passed over; "Reserved" rows keep an empty name; a row with no transport
 * (reserved ranges) applies to TCP and UDP. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"

#define FIELDS_USED 4
#define FIELD_CAP 512 /* longer descriptions are cut; names never get here */

struct iana_row {
    char text[FIELDS_USED][FIELD_CAP];
    size_t len[FIELDS_USED];
    size_t field;       /* index of the next field in the row */
    size_t row;         /* 1-based row number */
    size_t line;        /* physical line being fed to the parser */
    size_t row_line;    /* line where the current row's first field ended */
    int error;          /* first PS_E* code met in a callback */
    struct ps_registry *reg;
    size_t src;
};

/* Copies a field, folding runs of white space (quoted newlines) to one. */
static void on_field(void *data, size_t len, void *user)
{
    struct iana_row *r = user;
    if (r->field == 0)
        r->row_line = r->line;
    if (r->field < FIELDS_USED) {
        char *out = r->text[r->field];
        size_t n = 0;
        const char *in = data;
        size_t i = 0;
        for (; i < len && n < FIELD_CAP - 1; i++) {
            char c = in[i];
            bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
            if (space && (n == 0 || out[n - 1] == ' '))
                continue;
            out[n++] = space ? ' ' : c;
        }
        if (n == FIELD_CAP - 1 && i < len) {
            /* Cut short: drop a possibly partial UTF-8 character at the
             * end (continuation bytes and their lead byte). */
            while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
                n--;
            if (n > 0 && (unsigned char)out[n - 1] >= 0xC0)
                n--;
        }
        while (n > 0 && out[n - 1] == ' ')
            n--;
        out[n] = '\0';
        r->len[r->field] = n;
    }
    r->field++;
}

static bool parse_uint(const char *s, size_t len, unsigned *out)
{
    unsigned v = 0;
    if (len == 0 || len > 5)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return v <= PS_PORT_MAX;
}

/* "80" or "6000-6063". Returns NULL or why the field is bad. */
static const char *parse_ports(const char *s, size_t len, unsigned *lo,
                               unsigned *hi)
{
    const char *dash = memchr(s, '-', len);
    if (!dash) {
        if (!parse_uint(s, len, lo))
            return "port number is not a number from 0 to 65535";
        *hi = *lo;
        return NULL;
    }
    if (!parse_uint(s, (size_t)(dash - s), lo) ||
        !parse_uint(dash + 1, len - (size_t)(dash - s) - 1, hi))
        return "port range is not NUMBER-NUMBER within 0 to 65535";
    return *lo <= *hi ? NULL : "port range is reversed";
}

static bool is_header(const struct iana_row *r)
{
    const char *first = r->text[0];
    if (strncmp(first, "\xEF\xBB\xBF", 3) == 0)
        first += 3; /* a UTF-8 byte order mark before the header */
    return r->row == 1 && ps__strcaseeq(first, "service name");
}

static const char *put_row(struct iana_row *r)
{
    struct ps__entry e = {.frequency = -1};
    enum ps_proto protos[2];
    size_t nproto = 0;

    if (r->len[1] == 0)
        return NULL; /* a service name without a port */
    const char *why = parse_ports(r->text[1], r->len[1], &e.port, &e.port_end);
    if (why)
        return why;
    if (ps__strcaseeq(r->text[3], "unassigned"))
        return NULL;
    if (r->len[0] > PS_NAME_MAX)
        return "service name longer than 63 characters";
    if (r->len[2] == 0) {
        protos[nproto++] = PS_PROTO_TCP;
        protos[nproto++] = PS_PROTO_UDP;
    } else if (ps_proto_parse(r->text[2], r->len[2], &protos[nproto++])) {
        return "unknown transport protocol";
    }
    e.name = r->text[0];
    e.name_len = r->len[0];
    e.desc = r->text[3];
    e.desc_len = r->len[3];
    for (size_t i = 0; i < nproto; i++) {
        e.proto = protos[i];
        int rc = ps__registry_put(r->reg, r->src, &e);
        if (rc) {
            r->error = rc;
            return NULL;
        }
    }
    return NULL;
}

static void on_row(int term, void *user)
{
    struct iana_row *r = user;
    (void)term;
    r->row++;
    for (size_t i = r->field; i < FIELDS_USED; i++) {
        r->text[i][0] = '\0';
        r->len[i] = 0;
    }
    if (!is_header(r) && !r->error) {
        const char *why = r->field < 2 ? "row has fewer than 2 fields"
                                       : put_row(r);
        if (why)
            ps__source_bad_line(r->reg, r->src, r->row_line, why);
    }
    r->field = 0;
}

int ps__parse_iana(struct ps_registry *reg, size_t src, const char *data,
                   size_t len)
{
    struct csv_parser p;
    struct iana_row *row = calloc(1, sizeof *row);
    int rc = 0;

    if (!row)
        return PS_ENOMEM;
    row->reg = reg;
    row->src = src;
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        free(row);
        return PS_ENOMEM;
    }
    /* Fed a line at a time so messages can name the line, not the row:
     * quoted fields may span lines. */
    for (size_t at = 0; at < len && rc == 0;) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (data + at)) + 1 : len - at;
        row->line++;
        if (csv_parse(&p, data + at, n, on_field, on_row, row) != n)
            rc = csv_error(&p) == CSV_ENOMEM ? PS_ENOMEM : PS_EPARSE;
        at += n;
    }
    if (rc == 0 && csv_fini(&p, on_field, on_row, row) != 0)
        rc = PS_EPARSE;
    if (!rc)
        rc = row->error;
    if (rc == PS_EPARSE)
        ps__log(&reg->log, PS_LOG_ERROR, "%s:%zu: CSV syntax error",
                reg->sources[src].path ? reg->sources[src].path
                                       : reg->sources[src].label,
                row->line);
    reg->sources[src].lines = row->row;
    csv_free(&p);
    free(row);
    return rc;
}
