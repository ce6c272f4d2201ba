/* What the scan output formats share: the per-host view (which states are
 * listed), names, dates, risk marks and nmap's port lists. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/scanout.h"
#include "portscope/knowledge.h"
#include "portscope/version.h"

/* --- Which states are listed --- */

/* nmap's PortList::isIgnoredState(): a state with more than 25 ports (25
 * times verbose + 1 with -v) is summarised on one line instead of listed;
 * open ports always show; with --open, everything but open and
 * open|filtered is summarised. nmap also lists "unknown" under --open; we
 * do not, since --open promises possibly open ports only. */
static bool ignored(enum ps_port_state st, size_t count,
                    const struct ps__scan_run *run)
{
    if (count == 0 || st == PS_PORT_OPEN)
        return false;
    if (run->open_only)
        return st != PS_PORT_OPEN_FILTERED;
    if (st == PS_PORT_UNKNOWN)
        return false;
    if (st == PS_PORT_OPEN_FILTERED && run->verbose > 2)
        return false;
    size_t max = 25;
    if (run->verbose > 0)
        max *= (size_t)run->verbose + 1;
    return count > max;
}

/* Hidden states with the most ports first; ties in enum order, which for
 * the states that can be hidden is nmap's order too. */
static void order_hidden(struct ps__scan_view *v)
{
    v->hidden_states = 0;
    for (int st = 0; st < PS_PORT__COUNT; st++) {
        if (!v->hidden[st])
            continue;
        size_t i = v->hidden_states++;
        while (i > 0 && v->count[v->order[i - 1]] < v->count[st]) {
            v->order[i] = v->order[i - 1];
            i--;
        }
        v->order[i] = (enum ps_port_state)st;
    }
}

static const char *printable(const char *s, char *buf, size_t len)
{
    return s && *s ? ps__scan_clean(buf, len, s) : NULL;
}

bool ps__scan_view_init(struct ps__scan_view *v, const struct ps_scan_host *h,
                        const struct ps__scan_run *run)
{
    memset(v->count, 0, sizeof v->count);
    v->h = h;
    ps_ip_format(&h->ip, v->ip, sizeof v->ip);
    v->name = printable(h->name, v->name_buf, sizeof v->name_buf);
    v->rdns = printable(h->rdns, v->rdns_buf, sizeof v->rdns_buf);
    for (size_t i = 0; i < h->port_count; i++)
        v->count[ps__port_state(&h->ports[i])]++;
    v->hidden_ports = 0;
    for (int st = 0; st < PS_PORT__COUNT; st++) {
        v->hidden[st] = ignored((enum ps_port_state)st, v->count[st], run);
        if (v->hidden[st])
            v->hidden_ports += v->count[st];
    }
    order_hidden(v);
    v->expected = run->tcp_ports + run->udp_ports;
    v->incomplete = !h->complete || h->timed_out;
    if (run->open_only)
        return v->count[PS_PORT_OPEN] + v->count[PS_PORT_OPEN_FILTERED] > 0;
    return true;
}

void ps__scan_incomplete_text(const struct ps__scan_view *v, char *buf,
                              size_t len)
{
    const char *why = v->h->timed_out ? "--host-timeout expired"
                                      : "the scan stopped";
    if (v->expected)
        snprintf(buf, len, "%s before this host was finished; results for "
                 "%zu of %zu ports", why, v->h->port_count, v->expected);
    else
        snprintf(buf, len, "%s before this host was finished; results for "
                 "%zu ports", why, v->h->port_count);
}

size_t ps__scan_reasons(const struct ps_scan_host *h, enum ps_port_state st,
                        struct ps__reason_group out[PS__REASON_GROUPS])
{
    size_t n = 0;
    for (size_t i = 0; i < h->port_count; i++) {
        const struct ps_port_result *p = &h->ports[i];
        if (ps__port_state(p) != st)
            continue;
        enum ps_port_reason r = p->reason < PS_REASON__COUNT
                                    ? (enum ps_port_reason)p->reason
                                    : PS_REASON_NONE;
        size_t g = 0;
        while (g < n && (out[g].reason != r || out[g].proto != p->proto))
            g++;
        if (g == n) {
            if (n == PS__REASON_GROUPS)
                continue; /* only with protocols the writer refuses */
            out[n++] = (struct ps__reason_group){r, p->proto, 0};
        }
        out[g].count++;
    }
    /* Most ports first; a stable sort keeps TCP before UDP on ties. */
    for (size_t i = 1; i < n; i++) {
        struct ps__reason_group g = out[i];
        size_t j = i;
        for (; j > 0 && out[j - 1].count < g.count; j--)
            out[j] = out[j - 1];
        out[j] = g;
    }
    return n;
}

