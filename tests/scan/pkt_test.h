/* Helpers shared by the packet-layer tests (test_pkt.c, test_pkt_frames.c,
 * test_pkt_capture.c): addresses, hand-made IP headers and ICMP errors,
 * checksum checks. Everything is static inline: each test is one program. */
#ifndef PS_TEST_PKT_H
#define PS_TEST_PKT_H

#include "ps_test.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "scan/pkt.h"

static inline struct ps_ip pt_ip(const char *text)
{
    struct ps_ip ip;
    if (ps_ip_parse(text, &ip) != 0)
        fail_msg("bad test address %s", text);
    return ip;
}

static inline void pt_put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void pt_put32(uint8_t *p, uint32_t v)
{
    pt_put16(p, v >> 16);
    pt_put16(p + 2, v & 0xffff);
}

/* Writes a plain IPv4 (TTL 64, id 0x1234) or IPv6 (hop limit 64) header
 * for l4len bytes of proto into b (room for either family); returns its
 * length. */
static inline size_t pt_ip_header(uint8_t *b, const struct ps_ip *src,
                                  const struct ps_ip *dst, uint8_t proto,
                                  size_t l4len)
{
    size_t h = ps__pkt_build_ip(b, 40 + l4len, src, dst, proto, l4len, 64, 0x1234);
    assert_int_not_equal(h, 0);
    return h;
}

/* An ICMP (IPv4 from) or ICMPv6 error from -> to, quoting qlen bytes. */
static inline size_t pt_icmp_error(uint8_t *b, const struct ps_ip *from,
                                   const struct ps_ip *to, uint8_t type,
                                   uint8_t code, const uint8_t *quote,
                                   size_t qlen)
{
    size_t n = ps__pkt_build_icmp_error(b, 48 + qlen, from, to, type, code,
                                        quote, qlen, 64, 0x1234);
    assert_int_not_equal(n, 0);
    return n;
}

/* Asserts that the IPv4 header (if any) and the transport checksum of a
 * packet written by ps__pkt_build_* (no IPv6 extension headers) are
 * correct: summed with their pseudo-header they must give 0. */
static inline void pt_check_csums(const uint8_t *b, size_t len)
{
    struct ps_ip src = {0}, dst = {0};
    size_t h;
    uint8_t proto;

    if (b[0] >> 4 == 4) {
        h = 20;
        assert_int_equal(ps__pkt_csum(b, h), 0);
        src.family = dst.family = AF_INET;
        memcpy(src.bytes, b + 12, 4);
        memcpy(dst.bytes, b + 16, 4);
        proto = b[9];
    } else {
        h = 40;
        src.family = dst.family = AF_INET6;
        memcpy(src.bytes, b + 8, 16);
        memcpy(dst.bytes, b + 24, 16);
        proto = b[6];
    }
    if (proto == IPPROTO_ICMP) /* no pseudo-header */
        assert_int_equal(ps__pkt_csum(b + h, len - h), 0);
    else
        assert_int_equal(ps__pkt_l4_csum(&src, &dst, proto, b + h, len - h), 0);
}

/* Parses a copy of p in a buffer of exactly len bytes, so that ASan sees
 * any read past the end. */
static inline int pt_parse_exact(int dlt, const uint8_t *p, size_t len,
                                 struct ps__pkt *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, p, len);
    int rc = dlt < 0 ? ps__pkt_parse_ip(copy, len, out)
                     : ps__pkt_parse_frame(dlt, copy, len, out);
    /* The payload pointer points into the copy: keep it meaningful. */
    if (out->payload)
        out->payload = p + (out->payload - copy);
    free(copy);
    return rc;
}

/* Every strict prefix of a valid packet is rejected or harmless (-1, or 0
 * with PS__PKT_OTHER), and no prefix is read past its end. */
static inline void pt_check_truncations(int dlt, const uint8_t *p, size_t full)
{
    struct ps__pkt out;
    for (size_t len = 0; len < full; len++) {
        int rc = pt_parse_exact(dlt, p, len, &out);
        if (!(rc == -1 || (rc == 0 && out.kind == PS__PKT_OTHER)))
            fail_msg("dlt %d: prefix of %zu of %zu bytes gave rc %d kind %d",
                     dlt, len, full, rc, (int)out.kind);
    }
}

static inline int pt_ip_equal(const struct ps_ip *a, const struct ps_ip *b)
{
    size_t n = a->family == AF_INET6 ? 16 : 4;
    return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}

/* Field-by-field equality of two parses (payloads by content). */
static inline int pt_pkt_equal(const struct ps__pkt *a, const struct ps__pkt *b)
{
    return a->kind == b->kind && pt_ip_equal(&a->src, &b->src) &&
           pt_ip_equal(&a->dst, &b->dst) && a->ttl == b->ttl &&
           a->proto == b->proto && a->ipid == b->ipid && a->sport == b->sport &&
           a->dport == b->dport && a->seq == b->seq && a->ack == b->ack &&
           a->tcp_flags == b->tcp_flags && a->window == b->window &&
           a->payload_len == b->payload_len &&
           (!a->payload_len || memcmp(a->payload, b->payload, a->payload_len) == 0) &&
           a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code &&
           pt_ip_equal(&a->orig_src, &b->orig_src) &&
           pt_ip_equal(&a->orig_dst, &b->orig_dst) && a->orig_proto == b->orig_proto &&
           a->orig_sport == b->orig_sport && a->orig_dport == b->orig_dport &&
           a->orig_seq == b->orig_seq && a->has_orig_seq == b->has_orig_seq;
}

#endif
