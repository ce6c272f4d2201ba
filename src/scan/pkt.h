/* The packet layer of the stateless scans (SYN, UDP): probes built into a
 * caller's buffer, and answers parsed from captured bytes. Pure functions:
 * no I/O, no allocation, no global state, so any thread may call them and
 * tests and fuzzers can drive them with plain buffers. Never installed.
 *
 * Byte order: every number in struct ps__pkt and every argument below
 * (ports, seq, ack, ipid) is in HOST byte order; ps_ip.bytes are the
 * address bytes as on the wire. */
#ifndef PS_SCAN_PKT_H
#define PS_SCAN_PKT_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/dlt.h> /* the DLT_ values of ps__pkt_parse_frame */

#include "portscope/targets.h" /* struct ps_ip */

/* Older libpcap headers lack the newer link types; the values are fixed by
 * tcpdump.org's registry. pcap files say 101 for raw IP (LINKTYPE_RAW);
 * libpcap maps it to DLT_RAW when reading, but a caller holding the file's
 * own value need not. */
#ifndef DLT_LINUX_SLL
#define DLT_LINUX_SLL 113
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#define PS__LINKTYPE_RAW 101

/* TCP flag bits, as in byte 13 of the TCP header. */
#define PS__TCP_FIN 0x01u
#define PS__TCP_SYN 0x02u
#define PS__TCP_RST 0x04u
#define PS__TCP_PSH 0x08u
#define PS__TCP_ACK 0x10u
#define PS__TCP_URG 0x20u
#define PS__TCP_ECE 0x40u
#define PS__TCP_CWR 0x80u

/* Lengths of what ps__pkt_build_syn writes: IP header, 20 bytes of TCP and
 * the 4-byte MSS option. A buffer of PS__PKT_SYN_MAX fits either family. */
#define PS__PKT_SYN_LEN4 44u
#define PS__PKT_SYN_LEN6 64u
#define PS__PKT_SYN_MAX PS__PKT_SYN_LEN6
/* The IP and UDP headers ps__pkt_build_udp puts before the payload. */
#define PS__PKT_UDP_HDR4 28u
#define PS__PKT_UDP_HDR6 48u

#define PS__PKT_SYN_MSS 1460u
#define PS__PKT_SYN_WINDOW 1024u

/* Builds an IPv4 or IPv6 (by dst->family; src the same family) header and
 * a TCP SYN with an MSS option (1460), window 1024, the given seq, ack 0,
 * TTL or hop limit ttl, IPv4 id ipid (unused for IPv6, which has no id
 * outside a fragment header), no DF, and correct IPv4 header and TCP
 * checksums. Returns the length written (PS__PKT_SYN_LEN4 or _LEN6), or 0
 * when cap is too small, the families differ or are neither AF_INET nor
 * AF_INET6; buf is then untouched. */
size_t ps__pkt_build_syn(uint8_t *buf, size_t cap, const struct ps_ip *src,
                         const struct ps_ip *dst, uint16_t sport, uint16_t dport,
                         uint32_t seq, uint8_t ttl, uint16_t ipid);

/* Builds an IPv4 or IPv6 header and a UDP datagram carrying plen bytes of
 * payload (payload may be NULL when plen is 0), with correct checksums
 * (IPv4 header and UDP; a UDP checksum that computes to 0 is sent as
 * 0xffff, since 0 means "none" on IPv4 and is forbidden on IPv6). Returns
 * the length written, or 0 when cap is too small, the families are wrong
 * or the datagram would not fit the 16-bit length fields (a payload of at
 * most 65507 bytes over IPv4, 65527 over IPv6). */
size_t ps__pkt_build_udp(uint8_t *buf, size_t cap, const struct ps_ip *src,
                         const struct ps_ip *dst, uint16_t sport, uint16_t dport,
                         const uint8_t *payload, size_t plen, uint8_t ttl,
                         uint16_t ipid);

/* Writes only an IPv4 or IPv6 header (IPv4: no options, no DF, header
 * checksum set) for a transport payload of l4len bytes of protocol proto,
 * which the caller writes after it. Returns the header length (20 or 40),
 * or 0 when the families are wrong, the lengths would overflow or cap
 * cannot hold header and payload. For modules with their own transport
 * and for tests that craft packets. */
size_t ps__pkt_build_ip(uint8_t *buf, size_t cap, const struct ps_ip *src,
                        const struct ps_ip *dst, uint8_t proto, size_t l4len,
                        uint8_t ttl, uint16_t ipid);

/* Builds an ICMP (IPv4) or ICMPv6 error of type and code from src to dst
 * that quotes qlen bytes of quote (the start of the packet it is about;
 * quote may lie in buf), with correct checksums. The scan never sends one:
 * this is for tests and fuzzing of answer validation. Returns the length,
 * or 0 as for ps__pkt_build_udp. */
size_t ps__pkt_build_icmp_error(uint8_t *buf, size_t cap, const struct ps_ip *src,
                                const struct ps_ip *dst, uint8_t type,
                                uint8_t code, const uint8_t *quote, size_t qlen,
                                uint8_t ttl, uint16_t ipid);

