/* Probe packets for the stateless scans and the Internet checksum: see
 * pkt.h. Headers are written byte by byte in network order, so nothing
 * depends on the host's byte order or on struct layouts. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "scan/pkt.h"

#define IP4_HDR 20u
#define IP6_HDR 40u
#define TCP_HDR 20u
#define UDP_HDR 8u
#define MSS_OPT 4u
#define ICMP_HDR 8u

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

uint32_t ps__pkt_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t i = 0;

    /* Folding as we go keeps the sum in 32 bits for any length. */
    for (; i + 1 < len; i += 2) {
        sum += (uint32_t)p[i] << 8 | p[i + 1];
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if (i < len) /* an odd last byte is padded with a zero byte */
        sum += (uint32_t)p[i] << 8;
    return sum;
}

uint16_t ps__pkt_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t ps__pkt_csum(const void *data, size_t len)
{
    return ps__pkt_csum_fold(ps__pkt_csum_add(0, data, len));
}

uint16_t ps__pkt_l4_csum(const struct ps_ip *src, const struct ps_ip *dst,
                         uint8_t proto, const void *l4, size_t len)
{
    size_t alen = src->family == AF_INET6 ? 16 : 4;
    /* The pseudo-header's length and protocol words: IPv4 has a zero byte,
     * the protocol and a 16-bit length; IPv6 a 32-bit length, three zero
     * bytes and the next header. Both add up the same way, as long as the
     * length fits 16 bits, which every caller here guarantees. */
    uint8_t tail[4] = {0, proto, (uint8_t)(len >> 8), (uint8_t)len};
    uint32_t sum = ps__pkt_csum_add(0, src->bytes, alen);

    sum = ps__pkt_csum_add(sum, dst->bytes, alen);
    sum = ps__pkt_csum_add(sum, tail, sizeof tail);
    return ps__pkt_csum_fold(ps__pkt_csum_add(sum, l4, len));
}

/* The IP header length for a packet of l4len transport bytes from src to
 * dst in a buffer of cap bytes, or 0 when the families are unusable, the
 * packet would overflow the 16-bit IPv4 total length or IPv6 payload
 * length, or cap is too small. */
static size_t room(const uint8_t *buf, size_t cap, const struct ps_ip *src,
                   const struct ps_ip *dst, size_t l4len)
{
    size_t iph;

    if (!buf || !src || !dst || src->family != dst->family)
        return 0;
    if (dst->family == AF_INET)
        iph = IP4_HDR;
    else if (dst->family == AF_INET6)
        iph = IP6_HDR;
    else
        return 0;
    /* IPv4's total length counts its header, IPv6's payload length not. */
    if (l4len > 0xffff - (iph == IP4_HDR ? IP4_HDR : 0) || cap < iph + l4len)
        return 0;
    return iph;
}

/* Writes the IPv4 or IPv6 header for l4len bytes of protocol proto. */
static void put_ip(uint8_t *b, const struct ps_ip *src, const struct ps_ip *dst,
                   uint8_t proto, size_t l4len, uint8_t ttl, uint16_t ipid)
{
    if (dst->family == AF_INET) {
        memset(b, 0, IP4_HDR);
        b[0] = 0x45; /* version 4, IHL 5: no options */
        put16(b + 2, (uint16_t)(IP4_HDR + l4len));
        put16(b + 4, ipid);
        /* Flags and fragment offset stay 0: no DF, as nmap and zmap send
         * probes, so a path with a small MTU still fragments them. */
        b[8] = ttl;
        b[9] = proto;
        memcpy(b + 12, src->bytes, 4);
        memcpy(b + 16, dst->bytes, 4);
        put16(b + 10, ps__pkt_csum(b, IP4_HDR));
        return;
    }
    memset(b, 0, 8);
    b[0] = 0x60; /* version 6, traffic class and flow label 0 */
    put16(b + 4, (uint16_t)l4len);
    b[6] = proto;
    b[7] = ttl;
    memcpy(b + 8, src->bytes, 16);
    memcpy(b + 24, dst->bytes, 16);
}

