/* nmap's normal output (-oN), laid out as nmap 7.9x lays it out (see
 * printportoutput() and write_host_status() in nmap's output.cc), plus a
 * risk mark for possibly open ports the knowledge base rates high or
 * critical, and a line saying when a host's results are incomplete. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "output/scanout.h"

/* PORT, STATE, SERVICE, REASON (with --reason) and the unnamed risk mark. */
#define COLS 5
#define CELL 80

static int normal_begin(struct ps__scan_out *o, const struct ps_scan_info *info)
{
    return ps__scan_write_initiated(o->out, info);
}

/* "name (ip)" when the target or reverse DNS gave a name, as nmap's
 * Target::NameIP(). */
static int name_ip(const struct ps__scan_view *v, char *buf, size_t len)
{
    const char *name = v->name ? v->name : v->rdns;
    if (name)
        return snprintf(buf, len, "%s (%s)", name, v->ip);
    return snprintf(buf, len, "%s", v->ip);
}

/* nmap prints this with -vv; the engine gives the host's own times. */
static int scanned_at(FILE *f, const struct ps_scan_host *h)
{
    char when[64];
    time_t t = (time_t)ps__scan_secs(h->start_us);
    struct tm tm;

    if (!localtime_r(&t, &tm) ||
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
        return 0;
    return fprintf(f, "Scanned at %s for %" PRId64 "s\n", when,
                   ps__scan_secs(h->end_us) - ps__scan_secs(h->start_us));
}

static int incomplete(FILE *f, const struct ps__scan_view *v)
{
    char text[160];
    ps__scan_incomplete_text(v, text, sizeof text);
    return fprintf(f, "Incomplete: %s.\n", text);
}

static int report_header(const struct ps__scan_out *o,
                         const struct ps__scan_view *v)
{
    FILE *f = o->out;
    const struct ps_scan_host *h = v->h;
    char nip[2 * PS__SCAN_NAME_MAX + 64], lat[32];
    int bad = 0;

    name_ip(v, nip, sizeof nip);
    bad |= fprintf(f, "portscope scan report for %s\n", nip) < 0;
    /* Every host handed to us is up: there is no host discovery, as with
     * nmap -Pn, whose reason for it is "user-set". */
    bad |= fprintf(f, "Host is up%s", o->run.show_reason ? ", received user-set" : "") < 0;
    if (h->srtt_us > 0)
        bad |= fprintf(f, " (%ss latency)", ps__scan_latency(h->srtt_us, lat, sizeof lat)) < 0;
    bad |= fputs(".\n", f) == EOF;
    if (v->name && v->rdns && strcmp(v->name, v->rdns) != 0)
        bad |= fprintf(f, "rDNS record for %s: %s\n", v->ip, v->rdns) < 0;
    if (o->run.verbose > 1 && h->start_us)
        bad |= scanned_at(f, h) < 0;
    if (v->incomplete)
        bad |= incomplete(f, v) < 0;
    return bad ? PS_EIO : 0;
}

/* "Not shown: 98 closed tcp ports (conn-refused), 1 filtered tcp port
 * (no-response)", one part per (state, reason, protocol). As in nmap, the
 * line is empty when nothing is hidden; unlike nmap, each part takes its
 * own plural ("1 closed udp port", where nmap counts the whole state). */
static int not_shown(const struct ps__scan_out *o, const struct ps__scan_view *v)
{
    FILE *f = o->out;
    struct ps__reason_group g[PS__REASON_GROUPS];
    char nip[2 * PS__SCAN_NAME_MAX + 64];
    int bad = 0;

    if (v->hidden_ports == v->h->port_count) {
        name_ip(v, nip, sizeof nip);
        bad |= fprintf(f, "All %zu scanned ports on %s are in ignored states.\n",
                       v->h->port_count, nip) < 0;
    }
    for (size_t i = 0; i < v->hidden_states; i++) {
        enum ps_port_state st = v->order[i];
        size_t n = ps__scan_reasons(v->h, st, g);
        for (size_t k = 0; k < n; k++)
            bad |= fprintf(f, "%s%zu %s %s port%s (%s)",
                           i == 0 && k == 0 ? "Not shown: " : ", ", g[k].count,
                           ps_port_state_name(st), ps_proto_name(g[k].proto),
                           g[k].count == 1 ? "" : "s",
                           ps_port_reason_name(g[k].reason)) < 0;
    }
    bad |= fputc('\n', f) == EOF;
    return bad ? PS_EIO : 0;
}

/* The cells of one port's row; returns how many columns the table has. */
static size_t row_cells(const struct ps__scan_out *o,
                        const struct ps_port_result *p, char cell[COLS][CELL])
{
    char svc[PS_NAME_MAX + 1];
    enum ps_port_state st = ps__port_state(p);
    const char *name = ps__scan_service(o->reg, p->proto, p->port, svc);
    const char *reason = ps_port_reason_name((enum ps_port_reason)p->reason);
    size_t n = 0;

    snprintf(cell[n++], CELL, "%u/%s", (unsigned)p->port, ps_proto_name(p->proto));
    snprintf(cell[n++], CELL, "%s", ps_port_state_name(st));
    snprintf(cell[n++], CELL, "%s", name ? name : "unknown");
    if (o->run.show_reason) {
        if (p->ttl)
            snprintf(cell[n++], CELL, "%s ttl %u", reason, (unsigned)p->ttl);
        else
            snprintf(cell[n++], CELL, "%s", reason);
    }
    /* A risk is about a port others can reach, so closed ones get none. */
    enum ps_risk risk = ps__maybe_open(st)
                            ? ps__scan_risk(o->reg, p->proto, p->port)
                            : PS_RISK_NONE;
    cell[n][0] = '\0';
    if (risk >= PS_RISK_HIGH)
        snprintf(cell[n], CELL, "[risk: %s]", ps_risk_name(risk));
    return n + 1;
}

/* One row as nmap's NmapOutputTable prints it: each cell padded to its
 * column's width plus one space, except after the last non-empty cell. */
static int print_row(FILE *f, char cell[COLS][CELL], size_t n,
                     const size_t width[COLS])
{
    size_t last = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        if (cell[i][0])
            last = i;
    for (size_t i = 0; i <= last; i++) {
        size_t len = strlen(cell[i]);
        bad |= fputs(cell[i], f) == EOF;
        if (i < last)
            bad |= fprintf(f, "%*s", (int)(width[i] - len + 1), "") < 0;
    }
    bad |= fputc('\n', f) == EOF;
    return bad ? PS_EIO : 0;
}

/* The PORT STATE SERVICE table, in two passes: widths, then rows. */
static int table(const struct ps__scan_out *o, const struct ps__scan_view *v)
{
    char head[COLS][CELL] = {"PORT", "STATE", "SERVICE", "", ""}, cell[COLS][CELL];
    size_t width[COLS] = {0}, n = 3;
    const struct ps_scan_host *h = v->h;
    int rc;

    if (o->run.show_reason)
        snprintf(head[n++], CELL, "REASON");
    n++; /* the risk mark, without a heading */
    for (size_t c = 0; c < n; c++)
        width[c] = strlen(head[c]);
    for (size_t i = 0; i < h->port_count; i++) {
        if (v->hidden[ps__port_state(&h->ports[i])])
            continue;
        row_cells(o, &h->ports[i], cell);
        for (size_t c = 0; c < n; c++)
            if (strlen(cell[c]) > width[c])
                width[c] = strlen(cell[c]);
    }
    rc = print_row(o->out, head, n, width);
    for (size_t i = 0; rc == 0 && i < h->port_count; i++) {
        if (v->hidden[ps__port_state(&h->ports[i])])
            continue;
        row_cells(o, &h->ports[i], cell);
        rc = print_row(o->out, cell, n, width);
    }
    return rc;
}

static int normal_host(struct ps__scan_out *o, const struct ps__scan_view *v)
{
    int rc = report_header(o, v);
    /* As nmap: a host without results has no port section at all. */
    if (rc == 0 && v->h->port_count)
        rc = not_shown(o, v);
    if (rc == 0 && v->h->port_count > v->hidden_ports)
        rc = table(o, v);
    if (rc == 0 && fputc('\n', o->out) == EOF)
        rc = PS_EIO;
    return rc;
}

static int normal_end(struct ps__scan_out *o, const struct ps_scan_summary *s)
{
    return ps__scan_write_done(o->out, &o->run, s);
}

const struct ps__scan_format ps__scan_normal = {
    .name = "normal",
    .begin = normal_begin,
    .host = normal_host,
    .end = normal_end,
};
