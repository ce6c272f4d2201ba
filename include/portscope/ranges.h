/* Port ranges: the RFC 6335 classes and this host's own port settings. */
#ifndef PORTSCOPE_RANGES_H
#define PORTSCOPE_RANGES_H

#include <stddef.h>
#include "portscope/log.h"
#include "portscope/registry.h"

struct ps_class_info {
    enum ps_port_class cls;
    unsigned first, last;
    const char *iana_name;   /* "System Ports" */
    const char *summary;     /* one line on who uses it */
};

/* The three RFC 6335 classes, in port order; *count gets 3. */
const struct ps_class_info *ps_port_classes(size_t *count);

struct ps_port_span {
    unsigned first, last;
};

/* What the kernel says about local ports (Linux /proc/sys/net/ipv4). */
struct ps_host_ports {
    int have_ephemeral;             /* ip_local_port_range read */
    struct ps_port_span ephemeral;
    int have_unprivileged;          /* ip_unprivileged_port_start read */
    unsigned unprivileged_start;
    int have_reserved;              /* ip_local_reserved_ports read */
    struct ps_port_span *reserved;  /* malloc'd; reserved_count spans */
    size_t reserved_count;
};

/* Reads the host facts below proc_root (normally "/proc"). A file that is
 * missing or unreadable leaves its have_ flag 0; a malformed one is logged
 * and also left unset. Returns 0, PS_EINVAL or PS_ENOMEM. Free with
 * ps_host_ports_clear(). */
int ps_host_ports_read(const char *proc_root, struct ps_host_ports *out,
                       const struct ps_logger *log);

void ps_host_ports_clear(struct ps_host_ports *hp);

/* Parses ip_local_reserved_ports syntax ("8080,9000-9100", may be empty).
 * Returns 0 or PS_EPARSE; on success *spans is malloc'd (NULL if none). */
int ps_port_spans_parse(const char *text, struct ps_port_span **spans,
                        size_t *count);

#endif
