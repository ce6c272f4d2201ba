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

/* Writes one object and its newline. Consumes j. The caller flushes once
 * per host: a flush per line would cost a system call per port (65,535 of
 * them for -p-), and a stopped scan still ends its lines whole, since
 * stopping goes through end(). */
static int write_line(FILE *out, json_t *j, size_t flags)
{
    if (!j)
        return PS_ENOMEM;
    int bad = json_dumpf(j, out, flags | JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    bad = bad || fputc('\n', out) == EOF;
    return bad ? PS_EIO : 0;
}

static int json_begin(struct ps__scan_out *o, const struct ps_scan_info *info)
{
    (void)o;
    (void)info; /* everything the summary needs is in o->run */
    return 0;
}

/* The object of one port line. One object serves every port of a host,
 * its values updated in place: building nine fresh values per line cost
 * more than the scan of a closed port itself. */
struct port_line {
    json_t *obj, *port, *proto, *state, *reason;
};

static int port_line_init(struct port_line *l, const struct ps__scan_view *v)
{
    json_t *j = json_object();
    int bad = !j;

    l->obj = j;
    bad |= set(j, "type", json_string("port"));
    bad |= set(j, "ip", json_string(v->ip));
    if (v->name)
        bad |= set(j, "host", json_string(v->name));
    bad |= set(j, "port", l->port = json_integer(0));
    bad |= set(j, "proto", l->proto = json_string(""));
    bad |= set(j, "state", l->state = json_string(""));
    bad |= set(j, "reason", l->reason = json_string(""));
    bad |= set(j, "service", json_null());
    bad |= set(j, "rtt_ms", json_null());
    return bad ? PS_ENOMEM : 0;
}

/* Sets key to a string, or to null for NULL, reusing a string value. */
static int set_string_or_null(json_t *o, const char *key, const char *text)
{
    json_t *cur = json_object_get(o, key);
    if (!text)
        return json_is_null(cur) ? 0 : set(o, key, json_null());
    if (json_is_string(cur))
        return json_string_set(cur, text) != 0;
    return set(o, key, json_string(text));
}

static int set_real_or_null(json_t *o, const char *key, float value)
{
    json_t *cur = json_object_get(o, key);
    if (!(value >= 0 && isfinite(value)))
        return json_is_null(cur) ? 0 : set(o, key, json_null());
    if (json_is_real(cur))
        return json_real_set(cur, value) != 0;
    return set(o, key, json_real(value));
}

static int port_line_set(struct port_line *l, const struct ps__scan_out *o,
                         const struct ps_port_result *p)
{
    char svc[PS_NAME_MAX + 1];
    const char *name = ps__scan_service(o->reg, p->proto, p->port, svc);
    int bad = 0;

    bad |= json_integer_set(l->port, p->port) != 0;
    bad |= json_string_set(l->proto, ps_proto_name(p->proto)) != 0;
    bad |= json_string_set(l->state,
                           ps_port_state_name(ps__port_state(p))) != 0;
    bad |= json_string_set(l->reason, ps_port_reason_name(
                                          (enum ps_port_reason)p->reason)) != 0;
    bad |= set_string_or_null(l->obj, "service", name);
    bad |= set_real_or_null(l->obj, "rtt_ms", p->rtt_ms);
    return bad ? PS_ENOMEM : 0;
}

static int json_host(struct ps__scan_out *o, const struct ps__scan_view *v)
{
    const struct ps_scan_host *h = v->h;
    struct port_line line;
    int rc = port_line_init(&line, v);

    for (size_t i = 0; rc == 0 && i < h->port_count; i++) {
        if (o->run.open_only && !ps__maybe_open(ps__port_state(&h->ports[i])))
            continue;
        rc = port_line_set(&line, o, &h->ports[i]);
        /* Six digits: a float's rtt_ms holds no more, and 0.12 stays 0.12. */
        if (rc == 0)
            rc = write_line(o->out, json_incref(line.obj),
                            JSON_REAL_PRECISION(6));
    }
    json_decref(line.obj);
    if (fflush(o->out) != 0 && rc == 0)
        rc = PS_EIO;
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
