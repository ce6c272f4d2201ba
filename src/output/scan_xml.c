/* nmap's XML output (-oX), valid against nmap.dtd (xmloutputversion 1.05),
 * written with libxml2's xmlTextWriter, which keeps the stack of open
 * elements and escapes every attribute. Elements and attributes follow
 * nmap's output.cc; what differs is said where it is written.
 *
 * After each call the libxml2 buffer is handed to the FILE, so the file is
 * always a prefix of a valid document that end() completes. Once output
 * has started, any failure leaves a document that cannot be completed, so
 * every failure here is reported as PS_EIO, which the writer keeps. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libxml/xmlwriter.h>

#include "output/scanout.h"
#include "portscope/version.h"

struct xml_state {
    xmlTextWriterPtr w;
    FILE *out;
    bool io_failed; /* a write to out failed */
    bool detached;  /* out may be gone: drop whatever libxml2 still flushes */
};

/* libxml2's output callback. A failure is remembered rather than returned:
 * libxml2 would report it on stderr, and the library prints nothing. The
 * writer sees it through ferror() as well. */
static int sink(void *ctx, const char *buf, int len)
{
    struct xml_state *x = ctx;
    if (!x->detached && !x->io_failed && len > 0 &&
        fwrite(buf, 1, (size_t)len, x->out) != (size_t)len)
        x->io_failed = true;
    return len;
}

static int sink_close(void *ctx)
{
    (void)ctx; /* the caller owns the FILE */
    return 0;
}

static int xml_open(struct ps__scan_out *o)
{
    /* libxml2 wants its globals set up once before threads use it; this
     * is idempotent, and the library never calls xmlCleanupParser(), which
     * would pull them from under the program. */
    xmlInitParser();
    struct xml_state *x = calloc(1, sizeof *x);
    if (!x)
        return PS_ENOMEM;
    x->out = o->out;
    xmlOutputBufferPtr buf = xmlOutputBufferCreateIO(sink, sink_close, x, NULL);
    x->w = buf ? xmlNewTextWriter(buf) : NULL;
    if (!x->w) {
        if (buf)
            xmlOutputBufferClose(buf);
        free(x);
        return PS_ENOMEM;
    }
    /* One element a line, without indentation, much as nmap writes it. */
    xmlTextWriterSetIndent(x->w, 1);
    xmlTextWriterSetIndentString(x->w, BAD_CAST "");
    o->priv = x;
    return 0;
}

static void xml_close(struct ps__scan_out *o)
{
    struct xml_state *x = o->priv;
    x->detached = true;
    xmlFreeTextWriter(x->w);
    free(x);
}

/* Ends a call: hands libxml2's buffer to the FILE. */
static int settle(struct ps__scan_out *o, int bad)
{
    struct xml_state *x = o->priv;
    if (xmlTextWriterFlush(x->w) < 0)
        bad = 1;
    if (bad && !x->io_failed)
        ps__log(o->log, PS_LOG_ERROR, "xml scan output: libxml2 failed "
                "(out of memory?); the document cannot be completed");
    return bad || x->io_failed ? PS_EIO : 0;
}

/* Small wrappers: each returns 1 on failure, so calls OR together. */
static int start(xmlTextWriterPtr w, const char *name)
{
    return xmlTextWriterStartElement(w, BAD_CAST name) < 0;
}

static int end(xmlTextWriterPtr w)
{
    return xmlTextWriterEndElement(w) < 0;
}

static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value) < 0;
}

/* <name a="v" .../> from name, value pairs ending with NULL. */
static int leaf(xmlTextWriterPtr w, const char *name, const char *const *attrs)
{
    int bad = start(w, name);
    for (size_t i = 0; attrs[i]; i += 2)
        bad |= attr(w, attrs[i], attrs[i + 1]);
    return bad | end(w);
}

static int attr_u64(xmlTextWriterPtr w, const char *name, uint64_t value)
{
    return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%" PRIu64,
                                             value) < 0;
}

static int attr_i64(xmlTextWriterPtr w, const char *name, int64_t value)
{
    return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%" PRId64,
                                             value) < 0;
}

/* --- begin --- */

