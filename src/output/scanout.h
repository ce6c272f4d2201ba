/* Scan output formats behind one interface: one file per format
 * (scan_normal.c, scan_xml.c, scan_grep.c, scan_json.c), each a constant
 * struct of callbacks; scan_writer.c implements the public API in
 * portscope/scanout.h on top of them and scan_common.c holds what several
 * formats share. Never installed. */
#ifndef PS_OUTPUT_SCANOUT_H
#define PS_OUTPUT_SCANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/internal.h"
#include "portscope/scanout.h"

/* What begin() was told, kept for later calls: the caller's info need only
 * live during begin(). */
struct ps__scan_run {
    int64_t start_us;
    size_t tcp_ports, udp_ports; /* ports in info->ports, per protocol */
    int verbose, show_reason, open_only;
};

/* Counted by the writer over every host handed to host(), listed or not. */
struct ps__scan_totals {
    uint64_t hosts;
    uint64_t state[PS_PORT__COUNT];
};

/* Longest host name kept (NI_MAXHOST); longer ones are cut. */
#define PS__SCAN_NAME_MAX 1025

/* One host as every format sees it: the engine's record plus what the
 * writer works out once, so that all formats agree on which ports are
 * listed and which are summarised (nmap's "ignored states"). */
struct ps__scan_view {
    const struct ps_scan_host *h;
    char ip[46];                       /* h->ip, formatted */
    const char *name, *rdns;           /* printable copies, or NULL */
    size_t count[PS_PORT__COUNT];      /* ports per state, from h->ports */
    bool hidden[PS_PORT__COUNT];       /* states summarised, not listed */
    enum ps_port_state order[PS_PORT__COUNT]; /* hidden states, most first */
    size_t hidden_states, hidden_ports;
    size_t expected;                   /* ports the portset held, or 0 */
    bool incomplete;                   /* cut short: !complete or timed out */
    char name_buf[PS__SCAN_NAME_MAX + 1], rdns_buf[PS__SCAN_NAME_MAX + 1];
};

/* The writer's state that a format may read; priv is the format's own. */
struct ps__scan_out {
    FILE *out;
    const struct ps_registry *reg;     /* may be NULL: no service names */
    const struct ps_logger *log;       /* may be NULL */
    const char *format;                /* the module's name, for messages */
    struct ps__scan_run run;           /* valid from begin() on */
    struct ps__scan_totals totals;     /* includes the host being written */
    void *priv;
};

/* A format. The writer calls open once, begin once, host once per listed
 * host (a host --open leaves nothing to list is counted but not passed),
 * end once and close once, in that order; after a callback fails with
 * PS_EIO only close follows. Callbacks write to o->out and return 0,
 * PS_EIO when a write failed, or PS_ENOMEM. They need not flush or check
 * ferror(): the writer does both after every call. A format whose output
 * is buffered elsewhere (libxml2) must hand it to o->out before returning,
 * so that the file always holds whole records. */
struct ps__scan_format {
    const char *name;
    int (*open)(struct ps__scan_out *o);   /* may be NULL; sets up priv */
    int (*begin)(struct ps__scan_out *o, const struct ps_scan_info *info);
    int (*host)(struct ps__scan_out *o, const struct ps__scan_view *v);
    int (*end)(struct ps__scan_out *o, const struct ps_scan_summary *s);
    void (*close)(struct ps__scan_out *o); /* may be NULL; must not write */
};

extern const struct ps__scan_format ps__scan_normal;
extern const struct ps__scan_format ps__scan_xml;
extern const struct ps__scan_format ps__scan_grep;
extern const struct ps__scan_format ps__scan_json;

/* --- Shared helpers (scan_common.c) --- */

/* A port's state, with out-of-range values read as PS_PORT_UNKNOWN. */
static inline enum ps_port_state ps__port_state(const struct ps_port_result *p)
{
    return p->state < PS_PORT__COUNT ? (enum ps_port_state)p->state
                                     : PS_PORT_UNKNOWN;
}

/* 1 for open and open|filtered: what --open lists. */
static inline bool ps__maybe_open(enum ps_port_state st)
{
    return st == PS_PORT_OPEN || st == PS_PORT_OPEN_FILTERED;
}

/* Fills v for h; returns false when --open leaves nothing to list. */
bool ps__scan_view_init(struct ps__scan_view *v, const struct ps_scan_host *h,
                        const struct ps__scan_run *run);

