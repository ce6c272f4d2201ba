/* The audit: turns a listening socket, the registry and the knowledge base
 * into a finding with a severity, a reason and a concrete action. */
#ifndef PORTSCOPE_AUDIT_H
#define PORTSCOPE_AUDIT_H

#include "portscope/knowledge.h"
#include "portscope/registry.h"
#include "portscope/sockets.h"

enum ps_severity {
    PS_SEV_INFO,
    PS_SEV_LOW,
    PS_SEV_MEDIUM,
    PS_SEV_HIGH,
    PS_SEV_CRITICAL,
};

/* Who can reach a socket, judged from its local address and the
 * interface it is bound to (SO_BINDTODEVICE), if any. */
enum ps_exposure {
    PS_EXPOSED_LOOPBACK,  /* 127.0.0.0/8 or ::1, or bound to a loopback
                             device: this host only */
    PS_EXPOSED_ADDRESS,   /* one address of an interface */
    PS_EXPOSED_ALL,       /* the wildcard address: every interface */
    PS_EXPOSED_INTERFACE, /* the wildcard address, bound to one
                             (non-loopback) interface */
};

struct ps_finding {
    enum ps_severity severity;
    enum ps_exposure exposure;
    const struct ps_knowledge *knowledge; /* NULL when the port is unknown */
    const char *service;                  /* registry name, or "" */
    char reason[320];
    char action[320];
};

/* Judges one socket (listening TCP or unconnected UDP). reg may be NULL.
 * Returns 1 and fills *f when the socket deserves a finding, 0 when not
 * (e.g. an unknown service on loopback). Pure: no I/O. */
int ps_audit_socket(const struct ps_socket *s, const struct ps_registry *reg,
                    struct ps_finding *f);

/* Who can reach s (see enum ps_exposure). Pure: the interface is judged
 * by s->if_loopback, as ps_sockets_dump() filled it. */
enum ps_exposure ps_socket_exposure(const struct ps_socket *s);

/* The registry record that names what uses (proto, port): the one for
 * exactly that port, else the first range that covers it (so 31337/udp
 * is back-orifice, not the kube-nodeport range around it). NULL when
 * none does or reg is NULL. The name the audit and `portscope list`
 * show. Pure; thread-safe on a sealed registry. */
const struct ps_service *ps_port_service(const struct ps_registry *reg,
                                         enum ps_proto proto, unsigned port);

const char *ps_severity_name(enum ps_severity sev);
/* Parses "info".."critical", any case. Returns 0 or PS_EINVAL. */
int ps_severity_parse(const char *text, enum ps_severity *out);

#endif