/* The scan types nmap.dtd allows that probe TCP ports. */
static bool tcp_type(const char *type)
{
    static const char *const types[] = {"syn", "ack", "bounce", "connect",
        "null", "xmas", "window", "maimon", "fin"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(type, types[i]) == 0)
            return true;
    return false;
}

/* " portscope 0.1.0 scan initiated DATE as: CMD ". A comment may not hold
 * "--", so, as nmap does, the second '-' of a pair becomes "&#45;", which a
 * reader sees as plain text (a comment holds no references). */
static char *comment_text(const char *version, const char *date,
                          const char *cmd)
{
    struct ps__sbuf raw = {0}, b = {0};
    ps__sbuf_printf(&raw, " portscope %s scan initiated %s%s%s ", version,
                    date, cmd ? " as: " : "", cmd ? cmd : "");
    const char *s = ps__sbuf_str(&raw);
    for (size_t i = 0; s && s[i]; i++) {
        if (s[i] == '-' && i > 0 && s[i - 1] == '-')
            ps__sbuf_add(&b, "&#45;", 5);
        else
            ps__sbuf_add(&b, s + i, 1);
    }
    ps__sbuf_free(&raw);
    if (!s || !ps__sbuf_str(&b)) {
        ps__sbuf_free(&b);
        return NULL;
    }
    return b.data;
}

static int scaninfo(xmlTextWriterPtr w, const char *type,
                    const struct ps_portset *set, enum ps_proto proto,
                    size_t count)
{
    struct ps__sbuf b = {0};
    ps__portlist_of_set(&b, set, proto);
    const char *list = ps__sbuf_str(&b);
    int bad = !list;
    if (list) {
        bad |= start(w, "scaninfo");
        bad |= attr(w, "type", type);
        bad |= attr(w, "protocol", ps_proto_name(proto));
        bad |= attr_u64(w, "numservices", count);
        bad |= attr(w, "services", list);
        bad |= end(w);
    }
    ps__sbuf_free(&b);
    return bad;
}

/* The root element and what precedes the hosts. nmap.dtd allows only
 * scanner="nmap", so our name goes in version ("portscope 0.1.0"), the
 * leading comment and args (our command line). */
static int run_start(struct ps__scan_out *o, const struct ps_scan_info *info,
                     const char *version, const char *cmd,
                     const char *comment)
{
    xmlTextWriterPtr w = ((struct xml_state *)o->priv)->w;
    char date[PS__DATE_LEN];
    int bad = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;

    bad |= xmlTextWriterWriteDTD(w, BAD_CAST "nmaprun", NULL, NULL, NULL) < 0;
    bad |= xmlTextWriterWriteComment(w, BAD_CAST comment) < 0;
    bad |= start(w, "nmaprun");
    bad |= attr(w, "scanner", "nmap");
    if (cmd)
        bad |= attr(w, "args", cmd);
    bad |= attr_i64(w, "start", ps__scan_secs(info->start_us));
    bad |= attr(w, "startstr", ps__scan_ctime(info->start_us, date));
    bad |= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "version",
                                             "portscope %s", version) < 0;
    bad |= attr(w, "xmloutputversion", "1.05");
    /* A UDP scan probes only the UDP ports; a TCP scan type names how the
     * TCP ones were probed, and the UDP ones of the set by a UDP scan. */
    if (strcmp(info->scan_type, "udp") != 0 && o->run.tcp_ports)
        bad |= scaninfo(w, info->scan_type, info->ports, PS_PROTO_TCP,
                        o->run.tcp_ports);
    if (o->run.udp_ports)
        bad |= scaninfo(w, "udp", info->ports, PS_PROTO_UDP, o->run.udp_ports);
    char level[24];
    snprintf(level, sizeof level, "%d", o->run.verbose);
    bad |= leaf(w, "verbose", (const char *[]){"level", level, NULL});
    bad |= leaf(w, "debugging", (const char *[]){"level", "0", NULL});
    return bad;
}