/* --- Text that came from outside --- */

/* Length of the printable, well-formed UTF-8 character at s, or 0. C0 and
 * C1 controls, DEL, surrogates and U+FFFE/U+FFFF are refused: the last
 * ones are not XML 1.0 characters at all. */
static size_t char_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    uint32_t cp;

    if (c < 0x80)
        return c < 0x20 || c == 0x7f ? 0 : 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) { /* stops at the NUL: never reads past */
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0; /* overlong or beyond Unicode */
    if (cp < 0xa0 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe ||
        cp == 0xffff)
        return 0;
    return n;
}

char *ps__scan_clean(char *dst, size_t cap, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t o = 0;

    while (*s) {
        size_t n = char_len(s);
        size_t k = n ? n : 1;
        if (o + k >= cap)
            break;
        if (n)
            memcpy(dst + o, s, n);
        else
            dst[o] = '?';
        o += k;
        s += k;
    }
    dst[o] = '\0';
    return dst;
}

char *ps__scan_clean_dup(const char *src)
{
    size_t len = strlen(src) + 1; /* cleaning never lengthens */
    char *dst = malloc(len);
    return dst ? ps__scan_clean(dst, len, src) : NULL;
}

/* --- Registry and knowledge --- */

const char *ps__scan_service(const struct ps_registry *reg, unsigned proto,
                             unsigned port, char buf[PS_NAME_MAX + 1])
{
    const struct ps_service *recs[8];
    const char *range = NULL;
    size_t n = reg ? ps_registry_find_port(reg, (enum ps_proto)proto, port,
                                           recs, 8)
                   : 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        if (!recs[i]->name[0])
            continue;
        if (recs[i]->port == recs[i]->port_end)
            return ps__scan_clean(buf, PS_NAME_MAX + 1, recs[i]->name);
        if (!range)
            range = recs[i]->name;
    }
    return range ? ps__scan_clean(buf, PS_NAME_MAX + 1, range) : NULL;
}

enum ps_risk ps__scan_risk(const struct ps_registry *reg, unsigned proto,
                           unsigned port)
{
    const struct ps_service *recs[8];
    const struct ps_knowledge *hits[8];
    enum ps_risk risk = PS_RISK_NONE;
    size_t n = reg ? ps_registry_find_port(reg, (enum ps_proto)proto, port,
                                           recs, 8)
                   : 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        const struct ps_knowledge *k = ps_knowledge_for(recs[i]);
        if (k && k->risk > risk)
            risk = k->risk;
    }
    /* A range entry (a P2P block, say) says little about one port in it
     * unless the registry names that service, so only exact ones count. */
    n = ps_knowledge_find_port((enum ps_proto)proto, port, hits, 8);
    for (size_t i = 0; i < n && i < 8; i++)
        if (hits[i]->port == hits[i]->port_end && hits[i]->risk > risk)
            risk = hits[i]->risk;
    return risk;
}

/* --- Dates --- */

