/* JSON Lines: one object per port result and a closing summary object,
 * each line written whole and flushed, so that a reader following the file
 * never sees half an object. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Port lines are the bulk of the output (65,535 of them for -p-) and are
 * written when a host completes, at the very end of a one-host scan, so
 * their cost is added to the scan's. jansson makes the part that varies
 * per host (the address and name, escaped as they need) once; the rest of
 * a line is the port number, fixed ASCII names, and a service name that
 * is plain ASCII nearly always (jansson escapes any other). This writes a
 * -p- host about ten times faster than dumping an object per line. */
/* The part after the prefix: a service name escaped at worst six bytes
 * a character, and short fixed names around it. */
#define LINE_MAX 1024

struct line {
    char buf[LINE_MAX];
    size_t len;
    int overflow;
};

static void put(struct line *l, const char *s, size_t n)
{
    if (l->len + n >= sizeof l->buf) {
        l->overflow = 1;
        return;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_str(struct line *l, const char *s)
{
    put(l, s, strlen(s));
}

static int plain_ascii(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            return 0;
    return 1;
}

/* s as a JSON string. */
static int put_json_string(struct line *l, const char *s)
{
    if (plain_ascii(s)) {
        put(l, "\"", 1);
        put_str(l, s);
        put(l, "\"", 1);
        return 0;
    }
    json_t *j = json_string(s);
    char *text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!text)
        return PS_ENOMEM;
    put_str(l, text);
    free(text);
    return 0;
}

/* As jansson writes a real with JSON_REAL_PRECISION(6): %.6g, and ".0"
 * after what would read as an integer. */
static void put_real(struct line *l, double v)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%.6g", v);

    put(l, num, (size_t)n);
    if (!strpbrk(num, ".eE"))
        put(l, ".0", 2);
}

/* `{"type":"port","ip":"…"[,"host":"…"]` for every port line of v. */
static char *line_prefix(const struct ps__scan_view *v)
{
    json_t *j = json_object();
    int bad = !j;

    bad |= set(j, "type", json_string("port"));
    bad |= set(j, "ip", json_string(v->ip));
    if (v->name)
        bad |= set(j, "host", json_string(v->name));
    char *text = bad ? NULL : json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    size_t n = text ? strlen(text) : 0;
    if (n)
        text[n - 1] = '\0'; /* the closing brace: the line goes on */
    return text;
}

/* A port line after its prefix. */
static int port_line(struct line *l, const struct ps__scan_out *o,
                     const struct ps_port_result *p)
{
    char svc[PS_NAME_MAX + 1], num[24];
    const char *name = ps__scan_service(o->reg, p->proto, p->port, svc);
    int rc = 0;

    l->len = 0;
    l->overflow = 0;
    put(l, num, (size_t)snprintf(num, sizeof num, ",\"port\":%u", (unsigned)p->port));
    put_str(l, ",\"proto\":\"");
    put_str(l, ps_proto_name(p->proto));
    put_str(l, "\",\"state\":\"");
    put_str(l, ps_port_state_name(ps__port_state(p)));
    put_str(l, "\",\"reason\":\"");
    put_str(l, ps_port_reason_name((enum ps_port_reason)p->reason));
    put_str(l, "\",\"service\":");
    if (name)
        rc = put_json_string(l, name);
    else
        put_str(l, "null");
    put_str(l, ",\"rtt_ms\":");
    if (p->rtt_ms >= 0 && isfinite(p->rtt_ms))
        put_real(l, p->rtt_ms);
    else
        put_str(l, "null");
    put(l, "}\n", 2);
    return rc ? rc : l->overflow ? PS_ERANGE : 0;
}

static int json_host(struct ps__scan_out *o, const struct ps__scan_view *v)
{
    const struct ps_scan_host *h = v->h;
    char *prefix = line_prefix(v);
    size_t plen = prefix ? strlen(prefix) : 0;
    struct line line;
    int rc = prefix ? 0 : PS_ENOMEM;

    for (size_t i = 0; rc == 0 && i < h->port_count; i++) {
        if (o->run.open_only && !ps__maybe_open(ps__port_state(&h->ports[i])))
            continue;
        rc = port_line(&line, o, &h->ports[i]);
        if (rc == 0 && (fwrite(prefix, 1, plen, o->out) != plen ||
                        fwrite(line.buf, 1, line.len, o->out) != line.len))
            rc = PS_EIO;
    }
    free(prefix);
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
