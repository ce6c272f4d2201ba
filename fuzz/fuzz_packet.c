/* libFuzzer target: ps__pkt_parse_frame and ps__pkt_parse_ip
 * (src/scan/pkt_parse.c), the parser of every packet a SYN or UDP scan
 * captures. Byte 0 of the input picks the link layer (see link_of), the
 * rest is the frame, copied to a buffer of its exact size so that ASan
 * sees a read past its end. Beyond not crashing, a parse must keep the
 * contracts of pkt.h, and what it found must survive a round trip: the
 * same fields built again with ps__pkt_build_* parse back the same. */
#include "fuzz_common.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "scan/pkt.h"

#define PARSE_IP (-1) /* ps__pkt_parse_ip, no link layer */
#define NO_DLT 9999   /* a link type the parser must refuse */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Byte 0 modulo 11: the link type. */
static int link_of(uint8_t b)
{
    static const int links[11] = {PARSE_IP, DLT_EN10MB, DLT_LINUX_SLL,
                                  DLT_LINUX_SLL2, DLT_RAW, DLT_NULL, DLT_LOOP,
                                  DLT_IPV4, DLT_IPV6, PS__LINKTYPE_RAW, NO_DLT};
    return links[b % 11];
}

static int parse(int dlt, const uint8_t *p, size_t len, struct ps__pkt *out)
{
    return dlt == PARSE_IP ? ps__pkt_parse_ip(p, len, out)
                           : ps__pkt_parse_frame(dlt, p, len, out);
}

static int family_ok(uint8_t f)
{
    return f == AF_INET || f == AF_INET6;
}