int64_t ps__scan_secs(int64_t us)
{
    return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

double ps__scan_elapsed(int64_t from_us, int64_t to_us)
{
    return to_us > from_us ? (double)(to_us - from_us) / 1e6 : 0.0;
}

char *ps__scan_ctime(int64_t us, char buf[PS__DATE_LEN])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu",
                                    "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May",
        "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)ps__scan_secs(us);
    struct tm tm;

    if (!localtime_r(&t, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 ||
        tm.tm_mon < 0 || tm.tm_mon > 11) {
        snprintf(buf, PS__DATE_LEN, "@%" PRId64, ps__scan_secs(us));
        return buf;
    }
    snprintf(buf, PS__DATE_LEN, "%s %s %2d %02d:%02d:%02d %d",
             days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    return buf;
}

char *ps__scan_iso8601(int64_t us, char buf[PS__DATE_LEN])
{
    time_t t = (time_t)ps__scan_secs(us);
    struct tm tm;

    if (!gmtime_r(&t, &tm) ||
        strftime(buf, PS__DATE_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, PS__DATE_LEN, "1970-01-01T00:00:00Z");
    return buf;
}

/* nmap's num_to_string_sigdigits(us / 1e6, 2), in integers so that the
 * same input always prints the same text. */
char *ps__scan_latency(int64_t us, char *buf, size_t len)
{
    uint64_t v = us > 0 ? (uint64_t)us : 0, pow = 1;
    int digits = 1;

    for (uint64_t t = v; t >= 10 && digits < 20; t /= 10)
        digits++;
    /* Two significant digits: r units of 10^(digits - 8) seconds. */
    uint64_t r = v * 10;
    if (digits >= 2) {
        for (int i = 0; i < digits - 2; i++)
            pow *= 10;
        r = (v + pow / 2) / pow;
    }
    if (digits >= 8) {
        for (int i = 0; i < digits - 8; i++)
            r *= 10;
        snprintf(buf, len, "%" PRIu64, r);
        return buf;
    }
    unsigned decimals = (unsigned)(8 - digits) & 7u; /* 1..7 */
    uint64_t scale = 1;
    for (unsigned i = 0; i < decimals; i++)
        scale *= 10;
    snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, r / scale, (int)decimals,
             r % scale);
    return buf;
}

void ps__scan_done_text(char *buf, size_t len, const char *sep,
                        const struct ps__scan_run *run,
                        const struct ps_scan_summary *s)
{
    char date[PS__DATE_LEN];
    snprintf(buf, len,
             "%s%s %" PRIu64 " IP address%s (%" PRIu64
             " host%s up) scanned in %.2f seconds",
             ps__scan_ctime(s->end_us, date), sep, s->hosts_total,
             s->hosts_total == 1 ? "" : "es", s->hosts_up,
             s->hosts_up == 1 ? "" : "s",
             ps__scan_elapsed(run->start_us, s->end_us));
}

int ps__scan_write_initiated(FILE *out, const struct ps_scan_info *info)
{
    char date[PS__DATE_LEN];
    const char *version = info->version ? info->version : PS_VERSION_STRING;
    char *cmd = info->command_line ? ps__scan_clean_dup(info->command_line)
                                   : NULL;
    if (info->command_line && !cmd)
        return PS_ENOMEM;
    char *ver = ps__scan_clean_dup(version);
    int rc = ver ? 0 : PS_ENOMEM;
    if (ver && fprintf(out, "# portscope %s scan initiated %s%s%s\n", ver,
                       ps__scan_ctime(info->start_us, date),
                       cmd ? " as: " : "", cmd ? cmd : "") < 0)
        rc = PS_EIO;
    free(ver);
    free(cmd);
    return rc;
}

int ps__scan_write_done(FILE *out, const struct ps__scan_run *run,
                        const struct ps_scan_summary *s)
{
    char text[256];

    if (s->interrupted || s->error) {
        char *why = s->error ? ps__scan_clean_dup(s->error) : NULL;
        if (s->error && !why)
            return PS_ENOMEM;
        int n = fprintf(out, "# Scan interrupted%s%s -- the results are "
                        "incomplete.\n", why ? ": " : "", why ? why : "");
        free(why);
        if (n < 0)
            return PS_EIO;
    }
    ps__scan_done_text(text, sizeof text, " --", run, s);
    return fprintf(out, "# portscope done at %s\n", text) < 0 ? PS_EIO : 0;
}

/* --- Strings and port lists --- */

void ps__sbuf_add(struct ps__sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ps__sbuf_printf(struct ps__sbuf *b, const char *fmt, ...)
{
    char small[128];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
    } else if ((size_t)n < sizeof small) {
        ps__sbuf_add(b, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big) {
            b->failed = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        ps__sbuf_add(b, big, (size_t)n);
        free(big);
    }
}

const char *ps__sbuf_str(const struct ps__sbuf *b)
{
    if (b->failed)
        return NULL;
    return b->data ? b->data : "";
}

void ps__sbuf_free(struct ps__sbuf *b)
{
    free(b->data);
    *b = (struct ps__sbuf){0};
}

void ps__portlist_init(struct ps__portlist *l, struct ps__sbuf *b)
{
    *l = (struct ps__portlist){.b = b, .first = -1, .last = -1};
}

static void portlist_flush(struct ps__portlist *l)
{
    if (l->first < 0)
        return;
    const char *comma = l->any ? "," : "";
    if (l->first == l->last)
        ps__sbuf_printf(l->b, "%s%ld", comma, l->first);
    else
        ps__sbuf_printf(l->b, "%s%ld-%ld", comma, l->first, l->last);
    l->any = true;
}

void ps__portlist_add(struct ps__portlist *l, unsigned port)
{
    if (l->last >= 0 && (long)port == l->last + 1) {
        l->last = port;
        return;
    }
    portlist_flush(l);
    l->first = l->last = port;
}

void ps__portlist_end(struct ps__portlist *l)
{
    portlist_flush(l);
    l->first = l->last = -1;
}

void ps__portlist_of_set(struct ps__sbuf *b, const struct ps_portset *set,
                         enum ps_proto proto)
{
    struct ps__portlist l;
    ps__portlist_init(&l, b);
    if (set)
        for (long p = ps_portset_next(set, proto, 0); p >= 0;
             p = ps_portset_next(set, proto, (unsigned long)p + 1))
            ps__portlist_add(&l, (unsigned)p);
    ps__portlist_end(&l);
}
