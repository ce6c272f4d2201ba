/* Numeric IPv4 and IPv6 addresses (struct ps_ip). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "portscope/error.h"
#include "portscope/targets.h"
#include "scan/ip_int.h"

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

socklen_t ps__ip_sockaddr(const struct ps_ip *ip, uint16_t port,
                          struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (ip->family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        memcpy(&a->sin6_addr, ip->bytes, 16);
        return sizeof *a;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    memcpy(&a->sin_addr, ip->bytes, 4);
    return sizeof *a;
}

int ps__ip_from_sockaddr(const struct sockaddr_storage *ss, struct ps_ip *ip,
                         uint16_t *port)
{
    uint16_t p;

    memset(ip, 0, sizeof *ip);
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        memcpy(ip->bytes, &a->sin6_addr, 16);
        p = a->sin6_port;
    } else if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        memcpy(ip->bytes, &a->sin_addr, 4);
        p = a->sin_port;
    } else {
        return -1;
    }
    ip->family = (uint8_t)ss->ss_family;
    if (port)
        *port = ntohs(p);
    return 0;
}

size_t ps__ip_hash(const struct ps_ip *ip)
{
    uint64_t a, b;

    memcpy(&a, ip->bytes, 8);
    memcpy(&b, ip->bytes + 8, 8);
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ ip->family) * 0xff51afd7ed558ccdull;
    return (size_t)(h ^ (h >> 32));
}
