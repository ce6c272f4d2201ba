/* JSON Lines: one object per port result and a closing summary object,
 * each line written whole and flushed, so that a reader following the file
 * never sees half an object. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "output/scanout.h"

/* Builds o whole; a failed allocation anywhere (jansson's set_new calls
 * take NULL values and fail) leaves bad set. */
static int set(json_t *o, const char *key, json_t *value)
{
    return json_object_set_new(o, key, value) != 0;
}

/* Writes one object and its newline, then flushes. Consumes j. */
static int write_line(FILE *out, json_t *j, size_t flags)
{
    char *text = j ? json_dumps(j, flags | JSON_COMPACT | JSON_PRESERVE_ORDER)
                   : NULL;
    json_decref(j);
    if (!text)
        return PS_ENOMEM;
    int bad = fputs(text, out) == EOF;
    bad = bad || fputc('\n', out) == EOF || fflush(out) != 0;
    free(text);
    return bad ? PS_EIO : 0;
}

static int json_begin(struct ps__scan_out *o, const struct ps_scan_info *info)
{
    (void)o;
    (void)info; /* everything the summary needs is in o->run */
    return 0;
}

static json_t *port_object(const struct ps__scan_out *o,
                           const struct ps__scan_view *v,
                           const struct ps_port_result *p)
{
    char svc[PS_NAME_MAX + 1];
    const char *name = ps__scan_service(o->reg, p->proto, p->port, svc);
    json_t *j = json_object();
    int bad = !j;

    bad |= set(j, "type", json_string("port"));
    bad |= set(j, "ip", json_string(v->ip));
    if (v->name)
        bad |= set(j, "host", json_string(v->name));
    bad |= set(j, "port", json_integer(p->port));
    bad |= set(j, "proto", json_string(ps_proto_name(p->proto)));
    bad |= set(j, "state", json_string(ps_port_state_name(ps__port_state(p))));
    bad |= set(j, "reason",
               json_string(ps_port_reason_name((enum ps_port_reason)p->reason)));
    bad |= set(j, "service", name ? json_string(name) : json_null());
    bad |= set(j, "rtt_ms", p->rtt_ms >= 0 && isfinite(p->rtt_ms)
                                ? json_real(p->rtt_ms)
                                : json_null());
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int json_host(struct ps__scan_out *o, const struct ps__scan_view *v)
{
    const struct ps_scan_host *h = v->h;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < h->port_count; i++) {
        if (o->run.open_only && !ps__maybe_open(ps__port_state(&h->ports[i])))
            continue;
        /* Six digits: a float's rtt_ms holds no more, and 0.12 stays 0.12. */
        rc = write_line(o->out, port_object(o, v, &h->ports[i]),
                        JSON_REAL_PRECISION(6));
    }
    return rc;
}

static json_t *count(uint64_t n)
{
    return json_integer((json_int_t)n);
}

static int json_end(struct ps__scan_out *o, const struct ps_scan_summary *s)
{
    char start[PS__DATE_LEN], end[PS__DATE_LEN];
    const uint64_t *st = o->totals.state;
    json_t *j = json_object();
    int bad = !j;

    bad |= set(j, "type", json_string("summary"));
    bad |= set(j, "start", json_string(ps__scan_iso8601(o->run.start_us, start)));
    bad |= set(j, "end", json_string(ps__scan_iso8601(s->end_us, end)));
    bad |= set(j, "elapsed_s", json_real(ps__scan_elapsed(o->run.start_us, s->end_us)));
    bad |= set(j, "hosts_total", count(s->hosts_total));
    bad |= set(j, "hosts_up", count(s->hosts_up));
    bad |= set(j, "ports_scanned", count(o->run.tcp_ports + o->run.udp_ports));
    bad |= set(j, "open", count(st[PS_PORT_OPEN]));
    bad |= set(j, "closed", count(st[PS_PORT_CLOSED]));
    bad |= set(j, "filtered", count(st[PS_PORT_FILTERED]));
    bad |= set(j, "open_filtered", count(st[PS_PORT_OPEN_FILTERED]));
    bad |= set(j, "probes_sent", count(s->probes_sent));
    bad |= set(j, "interrupted", json_boolean(s->interrupted));
    if (s->error) {
        char *why = ps__scan_clean_dup(s->error);
        bad |= set(j, "error", why ? json_string(why) : NULL);
        free(why);
    }
    if (bad) {
        json_decref(j);
        return PS_ENOMEM;
    }
    /* Fifteen digits keep elapsed_s exact to the microsecond. */
    return write_line(o->out, j, JSON_REAL_PRECISION(15));
}

const struct ps__scan_format ps__scan_json = {
    .name = "json",
    .begin = json_begin,
    .host = json_host,
    .end = json_end,
};