static int ip_eq(const struct ps_ip *a, const struct ps_ip *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

/* The contracts of a successful parse of len bytes at p. */
static void check_fields(const struct ps__pkt *pk, const uint8_t *p, size_t len)
{
    FUZZ_CHECK(pk->kind <= PS__PKT_ICMP_ERR);
    if (pk->kind != PS__PKT_OTHER) {
        FUZZ_CHECK(family_ok(pk->src.family));
        FUZZ_CHECK(pk->dst.family == pk->src.family);
    }
    if (pk->kind == PS__PKT_UDP) {
        FUZZ_CHECK(pk->payload && pk->payload >= p);
        FUZZ_CHECK(pk->payload_len <= len &&
                   (size_t)(pk->payload - p) <= len - pk->payload_len);
    } else {
        FUZZ_CHECK(!pk->payload && pk->payload_len == 0);
    }
    if (pk->kind == PS__PKT_ICMP_ERR) {
        int v4 = pk->src.family == AF_INET;
        FUZZ_CHECK(pk->proto == (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6));
        FUZZ_CHECK(v4 ? pk->icmp_type == 3 || pk->icmp_type == 11
                      : pk->icmp_type == 1 || pk->icmp_type == 3);
        FUZZ_CHECK(pk->orig_src.family == pk->src.family);
        FUZZ_CHECK(pk->orig_dst.family == pk->src.family);
        FUZZ_CHECK(pk->orig_proto == IPPROTO_TCP || pk->orig_proto == IPPROTO_UDP);
        FUZZ_CHECK(pk->has_orig_seq == (pk->orig_proto == IPPROTO_TCP));
    } else {
        FUZZ_CHECK(pk->orig_proto == 0 && pk->has_orig_seq == 0 &&
                   pk->orig_src.family == 0 && pk->icmp_type == 0);
    }
    if (pk->kind == PS__PKT_TCP)
        FUZZ_CHECK(pk->proto == IPPROTO_TCP);
    if (pk->kind == PS__PKT_UDP)
        FUZZ_CHECK(pk->proto == IPPROTO_UDP);
    FUZZ_CHECK(pk->src.family == AF_INET6 ? pk->ipid == 0 : 1);
}

/* Builds a TCP SYN or UDP datagram with pk's fields and parses it back. */
static void round_trip_l4(const struct ps__pkt *pk, uint8_t *buf, size_t cap)
{
    struct ps__pkt back;
    size_t n;

    if (pk->kind == PS__PKT_TCP)
        n = ps__pkt_build_syn(buf, cap, &pk->src, &pk->dst, pk->sport, pk->dport,
                              pk->seq, pk->ttl, pk->ipid);
    else
        n = ps__pkt_build_udp(buf, cap, &pk->src, &pk->dst, pk->sport, pk->dport,
                              pk->payload, pk->payload_len, pk->ttl, pk->ipid);
    /* Whatever parsed fits the length fields again (even a payload behind
     * IPv4 options, which the builder does not write). */
    FUZZ_CHECK(n != 0);
    FUZZ_CHECK(ps__pkt_parse_ip(buf, n, &back) == 0);
    FUZZ_CHECK(back.kind == pk->kind);
    FUZZ_CHECK(ip_eq(&back.src, &pk->src) && ip_eq(&back.dst, &pk->dst));
    FUZZ_CHECK(back.ttl == pk->ttl && back.ipid == pk->ipid);
    FUZZ_CHECK(back.sport == pk->sport && back.dport == pk->dport);
    if (pk->kind == PS__PKT_TCP) {
        FUZZ_CHECK(back.seq == pk->seq && back.ack == 0);
        FUZZ_CHECK(back.tcp_flags == PS__TCP_SYN);
        FUZZ_CHECK(back.window == PS__PKT_SYN_WINDOW);
    } else {
        FUZZ_CHECK(back.payload_len == pk->payload_len);
        FUZZ_CHECK(memcmp(back.payload, pk->payload, pk->payload_len) == 0);
    }
    /* Correct checksums: summed over header (and pseudo-header) they
     * give 0. */
    size_t iph = pk->src.family == AF_INET ? 20 : 40;
    if (iph == 20)
        FUZZ_CHECK(ps__pkt_csum(buf, iph) == 0);
    FUZZ_CHECK(ps__pkt_l4_csum(&pk->src, &pk->dst, pk->proto, buf + iph, n - iph) == 0);
}

/* Builds the probe an ICMP error quotes, wraps it in the same error and
 * parses that back. */
static void round_trip_icmp(const struct ps__pkt *pk, uint8_t *buf, size_t cap)
{
    uint8_t probe[PS__PKT_SYN_MAX];
    struct ps__pkt back;
    size_t q;

    if (pk->orig_proto == IPPROTO_TCP)
        q = ps__pkt_build_syn(probe, sizeof probe, &pk->orig_src, &pk->orig_dst,
                              pk->orig_sport, pk->orig_dport, pk->orig_seq, 64, 1);
    else
        q = ps__pkt_build_udp(probe, sizeof probe, &pk->orig_src, &pk->orig_dst,
                              pk->orig_sport, pk->orig_dport, NULL, 0, 64, 1);
    FUZZ_CHECK(q != 0);
    size_t n = ps__pkt_build_icmp_error(buf, cap, &pk->src, &pk->dst, pk->icmp_type,
                                        pk->icmp_code, probe, q, pk->ttl, pk->ipid);
    FUZZ_CHECK(n != 0);
    FUZZ_CHECK(ps__pkt_parse_ip(buf, n, &back) == 0);
    FUZZ_CHECK(back.kind == PS__PKT_ICMP_ERR);
    FUZZ_CHECK(ip_eq(&back.src, &pk->src) && ip_eq(&back.dst, &pk->dst));
    FUZZ_CHECK(back.icmp_type == pk->icmp_type && back.icmp_code == pk->icmp_code);
    FUZZ_CHECK(ip_eq(&back.orig_src, &pk->orig_src));
    FUZZ_CHECK(ip_eq(&back.orig_dst, &pk->orig_dst));
    FUZZ_CHECK(back.orig_proto == pk->orig_proto);
    FUZZ_CHECK(back.orig_sport == pk->orig_sport && back.orig_dport == pk->orig_dport);
    FUZZ_CHECK(back.has_orig_seq == pk->has_orig_seq && back.orig_seq == pk->orig_seq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int dlt = link_of(data[0]);
    size_t len = size - 1;
    uint8_t *frame = malloc(len ? len : 1);
    if (!frame)
        return 0;
    memcpy(frame, data + 1, len);

    struct ps__pkt pk, again;
    int rc = parse(dlt, frame, len, &pk);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (dlt == NO_DLT)
        FUZZ_CHECK(rc == -1);
    if (rc == -1) {
        FUZZ_CHECK(pk.kind == PS__PKT_OTHER);
    } else {
        check_fields(&pk, frame, len);
        /* Parsing is a function of the bytes. */
        FUZZ_CHECK(parse(dlt, frame, len, &again) == 0);
        FUZZ_CHECK(again.kind == pk.kind && again.payload == pk.payload);
        /* Room for the largest datagram a payload can ask for. */
        static uint8_t buf[65536 + 64];
        if (pk.kind == PS__PKT_TCP || pk.kind == PS__PKT_UDP)
            round_trip_l4(&pk, buf, sizeof buf);
        else if (pk.kind == PS__PKT_ICMP_ERR)
            round_trip_icmp(&pk, buf, sizeof buf);
    }
    free(frame);
    return 0;
}