/* Copies src into dst (cap bytes, cap >= 1) with every byte that is not
 * part of printable, well-formed UTF-8 (control characters, malformed
 * sequences, characters XML 1.0 forbids) replaced by '?', so that names and
 * command lines from the network or the user can break neither a line of
 * text nor an XML or JSON document. Stops before a character that does not
 * fit. Returns dst. */
char *ps__scan_clean(char *dst, size_t cap, const char *src);

/* As ps__scan_clean() into a malloc'd copy; NULL without memory. */
char *ps__scan_clean_dup(const char *src);

/* Why v->h is incomplete and what is known, for a marking line: "the
 * scan stopped before this host was finished; results for 40 of 100
 * ports". */
void ps__scan_incomplete_text(const struct ps__scan_view *v, char *buf,
                              size_t len);

/* Ports of state st, grouped by (reason, proto), most ports first. */
struct ps__reason_group {
    enum ps_port_reason reason;
    unsigned proto;
    size_t count;
};
#define PS__REASON_GROUPS (2 * PS_REASON__COUNT)
size_t ps__scan_reasons(const struct ps_scan_host *h, enum ps_port_state st,
                        struct ps__reason_group out[PS__REASON_GROUPS]);

/* The registry's name for (proto, port), made printable into buf: the
 * record for that very port before a range covering it. NULL when reg is
 * NULL or nothing is named. */
const char *ps__scan_service(const struct ps_registry *reg, unsigned proto,
                             unsigned port, char buf[PS_NAME_MAX + 1]);

/* The highest knowledge-base risk of (proto, port), read as the audit
 * reads it: entries describing the registry's records there, and entries
 * for that exact port. PS_RISK_NONE when nothing is known. */
enum ps_risk ps__scan_risk(const struct ps_registry *reg, unsigned proto,
                           unsigned port);

/* Dates. ctime() layout in local time ("Mon Jan  1 00:00:00 2024"), with
 * English names whatever the locale, as nmap writes them. */
#define PS__DATE_LEN 32
char *ps__scan_ctime(int64_t us, char buf[PS__DATE_LEN]);
/* ISO 8601 in UTC, "2024-01-01T00:00:00Z". */
char *ps__scan_iso8601(int64_t us, char buf[PS__DATE_LEN]);
/* Whole seconds since the epoch, rounded down. */
int64_t ps__scan_secs(int64_t us);
/* to - from in seconds (never negative). */
double ps__scan_elapsed(int64_t from_us, int64_t to_us);

/* us as seconds with two significant digits, as nmap prints latency
 * ("0.00012"). */
char *ps__scan_latency(int64_t us, char *buf, size_t len);

/* "Mon Jan  1 00:00:00 2024 -- 2 IP addresses (1 host up) scanned in 3.00
 * seconds" with sep between date and counts (nmap: " --" in text, ";" in
 * XML). */
void ps__scan_done_text(char *buf, size_t len, const char *sep,
                        const struct ps__scan_run *run,
                        const struct ps_scan_summary *s);

/* Shared by the two nmap text formats: the "# ... scan initiated" line,
 * and the closing lines (an interruption note, then "# ... done at"). */
int ps__scan_write_initiated(FILE *out, const struct ps_scan_info *info);
int ps__scan_write_done(FILE *out, const struct ps__scan_run *run,
                        const struct ps_scan_summary *s);

/* A growing string. On allocation failure it stops growing and remembers
 * it: ps__sbuf_str() then returns NULL. */
struct ps__sbuf {
    char *data;
    size_t len, cap;
    bool failed;
};
void ps__sbuf_add(struct ps__sbuf *b, const char *s, size_t n);
void ps__sbuf_printf(struct ps__sbuf *b, const char *fmt, ...) PS__PRINTF(2, 3);
const char *ps__sbuf_str(const struct ps__sbuf *b);
void ps__sbuf_free(struct ps__sbuf *b);

/* nmap's port lists: ascending ports written as "1-100,631,5432". */
struct ps__portlist {
    struct ps__sbuf *b;
    long first, last;
    bool any;
};
void ps__portlist_init(struct ps__portlist *l, struct ps__sbuf *b);
void ps__portlist_add(struct ps__portlist *l, unsigned port);
void ps__portlist_end(struct ps__portlist *l);
/* The ports of set for proto, as a port list appended to b. */
void ps__portlist_of_set(struct ps__sbuf *b, const struct ps_portset *set,
                         enum ps_proto proto);

#endif
