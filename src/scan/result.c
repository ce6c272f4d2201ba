/* Names of port states and reasons, spelled as nmap spells them so that
 * output readers written for nmap understand ours. */
#include "portscope/scanres.h"

const char *ps_port_state_name(enum ps_port_state state)
{
    static const char *const names[PS_PORT__COUNT] = {
        [PS_PORT_UNKNOWN] = "unknown",
        [PS_PORT_OPEN] = "open",
        [PS_PORT_CLOSED] = "closed",
        [PS_PORT_FILTERED] = "filtered",
        [PS_PORT_UNFILTERED] = "unfiltered",
        [PS_PORT_OPEN_FILTERED] = "open|filtered",
        [PS_PORT_CLOSED_FILTERED] = "closed|filtered",
    };
    if ((unsigned)state >= PS_PORT__COUNT)
        return "unknown";
    return names[state];
}

const char *ps_port_reason_name(enum ps_port_reason reason)
{
    static const char *const names[PS_REASON__COUNT] = {
        [PS_REASON_NONE] = "unknown",
        [PS_REASON_SYN_ACK] = "syn-ack",
        [PS_REASON_CONN_REFUSED] = "conn-refused",
        [PS_REASON_RESET] = "reset",
        [PS_REASON_NO_RESPONSE] = "no-response",
        [PS_REASON_HOST_UNREACH] = "host-unreach",
        [PS_REASON_NET_UNREACH] = "net-unreach",
        [PS_REASON_PROTO_UNREACH] = "proto-unreach",
        [PS_REASON_PORT_UNREACH] = "port-unreach",
        [PS_REASON_ADMIN_PROHIBITED] = "admin-prohibited",
        [PS_REASON_HOST_PROHIBITED] = "host-prohibited",
        [PS_REASON_NET_PROHIBITED] = "net-prohibited",
        [PS_REASON_UDP_RESPONSE] = "udp-response",
        [PS_REASON_HOST_TIMEOUT] = "host-timeout",
    };
    if ((unsigned)reason >= PS_REASON__COUNT)
        return "unknown";
    return names[reason];
}