static int xml_begin(struct ps__scan_out *o, const struct ps_scan_info *info)
{
    char date[PS__DATE_LEN];

    if (!info->scan_type ||
        (!tcp_type(info->scan_type) && strcmp(info->scan_type, "udp") != 0)) {
        ps__log(o->log, PS_LOG_ERROR, "xml scan output: scan type %s is not "
                "one nmap.dtd allows", info->scan_type ? info->scan_type : "(none)");
        return PS_EINVAL;
    }
    char *version = ps__scan_clean_dup(info->version ? info->version
                                                     : PS_VERSION_STRING);
    char *cmd = info->command_line ? ps__scan_clean_dup(info->command_line)
                                   : NULL;
    char *comment = version ? comment_text(version,
                                           ps__scan_ctime(info->start_us, date),
                                           cmd)
                            : NULL;
    int rc = PS_ENOMEM; /* nothing written yet: the caller may try again */
    if (version && comment && (cmd || !info->command_line))
        rc = settle(o, run_start(o, info, version, cmd, comment));
    free(version);
    free(cmd);
    free(comment);
    return rc;
}

/* --- host --- */

static int host_start(xmlTextWriterPtr w, const struct ps__scan_view *v)
{
    const struct ps_scan_host *h = v->h;
    int bad = start(w, "host");

    bad |= attr_i64(w, "starttime", ps__scan_secs(h->start_us));
    bad |= attr_i64(w, "endtime", ps__scan_secs(h->end_us));
    if (h->timed_out)
        bad |= attr(w, "timedout", "true");
    if (v->incomplete) {
        char text[160];
        ps__scan_incomplete_text(v, text, sizeof text);
        bad |= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "comment",
                                                 "incomplete: %s", text) < 0;
    }
    /* No host discovery: a host is up on the user's word, as with -Pn. */
    bad |= leaf(w, "status", (const char *[]){"state", "up", "reason",
                                              "user-set", "reason_ttl", "0", NULL});
    bad |= leaf(w, "address", (const char *[]){"addr", v->ip, "addrtype",
                h->ip.family == AF_INET6 ? "ipv6" : "ipv4", NULL});
    bad |= start(w, "hostnames");
    if (v->name)
        bad |= leaf(w, "hostname", (const char *[]){"name", v->name, "type",
                                                    "user", NULL});
    if (v->rdns)
        bad |= leaf(w, "hostname", (const char *[]){"name", v->rdns, "type",
                                                    "PTR", NULL});
    return bad | end(w);
}

static int extrareasons(xmlTextWriterPtr w, const struct ps_scan_host *h,
                        enum ps_port_state st, const struct ps__reason_group *g)
{
    struct ps__sbuf b = {0};
    struct ps__portlist l;

    ps__portlist_init(&l, &b);
    for (size_t i = 0; i < h->port_count; i++) {
        const struct ps_port_result *p = &h->ports[i];
        enum ps_port_reason r = p->reason < PS_REASON__COUNT
                                    ? (enum ps_port_reason)p->reason
                                    : PS_REASON_NONE;
        if (ps__port_state(p) == st && r == g->reason && p->proto == g->proto)
            ps__portlist_add(&l, p->port);
    }
    ps__portlist_end(&l);
    const char *ports = ps__sbuf_str(&b);
    int bad = !ports;
    if (ports) {
        char count[24];
        snprintf(count, sizeof count, "%zu", g->count);
        bad |= leaf(w, "extrareasons", (const char *[]){
            "reason", ps_port_reason_name(g->reason), "count", count,
            "proto", ps_proto_name(g->proto), "ports", ports, NULL});
    }
    ps__sbuf_free(&b);
    return bad;
}

static int extraports(xmlTextWriterPtr w, const struct ps__scan_view *v,
                      enum ps_port_state st)
{
    struct ps__reason_group g[PS__REASON_GROUPS];
    size_t n = ps__scan_reasons(v->h, st, g);
    int bad = start(w, "extraports");

    bad |= attr(w, "state", ps_port_state_name(st));
    bad |= attr_u64(w, "count", v->count[st]);
    for (size_t k = 0; k < n; k++)
        bad |= extrareasons(w, v->h, st, &g[k]);
    return bad | end(w);
}