enum ps__pkt_kind { PS__PKT_OTHER = 0, PS__PKT_TCP, PS__PKT_UDP, PS__PKT_ICMP_ERR };

/* A parsed packet. Fields that do not apply to its kind are zero. */
struct ps__pkt {
    enum ps__pkt_kind kind;
    struct ps_ip src, dst;      /* outer IP header (set for every kind) */
    uint8_t ttl;                /* outer TTL / hop limit */
    uint8_t proto;              /* outer transport: IPPROTO_TCP, _UDP,
                                   _ICMP, _ICMPV6 or another (OTHER) */
    uint16_t ipid;              /* outer IPv4 id; 0 for IPv6 */
    uint16_t sport, dport;      /* TCP/UDP: the packet's ports */
    uint32_t seq, ack;          /* TCP */
    uint8_t tcp_flags;          /* TCP: PS__TCP_* bits */
    uint16_t window;            /* TCP */
    const uint8_t *payload;     /* UDP payload, pointing into the input */
    size_t payload_len;         /* (a first fragment: what was captured) */
    /* PS__PKT_ICMP_ERR: an ICMP (v4) or ICMPv6 (v6: src.family says
     * which) error about a packet we sent, whose start it quotes. */
    uint8_t icmp_type, icmp_code;
    struct ps_ip orig_src, orig_dst; /* the quoted packet's header */
    uint8_t orig_proto;              /* IPPROTO_TCP / IPPROTO_UDP */
    uint16_t orig_sport, orig_dport;
    uint32_t orig_seq;               /* TCP quotes: bytes 4..7 of TCP */
    uint8_t has_orig_seq;            /* 1 for a TCP quote */
};

/* Parses a packet that starts at its IP header (len bytes were captured;
 * bytes after the IP total length, such as Ethernet padding, are ignored).
 * Returns 0 and fills out with
 *   PS__PKT_TCP       a TCP segment (header and options complete);
 *   PS__PKT_UDP       a UDP datagram;
 *   PS__PKT_ICMP_ERR  an ICMP destination unreachable (3) or time exceeded
 *                     (11), or ICMPv6 destination unreachable (1) or time
 *                     exceeded (3), quoting an IP header of the same family
 *                     and at least 8 bytes of TCP or UDP;
 *   PS__PKT_OTHER     any other well-formed packet: other protocols, ICMP
 *                     echo and the like, and errors whose quote is too short
 *                     or not TCP/UDP (RFC 792 routers quote only 8 bytes, so
 *                     a short quote is not malformed, only useless).
 * Returns -1 for anything malformed or truncated: a header or length field
 * that points past the captured bytes, a bad IHL, TCP data offset or UDP
 * length, an IPv4 total length shorter than its header, a non-first
 * fragment (its transport header is elsewhere), or more than 8 IPv6
 * extension headers (hop-by-hop, routing, destination options, fragment
 * and AH are walked). Checksums are not verified: hardware offload leaves
 * them wrong in captures of outgoing packets, and the scan authenticates an
 * answer by its keyed cookie instead. On -1, out->kind is PS__PKT_OTHER
 * and its other fields mean nothing. Never reads past p + len. */
int ps__pkt_parse_ip(const uint8_t *p, size_t len, struct ps__pkt *out);

/* The same from a link-layer frame of pcap datalink type dlt: DLT_EN10MB
 * (with up to two 802.1Q / 802.1ad VLAN tags), DLT_LINUX_SLL,
 * DLT_LINUX_SLL2, DLT_RAW and PS__LINKTYPE_RAW (101), DLT_IPV4, DLT_IPV6,
 * DLT_NULL (host byte order) and DLT_LOOP (network byte order). Frames of
 * other ethertypes or address families give PS__PKT_OTHER and 0; an IP
 * version that contradicts the link layer, or a frame shorter than its
 * link header, gives -1; so does an unknown dlt. */
int ps__pkt_parse_frame(int dlt, const uint8_t *frame, size_t len,
                        struct ps__pkt *out);

/* Internet checksum (RFC 1071) helpers, exported for the tests and for
 * probe modules that patch a prepared packet.
 * ps__pkt_csum_add adds len bytes (big-endian 16-bit words; only the last
 * chunk of a sum may have an odd length) to a running 32-bit sum;
 * ps__pkt_csum_fold folds a sum and complements it. */
uint32_t ps__pkt_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t ps__pkt_csum_fold(uint32_t sum);
/* The checksum of len bytes, in host order: store it big-endian. Over a
 * header that holds a correct checksum it gives 0. */
uint16_t ps__pkt_csum(const void *data, size_t len);
/* The TCP/UDP/ICMPv6 checksum of l4 (len bytes) with the pseudo-header of
 * src, dst and proto (RFC 793 for IPv4, RFC 8200 section 8.1 for IPv6).
 * Over a segment whose checksum field is correct it gives 0. */
uint16_t ps__pkt_l4_csum(const struct ps_ip *src, const struct ps_ip *dst,
                         uint8_t proto, const void *l4, size_t len);

#endif
