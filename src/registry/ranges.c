/* The RFC 6335 port classes, and this host's port settings from /proc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/internal.h"
#include "portscope/ranges.h"

static const struct ps_class_info classes[] = {
    {PS_CLASS_SYSTEM, 0, 1023, "System Ports",
     "assigned by IANA through IETF review; binding them needs privilege"},
    {PS_CLASS_USER, 1024, 49151, "User Ports",
     "registered with IANA by vendors and projects; any user may bind them"},
    {PS_CLASS_DYNAMIC, 49152, 65535, "Dynamic and/or Private Ports",
     "never assigned; for ephemeral client ports and private use"},
};

const struct ps_class_info *ps_port_classes(size_t *count)
{
    *count = sizeof classes / sizeof classes[0];
    return classes;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    return s;
}

/* Reads a decimal port at *s; returns 0 or -1. */
static int read_port(const char **s, unsigned *out)
{
    const char *p = *s;
    unsigned long v = 0;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (unsigned long)(*p++ - '0');
        if (v > PS_PORT_MAX)
            return -1;
    }
    *out = (unsigned)v;
    *s = p;
    return 0;
}

int ps_port_spans_parse(const char *text, struct ps_port_span **spans,
                        size_t *count)
{
    struct ps_port_span *list = NULL;
    size_t n = 0, cap = 0;
    const char *p = skip_space(text);

    *spans = NULL;
    *count = 0;
    while (*p) {
        struct ps_port_span sp;
        if (read_port(&p, &sp.first))
            goto bad;
        sp.last = sp.first;
        if (*p == '-' && (p++, read_port(&p, &sp.last) || sp.last < sp.first))
            goto bad;
        p = skip_space(p);
        if (*p == ',')
            p = skip_space(p + 1);
        else if (*p)
            goto bad;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            struct ps_port_span *grown = realloc(list, cap * sizeof *grown);
            if (!grown) {
                free(list);
                return PS_ENOMEM;
            }
            list = grown;
        }
        list[n++] = sp;
    }
    *spans = list;
    *count = n;
    return 0;
bad:
    free(list);
    return PS_EPARSE;
}

static int read_proc(const char *root, const char *name, char **text)
{
    char path[512];
    size_t len;
    int n = snprintf(path, sizeof path, "%s/sys/net/ipv4/%s", root, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return PS_EINVAL;
    return ps__read_file(path, text, &len, NULL);
}

static void read_ephemeral(const char *root, struct ps_host_ports *hp,
                           const struct ps_logger *log)
{
    char *text;
    if (read_proc(root, "ip_local_port_range", &text))
        return;
    const char *p = skip_space(text);
    unsigned lo, hi;
    if (read_port(&p, &lo) == 0 && (p = skip_space(p), read_port(&p, &hi) == 0) &&
        *skip_space(p) == '\0' && lo <= hi) {
        hp->ephemeral = (struct ps_port_span){lo, hi};
        hp->have_ephemeral = 1;
    } else {
        ps__log(log, PS_LOG_WARN, "%s/sys/net/ipv4/ip_local_port_range: "
                "expected two port numbers", root);
    }
    free(text);
}

static void read_unprivileged(const char *root, struct ps_host_ports *hp,
                              const struct ps_logger *log)
{
    char *text;
    if (read_proc(root, "ip_unprivileged_port_start", &text))
        return;
    const char *p = skip_space(text);
    unsigned v;
    if (read_port(&p, &v) == 0 && *skip_space(p) == '\0') {
        hp->unprivileged_start = v;
        hp->have_unprivileged = 1;
    } else {
        ps__log(log, PS_LOG_WARN, "%s/sys/net/ipv4/ip_unprivileged_port_start:"
                " expected a port number", root);
    }
    free(text);
}

int ps_host_ports_read(const char *proc_root, struct ps_host_ports *hp,
                       const struct ps_logger *log)
{
    char *text;

    memset(hp, 0, sizeof *hp);
    if (!proc_root)
        return PS_EINVAL;
    read_ephemeral(proc_root, hp, log);
    read_unprivileged(proc_root, hp, log);
    if (read_proc(proc_root, "ip_local_reserved_ports", &text) == 0) {
        int rc = ps_port_spans_parse(text, &hp->reserved, &hp->reserved_count);
        free(text);
        if (rc == PS_ENOMEM)
            return rc;
        if (rc)
            ps__log(log, PS_LOG_WARN, "%s/sys/net/ipv4/ip_local_reserved_ports:"
                    " not a list of ports and ranges", proc_root);
        hp->have_reserved = rc == 0;
    }
    return 0;
}

void ps_host_ports_clear(struct ps_host_ports *hp)
{
    free(hp->reserved);
    memset(hp, 0, sizeof *hp);
}