static int port_element(const struct ps__scan_out *o, xmlTextWriterPtr w,
                        const struct ps_port_result *p)
{
    char svc[PS_NAME_MAX + 1];
    const char *name = ps__scan_service(o->reg, p->proto, p->port, svc);
    int bad = start(w, "port");

    bad |= attr(w, "protocol", ps_proto_name(p->proto));
    bad |= attr_u64(w, "portid", p->port);
    char ttl[8];
    snprintf(ttl, sizeof ttl, "%u", (unsigned)p->ttl);
    bad |= leaf(w, "state", (const char *[]){
        "state", ps_port_state_name(ps__port_state(p)),
        "reason", ps_port_reason_name((enum ps_port_reason)p->reason),
        "reason_ttl", ttl, NULL});
    /* The name comes from the registry, nmap's "table" method; conf 3 is
     * what nmap gives a table lookup. */
    if (name)
        bad |= leaf(w, "service", (const char *[]){"name", name, "method",
                                                   "table", "conf", "3", NULL});
    return bad | end(w);
}

static int ports(const struct ps__scan_out *o, xmlTextWriterPtr w,
                 const struct ps__scan_view *v)
{
    const struct ps_scan_host *h = v->h;
    int bad = start(w, "ports");

    for (size_t i = 0; i < v->hidden_states; i++)
        bad |= extraports(w, v, v->order[i]);
    for (size_t i = 0; i < h->port_count; i++)
        if (!v->hidden[ps__port_state(&h->ports[i])])
            bad |= port_element(o, w, &h->ports[i]);
    return bad | end(w);
}

static int xml_host(struct ps__scan_out *o, const struct ps__scan_view *v)
{
    xmlTextWriterPtr w = ((struct xml_state *)o->priv)->w;
    const struct ps_scan_host *h = v->h;
    int bad = host_start(w, v);

    if (h->port_count) /* as nmap: no <ports> without results */
        bad |= ports(o, w, v);
    if (h->srtt_us || h->rttvar_us || h->timeout_us) {
        char srtt[24], rttvar[24], to[24];
        snprintf(srtt, sizeof srtt, "%" PRId64, h->srtt_us);
        snprintf(rttvar, sizeof rttvar, "%" PRId64, h->rttvar_us);
        snprintf(to, sizeof to, "%" PRId64, h->timeout_us);
        bad |= leaf(w, "times", (const char *[]){"srtt", srtt, "rttvar",
                                                 rttvar, "to", to, NULL});
    }
    return settle(o, bad | end(w));
}

/* --- end --- */

/* <finished>: exit="error" with the reason when the scan stopped early,
 * which nmap.dtd provides for exactly this. */
static int finished(struct ps__scan_out *o, xmlTextWriterPtr w,
                    const struct ps_scan_summary *s)
{
    char date[PS__DATE_LEN], text[256];
    bool failed = s->interrupted || s->error;
    int bad = start(w, "finished");

    ps__scan_done_text(text, sizeof text, ";", &o->run, s);
    bad |= attr_i64(w, "time", ps__scan_secs(s->end_us));
    bad |= attr(w, "timestr", ps__scan_ctime(s->end_us, date));
    bad |= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "summary",
                                             "portscope done at %s", text) < 0;
    bad |= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "elapsed", "%.2f",
            ps__scan_elapsed(o->run.start_us, s->end_us)) < 0;
    bad |= attr(w, "exit", failed ? "error" : "success");
    if (failed) {
        char *why = s->error ? ps__scan_clean_dup(s->error) : NULL;
        bad |= attr(w, "errormsg", why ? why : s->error ? "?" : "interrupted");
        free(why);
    }
    return bad | end(w);
}

static int xml_end(struct ps__scan_out *o, const struct ps_scan_summary *s)
{
    xmlTextWriterPtr w = ((struct xml_state *)o->priv)->w;
    char up[24], down[24], total[24];
    int bad = start(w, "runstats");

    bad |= finished(o, w, s);
    snprintf(up, sizeof up, "%" PRIu64, s->hosts_up);
    snprintf(down, sizeof down, "%" PRIu64, s->hosts_down);
    snprintf(total, sizeof total, "%" PRIu64, s->hosts_total);
    bad |= leaf(w, "hosts", (const char *[]){"up", up, "down", down,
                                             "total", total, NULL});
    bad |= end(w);
    /* Closes <nmaprun>, the only element still open between hosts. */
    bad |= xmlTextWriterEndDocument(w) < 0;
    return settle(o, bad);
}

const struct ps__scan_format ps__scan_xml = {
    .name = "xml",
    .open = xml_open,
    .begin = xml_begin,
    .host = xml_host,
    .end = xml_end,
    .close = xml_close,
};
