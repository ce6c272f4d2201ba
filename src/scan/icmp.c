/* ICMP unreachables as nmap reads them (stateless.h). A SYN answered by
 * any of these is filtered; a UDP probe answered by port unreachable is
 * closed and by the others filtered: the probe modules decide that, from
 * the reason given here. */
#include <sys/socket.h>

#include "scan/stateless.h"

static enum ps_port_reason icmp4(uint8_t code)
{
    switch (code) {
    case 0: return PS_REASON_NET_UNREACH;
    case 1: return PS_REASON_HOST_UNREACH;
    case 2: return PS_REASON_PROTO_UNREACH;
    case 3: return PS_REASON_PORT_UNREACH;
    case 9: return PS_REASON_NET_PROHIBITED;
    case 10: return PS_REASON_HOST_PROHIBITED;
    case 13: return PS_REASON_ADMIN_PROHIBITED;
    default: return PS_REASON_NONE; /* fragmentation needed, source route... */
    }
}

static enum ps_port_reason icmp6(uint8_t code)
{
    switch (code) {
    case 0: return PS_REASON_NET_UNREACH;      /* no route */
    case 1: return PS_REASON_ADMIN_PROHIBITED; /* administratively prohibited */
    case 3: return PS_REASON_HOST_UNREACH;     /* address unreachable */
    case 4: return PS_REASON_PORT_UNREACH;
    case 5: case 6: return PS_REASON_ADMIN_PROHIBITED; /* policy, reject route */
    default: return PS_REASON_NONE;
    }
}

enum ps_port_reason ps__icmp_reason(int family, uint8_t type, uint8_t code)
{
    if (family == AF_INET6)
        return type == 1 ? icmp6(code) : PS_REASON_NONE;
    return type == 3 ? icmp4(code) : PS_REASON_NONE;
}
