/* Parsing of captured answers for the stateless scans: see pkt.h. The input
 * is whatever the capture delivered, so every length is checked against
 * what remains before a byte is read, and nothing is read past the end. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "scan/pkt.h"

#define IP6_MAX_EXT 8 /* extension headers walked before giving up */

#define ETH_IPV4 0x0800u
#define ETH_IPV6 0x86ddu

/* What an IP header says, outer or quoted. */
struct ip_view {
    struct ps_ip src, dst;
    uint8_t ttl, proto;
    uint16_t ipid;
    uint8_t more_frags; /* a first fragment: the transport may be cut */
    const uint8_t *l4;
    size_t l4len;
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void set_ip(struct ps_ip *ip, uint8_t family, const uint8_t *bytes,
                   size_t n)
{
    memset(ip, 0, sizeof *ip);
    ip->family = family;
    memcpy(ip->bytes, bytes, n);
}

/* An IPv4 header. A quote (an ICMP error's copy of our probe) is cut short
 * by design, so its total length is not held against the bytes present.
 * Returns 0 or -1. */
static int view_ip4(const uint8_t *p, size_t len, int quote, struct ip_view *v)
{
    if (len < 20 || p[0] >> 4 != 4)
        return -1;
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;
    size_t total = get16(p + 2);
    if (ihl < 20 || ihl > len)
        return -1;
    if (!quote) {
        if (total < ihl || total > len)
            return -1;
        len = total; /* drop link-layer padding */
    }
    uint16_t frag = get16(p + 6);
    if (frag & 0x1fff) /* not the first fragment: no transport header */
        return -1;
    v->more_frags = (frag & 0x2000) != 0;
    v->ipid = get16(p + 4);
    v->ttl = p[8];
    v->proto = p[9];
    set_ip(&v->src, AF_INET, p + 12, 4);
    set_ip(&v->dst, AF_INET, p + 16, 4);
    v->l4 = p + ihl;
    v->l4len = len - ihl;
    return 0;
}

static int ip6_is_ext(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

/* Skips IPv6 extension headers from *off, leaving in *nh the first header
 * that is not one. Returns 0 or -1 (truncated, a non-first fragment, or
 * more than IP6_MAX_EXT headers: a chain that long is an attack on
 * parsers, not traffic). */
static int ip6_skip_ext(const uint8_t *p, size_t len, size_t *off, uint8_t *nh,
                        struct ip_view *v)
{
    for (int n = 0; ip6_is_ext(*nh); n++) {
        const uint8_t *h = p + *off;
        size_t left = len - *off, hl;
        if (n == IP6_MAX_EXT || left < 8) /* every one is >= 8 bytes */
            return -1;
        if (*nh == 44) { /* fragment: offset in the top 13 bits */
            uint16_t fo = get16(h + 2);
            if (fo & 0xfff8)
                return -1;
            v->more_frags = fo & 1;
            hl = 8;
        } else if (*nh == 51) { /* AH counts 4-byte words, minus 2 */
            hl = ((size_t)h[1] + 2) * 4;
        } else { /* the rest count 8-byte words beyond the first */
            hl = ((size_t)h[1] + 1) * 8;
        }
        if (hl > left)
            return -1;
        *nh = h[0];
        *off += hl;
    }
    return 0;
}

/* An IPv6 header and its extension headers; quote as for view_ip4. */
static int view_ip6(const uint8_t *p, size_t len, int quote, struct ip_view *v)
{
    if (len < 40 || p[0] >> 4 != 6)
        return -1;
    size_t plen = get16(p + 4);
    if (!quote) {
        if (plen > len - 40)
            return -1;
        len = 40 + plen;
    }
    size_t off = 40;
    uint8_t nh = p[6];
    v->more_frags = 0;
    if (ip6_skip_ext(p, len, &off, &nh, v))
        return -1;
    v->ipid = 0;
    v->ttl = p[7];
    v->proto = nh;
    set_ip(&v->src, AF_INET6, p + 8, 16);
    set_ip(&v->dst, AF_INET6, p + 24, 16);
    v->l4 = p + off;
    v->l4len = len - off;
    return 0;
}

static int view_ip(const uint8_t *p, size_t len, int quote, struct ip_view *v)
{
    if (len < 1)
        return -1;
    if (p[0] >> 4 == 4)
        return view_ip4(p, len, quote, v);
    return view_ip6(p, len, quote, v);
}

static int parse_tcp(const struct ip_view *v, struct ps__pkt *out)
{
    const uint8_t *t = v->l4;
    if (v->l4len < 20)
        return -1;
    size_t doff = (size_t)(t[12] >> 4) * 4;
    if (doff < 20 || doff > v->l4len)
        return -1;
    out->kind = PS__PKT_TCP;
    out->sport = get16(t);
    out->dport = get16(t + 2);
    out->seq = get32(t + 4);
    out->ack = get32(t + 8);
    out->tcp_flags = t[13];
    out->window = get16(t + 14);
    return 0;
}

static int parse_udp(const struct ip_view *v, struct ps__pkt *out)
{
    const uint8_t *u = v->l4;
    if (v->l4len < 8)
        return -1;
    size_t ulen = get16(u + 4);
    /* Bytes after ulen are IP-level padding. A first fragment holds only
     * the start of the datagram, so its payload is what arrived. */
    if (ulen < 8 || (ulen > v->l4len && !v->more_frags))
        return -1;
    if (ulen > v->l4len)
        ulen = v->l4len;
    out->kind = PS__PKT_UDP;
    out->sport = get16(u);
    out->dport = get16(u + 2);
    out->payload = u + 8;
    out->payload_len = ulen - 8;
    return 0;
}

/* The packet an ICMP error quotes: an IP header of the error's own family
 * and the first 8 bytes of TCP or UDP. Returns 1 when out now describes it,
 * 0 when the quote is of no use (too short, another protocol). */
static int parse_quote(const uint8_t *q, size_t len, uint8_t family,
                       struct ps__pkt *out)
{
    struct ip_view v;

    if (view_ip(q, len, 1, &v) || v.src.family != family)
        return 0;
    if ((v.proto != IPPROTO_TCP && v.proto != IPPROTO_UDP) || v.l4len < 8)
        return 0;
    out->orig_src = v.src;
    out->orig_dst = v.dst;
    out->orig_proto = v.proto;
    out->orig_sport = get16(v.l4);
    out->orig_dport = get16(v.l4 + 2);
    if (v.proto == IPPROTO_TCP) {
        out->orig_seq = get32(v.l4 + 4);
        out->has_orig_seq = 1;
    }
    return 1;
}

static int icmp_is_error(uint8_t family, uint8_t type)
{
    if (family == AF_INET)
        return type == 3 || type == 11; /* unreachable, time exceeded */
    return type == 1 || type == 3;      /* the same two in ICMPv6 */
}

static int parse_icmp(const struct ip_view *v, struct ps__pkt *out)
{
    const uint8_t *c = v->l4;
    if (v->l4len < 8) /* type, code, checksum, 4 bytes by type */
        return -1;
    uint8_t family = v->src.family;
    if (!icmp_is_error(family, c[0]) ||
        !parse_quote(c + 8, v->l4len - 8, family, out))
        return 0; /* PS__PKT_OTHER */
    out->kind = PS__PKT_ICMP_ERR;
    out->icmp_type = c[0];
    out->icmp_code = c[1];
    return 0;
}

int ps__pkt_parse_ip(const uint8_t *p, size_t len, struct ps__pkt *out)
{
    struct ip_view v;

    memset(out, 0, sizeof *out);
    if (!p || view_ip(p, len, 0, &v))
        return -1;
    out->src = v.src;
    out->dst = v.dst;
    out->ttl = v.ttl;
    out->proto = v.proto;
    out->ipid = v.ipid;
    if (v.proto == IPPROTO_TCP)
        return parse_tcp(&v, out);
    if (v.proto == IPPROTO_UDP)
        return parse_udp(&v, out);
    if ((v.proto == IPPROTO_ICMP && v.src.family == AF_INET) ||
        (v.proto == IPPROTO_ICMPV6 && v.src.family == AF_INET6))
        return parse_icmp(&v, out);
    return 0; /* PS__PKT_OTHER */
}

/* The link-layer helpers below run on an out that ps__pkt_parse_frame has
 * zeroed. An IP packet whose version the link layer already announced (4
 * or 6) but that says otherwise is corrupt. */
static int parse_ip_version(const uint8_t *p, size_t len, unsigned version,
                            struct ps__pkt *out)
{
    if (len < 1 || p[0] >> 4 != version)
        return -1;
    return ps__pkt_parse_ip(p, len, out);
}

static int parse_ethertype(uint16_t type, const uint8_t *p, size_t len,
                           struct ps__pkt *out)
{
    if (type == ETH_IPV4)
        return parse_ip_version(p, len, 4, out);
    if (type == ETH_IPV6)
        return parse_ip_version(p, len, 6, out);
    return 0; /* ARP and the rest: PS__PKT_OTHER */
}

static int vlan_tpid(uint16_t type)
{
    return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

/* Ethernet II, with up to two VLAN tags (802.1Q, or QinQ with an 802.1ad
 * outer tag); a third tag is left to PS__PKT_OTHER. */
static int parse_ether(const uint8_t *f, size_t len, struct ps__pkt *out)
{
    size_t off = 12; /* destination and source MAC */

    if (len < 14)
        return -1;
    uint16_t type = get16(f + off);
    for (int tags = 0; tags < 2 && vlan_tpid(type); tags++) {
        off += 4; /* the TPID just read and the tag control word */
        if (len < off + 2) /* (off may pass len: no len - off here) */
            return -1;
        type = get16(f + off);
    }
    off += 2;
    return parse_ethertype(type, f + off, len - off, out);
}

/* The address family word of DLT_NULL and DLT_LOOP. */
static int parse_null(const uint8_t *f, size_t len, int network_order,
                      struct ps__pkt *out)
{
    if (len < 4)
        return -1;
    uint32_t af = get32(f);
    /* DLT_NULL writes it in the capturing host's order, which a file from
     * another machine does not reveal; the values are small, so a word
     * with its high half set was written little-endian. */
    if (!network_order && (af & 0xffff0000u))
        af = (uint32_t)f[0] | (uint32_t)f[1] << 8 | (uint32_t)f[2] << 16 |
             (uint32_t)f[3] << 24;
    if (af == 2)
        return parse_ip_version(f + 4, len - 4, 4, out);
    /* AF_INET6 is 10 on Linux, 24 on the BSDs, 28 on FreeBSD, 30 on macOS. */
    if (af == 10 || af == 24 || af == 28 || af == 30)
        return parse_ip_version(f + 4, len - 4, 6, out);
    return 0;
}

int ps__pkt_parse_frame(int dlt, const uint8_t *frame, size_t len,
                        struct ps__pkt *out)
{
    memset(out, 0, sizeof *out);
    if (!frame)
        return -1;
    switch (dlt) {
    case DLT_EN10MB:
        return parse_ether(frame, len, out);
    case DLT_LINUX_SLL: /* 16 bytes; the ethertype is the last word */
        if (len < 16)
            return -1;
        return parse_ethertype(get16(frame + 14), frame + 16, len - 16, out);
    case DLT_LINUX_SLL2: /* 20 bytes; the ethertype is the first word */
        if (len < 20)
            return -1;
        return parse_ethertype(get16(frame), frame + 20, len - 20, out);
    case DLT_RAW:
    case PS__LINKTYPE_RAW:
        return ps__pkt_parse_ip(frame, len, out);
    case DLT_IPV4:
        return parse_ip_version(frame, len, 4, out);
    case DLT_IPV6:
        return parse_ip_version(frame, len, 6, out);
    case DLT_NULL:
        return parse_null(frame, len, 0, out);
    case DLT_LOOP:
        return parse_null(frame, len, 1, out);
    default:
        return -1;
    }
}
