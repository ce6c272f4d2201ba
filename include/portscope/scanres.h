/* Scan results: what the scan engine hands to its caller and to the output
 * formats (scanout.h), one host at a time. */
#ifndef PORTSCOPE_SCANRES_H
#define PORTSCOPE_SCANRES_H

#include <stddef.h>
#include <stdint.h>

#include "portscope/registry.h"
#include "portscope/targets.h"

/* Port states, named as nmap names them. */
enum ps_port_state {
    PS_PORT_UNKNOWN = 0,     /* not probed yet (interrupted scans) */
    PS_PORT_OPEN,
    PS_PORT_CLOSED,
    PS_PORT_FILTERED,
    PS_PORT_UNFILTERED,
    PS_PORT_OPEN_FILTERED,   /* "open|filtered" */
    PS_PORT_CLOSED_FILTERED, /* "closed|filtered" */
    PS_PORT__COUNT
};

/* Why a port got its state, as nmap's --reason and XML "reason". */
enum ps_port_reason {
    PS_REASON_NONE = 0,          /* "unknown" */
    PS_REASON_SYN_ACK,           /* "syn-ack" (connect scans too) */
    PS_REASON_CONN_REFUSED,      /* "conn-refused" */
    PS_REASON_RESET,             /* "reset" */
    PS_REASON_NO_RESPONSE,       /* "no-response" */
    PS_REASON_HOST_UNREACH,      /* "host-unreach" */
    PS_REASON_NET_UNREACH,       /* "net-unreach" */
    PS_REASON_PROTO_UNREACH,     /* "proto-unreach" */
    PS_REASON_PORT_UNREACH,      /* "port-unreach" */
    PS_REASON_ADMIN_PROHIBITED,  /* "admin-prohibited" */
    PS_REASON_HOST_PROHIBITED,   /* "host-prohibited" */
    PS_REASON_NET_PROHIBITED,    /* "net-prohibited" */
    PS_REASON_UDP_RESPONSE,      /* "udp-response" */
    PS_REASON_HOST_TIMEOUT,      /* "host-timeout": --host-timeout hit */
    PS_REASON__COUNT
};

/* "open", "closed", "filtered", "unfiltered", "open|filtered",
 * "closed|filtered", "unknown". Never NULL. */
const char *ps_port_state_name(enum ps_port_state state);
/* The nmap reason string above; never NULL. */
const char *ps_port_reason_name(enum ps_port_reason reason);

/* One port's result. 12 bytes: a host with every port of -p- holds 768 KiB
 * of them. */
struct ps_port_result {
    uint16_t port;
    uint8_t proto;    /* enum ps_proto: PS_PROTO_TCP or PS_PROTO_UDP */
    uint8_t state;    /* enum ps_port_state */
    uint8_t reason;   /* enum ps_port_reason */
    uint8_t tries;    /* probes sent for this port, 1 or more */
    uint8_t ttl;      /* reply TTL/hop limit, 0 when unknown (connect) */
    uint8_t pad_;
    float rtt_ms;     /* time to the answer that decided, -1 when none */
};

/* One scanned host, complete (or cut short: see complete). */
struct ps_scan_host {
    struct ps_ip ip;
    uint64_t target_index;     /* position in the target list, from 0 */
    const char *name;          /* hostname the target spec gave, or NULL */
    const char *rdns;          /* reverse DNS name, or NULL (-n) */
    /* Ports sorted by proto (TCP first) then port number. Ports never
     * answered when the scan was interrupted are absent. */
    const struct ps_port_result *ports;
    size_t port_count;
    size_t state_count[PS_PORT__COUNT]; /* ports per state */
    int64_t start_us, end_us;  /* wall clock, microseconds since the epoch */
    /* Timing the engine measured for the host, microseconds; 0 if none. */
    int64_t srtt_us, rttvar_us, timeout_us;
    int complete;              /* 0 when the scan stopped before the end */
    int timed_out;             /* 1 when --host-timeout cut it short */
};

#endif
