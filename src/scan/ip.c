/* Numeric IPv4 and IPv6 addresses (struct ps_ip). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "portscope/error.h"
#include "portscope/targets.h"

const char *ps_ip_format(const struct ps_ip *ip, char *buf, size_t len)
{
    if (!buf || len == 0)
        return "?";
    if (!ip || (ip->family != AF_INET && ip->family != AF_INET6) ||
        !inet_ntop(ip->family, ip->bytes, buf, (socklen_t)len))
        snprintf(buf, len, "?");
    return buf;
}

int ps_ip_parse(const char *text, struct ps_ip *out)
{
    struct ps_ip ip;

    if (!text || !out)
        return PS_EINVAL;
    memset(&ip, 0, sizeof ip);
    /* inet_pton accepts exactly the dotted quad for AF_INET (no shorthand
     * like "10.1"), which is what a scan target should be. */
    if (inet_pton(AF_INET, text, ip.bytes) == 1)
        ip.family = AF_INET;
    else if (inet_pton(AF_INET6, text, ip.bytes) == 1)
        ip.family = AF_INET6;
    else
        return PS_EPARSE;
    *out = ip;
    return 0;
}