size_t ps__pkt_build_ip(uint8_t *buf, size_t cap, const struct ps_ip *src,
                        const struct ps_ip *dst, uint8_t proto, size_t l4len,
                        uint8_t ttl, uint16_t ipid)
{
    size_t iph = room(buf, cap, src, dst, l4len);

    if (iph)
        put_ip(buf, src, dst, proto, l4len, ttl, ipid);
    return iph;
}

size_t ps__pkt_build_syn(uint8_t *buf, size_t cap, const struct ps_ip *src,
                         const struct ps_ip *dst, uint16_t sport, uint16_t dport,
                         uint32_t seq, uint8_t ttl, uint16_t ipid)
{
    size_t l4len = TCP_HDR + MSS_OPT;
    size_t iph = room(buf, cap, src, dst, l4len);

    if (!iph)
        return 0;
    put_ip(buf, src, dst, IPPROTO_TCP, l4len, ttl, ipid);

    uint8_t *t = buf + iph;
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, 0);                     /* ack */
    t[12] = (uint8_t)((l4len / 4) << 4); /* data offset, in words */
    t[13] = PS__TCP_SYN;
    put16(t + 14, PS__PKT_SYN_WINDOW);
    put32(t + 16, 0); /* checksum (computed below) and urgent pointer */
    /* An MSS option makes the SYN look like a real stack's: some hosts
     * and middleboxes drop option-less SYNs as scans. */
    t[20] = 2; /* kind: MSS */
    t[21] = 4; /* length */
    put16(t + 22, PS__PKT_SYN_MSS);
    put16(t + 16, ps__pkt_l4_csum(src, dst, IPPROTO_TCP, t, l4len));
    return iph + l4len;
}

size_t ps__pkt_build_udp(uint8_t *buf, size_t cap, const struct ps_ip *src,
                         const struct ps_ip *dst, uint16_t sport, uint16_t dport,
                         const uint8_t *payload, size_t plen, uint8_t ttl,
                         uint16_t ipid)
{
    /* The UDP length is 16 bits too; room() checks the IP lengths. */
    if ((plen && !payload) || plen > 0xffff - UDP_HDR)
        return 0;
    size_t l4len = UDP_HDR + plen;
    size_t iph = room(buf, cap, src, dst, l4len);
    if (!iph)
        return 0;
    uint8_t *u = buf + iph;

    /* The payload goes first: it may already sit anywhere in buf (a
     * caller that prepared it in place), and the headers overwrite it. */
    if (plen)
        memmove(u + UDP_HDR, payload, plen);
    put_ip(buf, src, dst, IPPROTO_UDP, l4len, ttl, ipid);
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)l4len);
    put16(u + 6, 0);
    uint16_t c = ps__pkt_l4_csum(src, dst, IPPROTO_UDP, u, l4len);
    put16(u + 6, c ? c : 0xffff); /* RFC 768: a computed 0 is sent as ~0 */
    return iph + l4len;
}

size_t ps__pkt_build_icmp_error(uint8_t *buf, size_t cap, const struct ps_ip *src,
                                const struct ps_ip *dst, uint8_t type,
                                uint8_t code, const uint8_t *quote, size_t qlen,
                                uint8_t ttl, uint16_t ipid)
{
    size_t l4len = ICMP_HDR + qlen;
    size_t iph = (qlen && !quote) ? 0 : room(buf, cap, src, dst, l4len);

    if (!iph)
        return 0;
    int v6 = dst->family == AF_INET6;
    uint8_t *c = buf + iph;
    if (qlen) /* first, as for a UDP payload: the quote may sit in buf */
        memmove(c + ICMP_HDR, quote, qlen);
    put_ip(buf, src, dst, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, l4len, ttl, ipid);
    /* Type, code, checksum, then 4 bytes that unreachable and time
     * exceeded leave unused (zero) in both versions of ICMP. */
    memset(c, 0, ICMP_HDR);
    c[0] = type;
    c[1] = code;
    /* ICMPv6 checksums cover a pseudo-header, ICMPv4 ones do not. */
    put16(c + 2, v6 ? ps__pkt_l4_csum(src, dst, IPPROTO_ICMPV6, c, l4len)
                    : ps__pkt_csum(c, l4len));
    return iph + l4len;
}
