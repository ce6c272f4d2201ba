/* nmap's grepable output (-oG): one "Host:" line for the status and one
 * for the ports, fields separated by tabs, each port written as
 * port/state/protocol/owner/service/rpc info/version/ (see printportoutput()
 * in nmap's output.cc). Comment lines start with '#'. */
#include <string.h>

#include "output/scanout.h"

static int grep_begin(struct ps__scan_out *o, const struct ps_scan_info *info)
{
    int rc = ps__scan_write_initiated(o->out, info);
    if (rc != 0 || o->run.verbose == 0)
        return rc;
    /* nmap lists the ports scanned with -v, in a comment. */
    struct ps__sbuf b = {0};
    ps__sbuf_printf(&b, "# Ports scanned: TCP(%zu;", o->run.tcp_ports);
    ps__portlist_of_set(&b, info->ports, PS_PROTO_TCP);
    ps__sbuf_printf(&b, ") UDP(%zu;", o->run.udp_ports);
    ps__portlist_of_set(&b, info->ports, PS_PROTO_UDP);
    ps__sbuf_printf(&b, ") SCTP(0;) PROTOCOLS(0;)\n");
    const char *line = ps__sbuf_str(&b);
    rc = !line ? PS_ENOMEM : fputs(line, o->out) == EOF ? PS_EIO : 0;
    ps__sbuf_free(&b);
    return rc;
}

/* One port: "22/open/tcp//ssh///". nmap turns a '/' inside a field into
 * '|' so that the fields still split on '/'. */
static int port_entry(const struct ps__scan_out *o, const struct ps_port_result *p,
                      bool first)
{
    char svc[PS_NAME_MAX + 1];
    const char *name = ps__scan_service(o->reg, p->proto, p->port, svc);
    if (name)
        for (char *s = svc; (s = strchr(s, '/')); s++)
            *s = '|';
    return fprintf(o->out, "%s%u/%s/%s//%s///", first ? "" : ", ",
                   (unsigned)p->port, ps_port_state_name(ps__port_state(p)),
                   ps_proto_name(p->proto), name ? name : "") < 0;
}

static int ports_line(const struct ps__scan_out *o, const struct ps__scan_view *v,
                      const char *name)
{
    const struct ps_scan_host *h = v->h;
    bool first = true;
    int bad = fprintf(o->out, "Host: %s (%s)\tPorts: ", v->ip, name) < 0;

    for (size_t i = 0; i < h->port_count; i++) {
        if (v->hidden[ps__port_state(&h->ports[i])])
            continue;
        bad |= port_entry(o, &h->ports[i], first);
        first = false;
    }
    /* The format has room for one summarised state only, as in nmap. */
    if (v->hidden_states == 1)
        bad |= fprintf(o->out, "\tIgnored State: %s (%zu)",
                       ps_port_state_name(v->order[0]), v->count[v->order[0]]) < 0;
    bad |= fputc('\n', o->out) == EOF;
    return bad;
}

static int grep_host(struct ps__scan_out *o, const struct ps__scan_view *v)
{
    /* nmap puts the reverse DNS name in the parentheses; the name the
     * target was given by stands in when there is none. */
    const char *name = v->rdns ? v->rdns : v->name ? v->name : "";
    int bad = fprintf(o->out, "Host: %s (%s)\tStatus: %s\n", v->ip, name,
                      v->h->timed_out ? "Timeout" : "Up") < 0;

    if (v->h->port_count)
        bad |= ports_line(o, v, name);
    /* A comment, so that tools splitting the Host: lines are not confused. */
    if (v->incomplete) {
        char text[160];
        ps__scan_incomplete_text(v, text, sizeof text);
        bad |= fprintf(o->out, "# Incomplete: %s: %s\n", v->ip, text) < 0;
    }
    return bad ? PS_EIO : 0;
}

static int grep_end(struct ps__scan_out *o, const struct ps_scan_summary *s)
{
    return ps__scan_write_done(o->out, &o->run, s);
}

const struct ps__scan_format ps__scan_grep = {
    .name = "grepable",
    .begin = grep_begin,
    .host = grep_host,
    .end = grep_end,
};
