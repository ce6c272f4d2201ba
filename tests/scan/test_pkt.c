/* The packet layer (src/scan/pkt_build.c, pkt_parse.c): probes built and
 * parsed back, checksums, hand-made answers (SYN-ACK, RST, ICMP and ICMPv6
 * errors), IPv4 fragments and IPv6 extension headers, malformed headers
 * and every truncation. Link layers are in test_pkt_frames.c, real
 * captures in test_pkt_capture.c. */
#include "pkt_test.h"

static const char *const us4 = "192.0.2.10", *const them4 = "198.51.100.7";
static const char *const us6 = "2001:db8::10", *const them6 = "2001:db8:1::7";

/* A SYN built and parsed back gives every field it was built with. */
static void check_syn_roundtrip(const char *s, const char *d, size_t want_len)
{
    struct ps_ip src = pt_ip(s), dst = pt_ip(d);
    uint8_t buf[128];
    struct ps__pkt pk;

    size_t n = ps__pkt_build_syn(buf, sizeof buf, &src, &dst, 40001, 443,
                                 0xdeadbeef, 57, 0xabcd);
    assert_int_equal(n, want_len);
    pt_check_csums(buf, n);
    /* The MSS option closes the header. */
    static const uint8_t mss[4] = {2, 4, 0x05, 0xb4};
    assert_memory_equal(buf + n - 4, mss, 4);

    assert_int_equal(pt_parse_exact(-1, buf, n, &pk), 0);
    assert_int_equal(pk.kind, PS__PKT_TCP);
    assert_true(pt_ip_equal(&pk.src, &src));
    assert_true(pt_ip_equal(&pk.dst, &dst));
    assert_int_equal(pk.ttl, 57);
    assert_int_equal(pk.proto, IPPROTO_TCP);
    assert_int_equal(pk.ipid, src.family == AF_INET ? 0xabcd : 0);
    assert_int_equal(pk.sport, 40001);
    assert_int_equal(pk.dport, 443);
    assert_int_equal(pk.seq, 0xdeadbeef);
    assert_int_equal(pk.ack, 0);
    assert_int_equal(pk.tcp_flags, PS__TCP_SYN);
    assert_int_equal(pk.window, PS__PKT_SYN_WINDOW);
    assert_null(pk.payload);
    pt_check_truncations(-1, buf, n);
}

static void test_syn_roundtrip(void **state)
{
    (void)state;
    check_syn_roundtrip(us4, them4, PS__PKT_SYN_LEN4);
    check_syn_roundtrip(us6, them6, PS__PKT_SYN_LEN6);
}

static void test_build_refuses(void **state)
{
    struct ps_ip a4 = pt_ip(us4), b4 = pt_ip(them4), a6 = pt_ip(us6);
    struct ps_ip bad = a4;
    uint8_t buf[128], before[128];
    (void)state;
    bad.family = 0;
    memset(buf, 0x77, sizeof buf);
    memcpy(before, buf, sizeof buf);
    /* One byte short, mixed families, no family: nothing written. */
    size_t cap = sizeof buf;
    assert_int_equal(ps__pkt_build_syn(buf, PS__PKT_SYN_LEN4 - 1, &a4, &b4, 1, 2,
                                       3, 64, 0), 0);
    assert_int_equal(ps__pkt_build_syn(buf, cap, &a6, &b4, 1, 2, 3, 64, 0), 0);
    assert_int_equal(ps__pkt_build_syn(buf, cap, &bad, &bad, 1, 2, 3, 64, 0), 0);
    assert_int_equal(ps__pkt_build_udp(buf, 28 + 4, &a4, &b4, 1, 2,
                                       (const uint8_t *)"hello", 5, 64, 0), 0);
    assert_int_equal(ps__pkt_build_udp(buf, cap, &a4, &a6, 1, 2, NULL, 0, 64, 0), 0);
    assert_int_equal(ps__pkt_build_udp(buf, cap, &a4, &b4, 1, 2, NULL, 3, 64, 0), 0);
    assert_int_equal(ps__pkt_build_ip(buf, cap, &a4, &b4, 6, cap, 64, 0), 0);
    assert_int_equal(ps__pkt_build_icmp_error(buf, sizeof buf, &a4, &b4, 3, 3, NULL, 8,
                                              64, 0), 0);
    assert_int_equal(ps__pkt_build_icmp_error(buf, sizeof buf, &a6, &b4, 3, 3, NULL, 0,
                                              64, 0), 0);
    assert_memory_equal(buf, before, sizeof buf);
    /* Exactly enough room is enough. */
    assert_int_equal(ps__pkt_build_syn(buf, PS__PKT_SYN_LEN4, &a4, &b4, 1, 2, 3, 64, 0),
                     PS__PKT_SYN_LEN4);
    /* A datagram too big for the 16-bit lengths. */
    uint8_t *big = calloc(70000, 1);
    assert_non_null(big);
    assert_int_equal(ps__pkt_build_udp(big, 70000, &a4, &b4, 1, 2, big + 100,
                                       65535 - 28 + 1, 64, 0), 0);
    assert_int_equal(ps__pkt_build_udp(big, 70000, &a4, &b4, 1, 2, big + 100,
                                       65535 - 28, 64, 0), 65535);
    /* IPv6 has 40 bytes more: its payload length does not count the
     * header. */
    assert_int_equal(ps__pkt_build_udp(big, 70000, &a6, &a6, 1, 2, big + 100,
                                       65535 - 8, 64, 0), 65535 + 40);
    assert_int_equal(ps__pkt_build_udp(big, 70000, &a6, &a6, 1, 2, big + 100,
                                       65535 - 7, 64, 0), 0);
    assert_int_equal(ps__pkt_build_ip(big, 70000, &a6, &a6, 59, 65535, 64, 0), 40);
    assert_int_equal(ps__pkt_build_ip(big, 70000, &a6, &a6, 59, 65536, 64, 0), 0);
    assert_int_equal(ps__pkt_build_ip(big, 70000, &a4, &b4, 59, 65535 - 20, 64, 0), 20);
    assert_int_equal(ps__pkt_build_ip(big, 70000, &a4, &b4, 59, 65535 - 19, 64, 0), 0);
    free(big);
}

static void check_udp_roundtrip(const char *s, const char *d,
                                const uint8_t *payload, size_t plen)
{
    struct ps_ip src = pt_ip(s), dst = pt_ip(d);
    uint8_t buf[256];
    struct ps__pkt pk;

    size_t n = ps__pkt_build_udp(buf, sizeof buf, &src, &dst, 53000, 53,
                                 payload, plen, 33, 0x0102);
    size_t hdr = src.family == AF_INET ? PS__PKT_UDP_HDR4 : PS__PKT_UDP_HDR6;
    assert_int_equal(n, hdr + plen);
    pt_check_csums(buf, n);
    assert_int_not_equal(buf[hdr - 2] | buf[hdr - 1], 0); /* never "none" */

    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), 0);
    assert_int_equal(pk.kind, PS__PKT_UDP);
    assert_true(pt_ip_equal(&pk.src, &src));
    assert_true(pt_ip_equal(&pk.dst, &dst));
    assert_int_equal(pk.ttl, 33);
    assert_int_equal(pk.sport, 53000);
    assert_int_equal(pk.dport, 53);
    assert_int_equal(pk.payload_len, plen);
    assert_ptr_equal(pk.payload, buf + hdr);
    if (plen)
        assert_memory_equal(pk.payload, payload, plen);
    pt_check_truncations(-1, buf, n);
}

static void test_udp_roundtrip(void **state)
{
    static const uint8_t dns[] = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    (void)state;
    for (size_t plen = 0; plen <= sizeof dns; plen++) { /* odd and even */
        check_udp_roundtrip(us4, them4, dns, plen);
        check_udp_roundtrip(us6, them6, dns, plen);
    }
}

/* A payload chosen so that the checksum computes to 0: it goes out as
 * 0xffff, which still verifies. */
static void test_udp_zero_checksum(void **state)
{
    struct ps_ip src = pt_ip(us6), dst = pt_ip(them6);
    uint8_t buf[64], pay[2] = {0, 0};
    (void)state;
    size_t n = ps__pkt_build_udp(buf, sizeof buf, &src, &dst, 1, 2, pay, 2, 64, 0);
    /* The payload word that cancels the sum is the checksum itself. */
    pay[0] = buf[46];
    pay[1] = buf[47];
    n = ps__pkt_build_udp(buf, sizeof buf, &src, &dst, 1, 2, pay, 2, 64, 0);
    assert_int_equal(buf[46], 0xff);
    assert_int_equal(buf[47], 0xff);
    pt_check_csums(buf, n);
}

/* The payload may already sit in the output buffer. */
static void test_udp_payload_in_place(void **state)
{
    struct ps_ip src = pt_ip(us4), dst = pt_ip(them4);
    uint8_t buf[64];
    struct ps__pkt pk;
    (void)state;
    memcpy(buf, "in place", 8);
    size_t n = ps__pkt_build_udp(buf, sizeof buf, &src, &dst, 1, 2, buf, 8, 64, 0);
    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), 0);
    assert_int_equal(pk.payload_len, 8);
    assert_memory_equal(pk.payload, "in place", 8);
    /* So may an ICMP error's quote, even overlapping where it goes. */
    uint8_t big[256];
    size_t q = ps__pkt_build_udp(big + 20, 200, &src, &dst, 7, 9, NULL, 0, 64, 0);
    n = ps__pkt_build_icmp_error(big, sizeof big, &dst, &src, 3, 3, big + 20, q, 64, 0);
    assert_int_equal(n, 28 + q);
    assert_int_equal(ps__pkt_parse_ip(big, n, &pk), 0);
    assert_int_equal(pk.kind, PS__PKT_ICMP_ERR);
    assert_int_equal(pk.orig_sport, 7);
    assert_int_equal(pk.orig_dport, 9);
}

/* An answer from them to us: a SYN from the builder, then flags and ack
 * patched in (the parser does not check TCP checksums). */
static size_t make_answer(uint8_t *buf, int v6, uint8_t flags, uint32_t ack)
{
    struct ps_ip src = pt_ip(v6 ? them6 : them4), dst = pt_ip(v6 ? us6 : us4);
    size_t n = ps__pkt_build_syn(buf, 128, &src, &dst, 443, 40001, 777, 50, 9);
    size_t t = v6 ? 40 : 20;
    buf[t + 13] = flags;
    pt_put32(buf + t + 8, ack);
    return n;
}

static void test_syn_ack_and_rst(void **state)
{
    uint8_t buf[128];
    struct ps__pkt pk;
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        size_t n = make_answer(buf, v6, PS__TCP_SYN | PS__TCP_ACK, 0xdeadbef0);
        assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), 0);
        assert_int_equal(pk.kind, PS__PKT_TCP);
        assert_int_equal(pk.tcp_flags, PS__TCP_SYN | PS__TCP_ACK);
        assert_int_equal(pk.ack, 0xdeadbef0);
        assert_int_equal(pk.sport, 443);
        assert_int_equal(pk.dport, 40001);
        assert_int_equal(pk.ttl, 50);

        n = make_answer(buf, v6, PS__TCP_RST | PS__TCP_ACK, 0xdeadbef0);
        assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), 0);
        assert_int_equal(pk.tcp_flags, PS__TCP_RST | PS__TCP_ACK);
        assert_int_equal(pk.ack, 0xdeadbef0);
        pt_check_truncations(-1, buf, n);
    }
}

/* An ICMP error from a router about our probe (UDP or TCP SYN). */
static size_t make_error(uint8_t *buf, int v6, int tcp, uint8_t type,
                         uint8_t code, size_t quote_cut)
{
    struct ps_ip us = pt_ip(v6 ? us6 : us4), them = pt_ip(v6 ? them6 : them4);
    struct ps_ip router = pt_ip(v6 ? "2001:db8:ff::1" : "203.0.113.1");
    uint8_t probe[128];
    size_t plen = tcp ? ps__pkt_build_syn(probe, sizeof probe, &us, &them,
                                          40001, 25, 0x01020304, 64, 7)
                      : ps__pkt_build_udp(probe, sizeof probe, &us, &them,
                                          40002, 161, (const uint8_t *)"xy",
                                          2, 64, 7);
    assert_true(plen > quote_cut);
    return pt_icmp_error(buf, &router, &us, type, code, probe, plen - quote_cut);
}

static void check_error(const uint8_t *buf, size_t n, int v6, int tcp,
                        uint8_t type, uint8_t code)
{
    struct ps__pkt pk;
    pt_check_csums(buf, n);
    assert_int_equal(pt_parse_exact(-1, buf, n, &pk), 0);
    assert_int_equal(pk.kind, PS__PKT_ICMP_ERR);
    assert_int_equal(pk.src.family, v6 ? AF_INET6 : AF_INET);
    assert_int_equal(pk.icmp_type, type);
    assert_int_equal(pk.icmp_code, code);
    struct ps_ip us = pt_ip(v6 ? us6 : us4), them = pt_ip(v6 ? them6 : them4);
    assert_true(pt_ip_equal(&pk.dst, &us));
    assert_true(pt_ip_equal(&pk.orig_src, &us));
    assert_true(pt_ip_equal(&pk.orig_dst, &them));
    assert_int_equal(pk.orig_proto, tcp ? IPPROTO_TCP : IPPROTO_UDP);
    assert_int_equal(pk.orig_sport, tcp ? 40001 : 40002);
    assert_int_equal(pk.orig_dport, tcp ? 25 : 161);
    assert_int_equal(pk.has_orig_seq, tcp);
    assert_int_equal(pk.orig_seq, tcp ? 0x01020304 : 0);
    assert_int_equal(pk.sport, 0); /* the outer packet has no ports */
    pt_check_truncations(-1, buf, n);
}

static void test_icmp_errors(void **state)
{
    uint8_t buf[256];
    size_t n;
    (void)state;
    /* Port unreachable quoting a UDP probe, whole or cut to 8 bytes. */
    n = make_error(buf, 0, 0, 3, 3, 0);
    check_error(buf, n, 0, 0, 3, 3);
    n = make_error(buf, 0, 0, 3, 3, 2); /* 8 bytes of UDP: the minimum */
    check_error(buf, n, 0, 0, 3, 3);
    /* Administratively prohibited quoting a SYN (RFC 792's 8 bytes). */
    n = make_error(buf, 0, 1, 3, 13, PS__PKT_SYN_LEN4 - 28);
    check_error(buf, n, 0, 1, 3, 13);
    n = make_error(buf, 0, 1, 11, 0, 0); /* time exceeded */
    check_error(buf, n, 0, 1, 11, 0);
    /* ICMPv6: port unreachable (1/4), administratively prohibited (1/1),
     * time exceeded (3/0). */
    n = make_error(buf, 1, 0, 1, 4, 0);
    check_error(buf, n, 1, 0, 1, 4);
    n = make_error(buf, 1, 1, 1, 1, 0);
    check_error(buf, n, 1, 1, 1, 1);
    n = make_error(buf, 1, 1, 3, 0, PS__PKT_SYN_LEN6 - 48);
    check_error(buf, n, 1, 1, 3, 0);
}

/* Valid packets that decide nothing: PS__PKT_OTHER with 0. */
static void check_other(const uint8_t *buf, size_t n)
{
    struct ps__pkt pk;
    assert_int_equal(pt_parse_exact(-1, buf, n, &pk), 0);
    assert_int_equal(pk.kind, PS__PKT_OTHER);
    assert_int_not_equal(pk.src.family, 0);
}

static void test_icmp_others(void **state)
{
    uint8_t buf[256], echo[8] = {0};
    struct ps_ip a4 = pt_ip(us4), b4 = pt_ip(them4), a6 = pt_ip(us6), b6 = pt_ip(them6);
    (void)state;
    /* Echo requests and replies, and an error type we do not use. */
    check_other(buf, pt_icmp_error(buf, &b4, &a4, 0, 0, echo, 8));
    check_other(buf, pt_icmp_error(buf, &b6, &a6, 129, 0, echo, 8));
    check_other(buf, pt_icmp_error(buf, &b4, &a4, 12, 0, echo, 8));
    /* Quotes cut below 8 bytes of UDP/TCP, or of no use. */
    check_other(buf, make_error(buf, 0, 0, 3, 3, 3));
    check_other(buf, make_error(buf, 1, 1, 1, 4, PS__PKT_SYN_LEN6 - 47));
    check_other(buf, pt_icmp_error(buf, &b4, &a4, 3, 3, echo, 0));
    /* An ICMPv4 error quoting an IPv6 packet, and ICMPv4 inside IPv6. */
    uint8_t q6[128];
    size_t q = ps__pkt_build_syn(q6, sizeof q6, &a6, &b6, 1, 2, 3, 64, 0);
    check_other(buf, pt_icmp_error(buf, &b4, &a4, 3, 3, q6, q));
    size_t h = pt_ip_header(buf, &b6, &a6, IPPROTO_ICMP, 8 + q);
    memset(buf + h, 0, 8);
    buf[h] = 3;
    memcpy(buf + h + 8, q6, q);
    check_other(buf, h + 8 + q);
    /* An ICMP error quoting an ICMP echo. */
    uint8_t qe[48]; /* room for either family, as gcc cannot tell */
    size_t he = pt_ip_header(qe, &a4, &b4, IPPROTO_ICMP, 8);
    memset(qe + he, 0, 8);
    check_other(buf, pt_icmp_error(buf, &b4, &a4, 3, 1, qe, he + 8));
    /* Another protocol (GRE) and IPv6 "no next header". */
    check_other(buf, pt_ip_header(buf, &b4, &a4, 47, 0));
    check_other(buf, pt_ip_header(buf, &b6, &a6, 59, 0));
    /* An ICMP header cut short is malformed, not "other". */
    struct ps__pkt pk;
    size_t n = pt_ip_header(buf, &b4, &a4, IPPROTO_ICMP, 4);
    assert_int_equal(ps__pkt_parse_ip(buf, n + 4, &pk), -1);
}

/* Malformed IPv4, TCP and UDP headers. */
static void test_malformed(void **state)
{
    struct ps_ip a4 = pt_ip(us4), b4 = pt_ip(them4);
    uint8_t good[128], buf[128];
    struct ps__pkt pk;
    (void)state;
    size_t n = ps__pkt_build_syn(good, sizeof good, &a4, &b4, 1, 2, 3, 64, 0);
    struct { size_t at; uint8_t val; } cases[] = {
        {0, 0x44},  /* IHL 4: shorter than the fixed header */
        {0, 0x4f},  /* IHL 15: 60 bytes, more than the packet */
        {0, 0x55},  /* version 5 */
        {0, 0x65},  /* version 6 with an IPv4 body */
        {3, 19},    /* total length shorter than the header */
        {3, 45},    /* total length past the captured bytes */
        {2, 1},     /* total length 300 */
        {7, 1},     /* fragment offset 8: not the first fragment */
        {6, 0x1f},  /* a large fragment offset */
        {32, 0x40}, /* TCP data offset 4 */
        {32, 0xf0}, /* TCP data offset 60, past the segment */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(buf, good, n);
        buf[cases[i].at] = cases[i].val;
        if (pt_parse_exact(-1, buf, n, &pk) != -1)
            fail_msg("case %zu (byte %zu = %#x) was accepted", i, cases[i].at,
                     cases[i].val);
    }
    /* A UDP length below its header, or past the datagram. */
    n = ps__pkt_build_udp(good, sizeof good, &a4, &b4, 1, 2, (const uint8_t *)"abc",
                          3, 64, 0);
    memcpy(buf, good, n);
    pt_put16(buf + 24, 7);
    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), -1);
    pt_put16(buf + 24, 12);
    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), -1);
    /* ... but a shorter one leaves trailing bytes outside the payload. */
    pt_put16(buf + 24, 9);
    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), 0);
    assert_int_equal(pk.payload_len, 1);
    /* Nothing at all, and NULL. */
    assert_int_equal(ps__pkt_parse_ip(good, 0, &pk), -1);
    assert_int_equal(ps__pkt_parse_ip(NULL, 0, &pk), -1);
}

/* IPv4 options are skipped; bytes after the total length are ignored. */
static void test_ip4_options_and_padding(void **state)
{
    struct ps_ip a4 = pt_ip(us4), b4 = pt_ip(them4);
    uint8_t syn[64], buf[128];
    struct ps__pkt pk;
    (void)state;
    size_t n = ps__pkt_build_syn(syn, sizeof syn, &a4, &b4, 1, 2, 3, 64, 0);
    memcpy(buf, syn, 20);
    buf[0] = 0x46;                     /* IHL 6 */
    memcpy(buf + 20, "\x01\x01\x01\x00", 4); /* NOP NOP NOP EOL */
    memcpy(buf + 24, syn + 20, n - 20);
    pt_put16(buf + 2, (unsigned)n + 4);
    memset(buf + n + 4, 0xee, 10); /* padding */
    assert_int_equal(pt_parse_exact(-1, buf, n + 14, &pk), 0);
    assert_int_equal(pk.kind, PS__PKT_TCP);
    assert_int_equal(pk.sport, 1);
    assert_int_equal(pk.seq, 3);
}

/* IPv4 fragments: the first one parses (a UDP payload is what arrived);
 * any later one is refused, since its first bytes are not a header. */
static void test_ip4_fragments(void **state)
{
    struct ps_ip a4 = pt_ip(us4), b4 = pt_ip(them4);
    uint8_t buf[128];
    struct ps__pkt pk;
    (void)state;
    size_t n = ps__pkt_build_udp(buf, sizeof buf, &a4, &b4, 5, 6,
                                 (const uint8_t *)"0123456789", 10, 64, 0);
    pt_put16(buf + 6, 0x2000); /* MF, offset 0 */
    pt_put16(buf + 24, 1000);  /* the whole datagram is longer */
    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), 0);
    assert_int_equal(pk.kind, PS__PKT_UDP);
    assert_int_equal(pk.payload_len, 10);
    pt_put16(buf + 6, 0x2001); /* MF, offset 8 */
    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), -1);
    pt_put16(buf + 6, 0x0001); /* last fragment */
    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), -1);
    pt_put16(buf + 6, 0x4000); /* DF alone is an ordinary packet */
    pt_put16(buf + 24, 18);
    assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), 0);
}

/* An IPv6 UDP datagram behind hop-by-hop and fragment headers, and
 * optionally routing and destination options; frag_word is the fragment
 * header's offset-and-M word. */
static size_t make_ext6(uint8_t *buf, int more_ext, unsigned frag_word)
{
    struct ps_ip a6 = pt_ip(us6), b6 = pt_ip(them6);
    uint8_t udp[64];
    size_t u = ps__pkt_build_udp(udp, sizeof udp, &b6, &a6, 53, 40002,
                                 (const uint8_t *)"answer", 6, 64, 0) - 40;
    size_t off = 40;
    memcpy(buf, udp, 40);
    buf[6] = 0; /* hop-by-hop */
    /* Hop-by-hop: next, length 0 (8 bytes), a PadN option of 6. */
    memcpy(buf + off, (const uint8_t[]){44, 0, 1, 4, 0, 0, 0, 0}, 8);
    off += 8;
    /* Fragment: next, reserved, offset and M, identification. */
    memcpy(buf + off, (const uint8_t[]){more_ext ? 43 : 17, 0, 0, 0, 0, 0, 0, 42}, 8);
    pt_put16(buf + off + 2, frag_word);
    off += 8;
    if (more_ext) {
        /* Routing (type 0, no segments left, 16 bytes), then destination
         * options (8 bytes). */
        memset(buf + off, 0, 24);
        buf[off] = 60;
        buf[off + 1] = 1;
        buf[off + 16] = 17;
        buf[off + 18] = 1;
        buf[off + 19] = 4;
        off += 24;
    }
    memcpy(buf + off, udp + 40, u);
    pt_put16(buf + 4, (unsigned)(off + u - 40));
    return off + u;
}

static void test_ip6_extension_headers(void **state)
{
    uint8_t buf[256];
    struct ps__pkt pk;
    (void)state;
    for (int more = 0; more <= 1; more++) {
        size_t n = make_ext6(buf, more, 0x0001); /* first fragment, M */
        assert_int_equal(pt_parse_exact(-1, buf, n, &pk), 0);
        assert_int_equal(pk.kind, PS__PKT_UDP);
        assert_int_equal(pk.sport, 53);
        assert_int_equal(pk.dport, 40002);
        assert_int_equal(pk.payload_len, 6);
        assert_memory_equal(pk.payload, "answer", 6);
        pt_check_truncations(-1, buf, n);
        n = make_ext6(buf, more, 0x0000); /* an atomic fragment */
        assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), 0);
        assert_int_equal(pk.kind, PS__PKT_UDP);
        n = make_ext6(buf, more, 0x0008 | 1); /* offset 8: refused */
        assert_int_equal(ps__pkt_parse_ip(buf, n, &pk), -1);
    }
}

/* A chain of destination options headers: 8 are walked, 9 refused. */
static void test_ip6_ext_bound(void **state)
{
    struct ps_ip a6 = pt_ip(us6), b6 = pt_ip(them6);
    uint8_t buf[256];
    struct ps__pkt pk;
    (void)state;
    for (int count = 8; count <= 9; count++) {
        size_t off = pt_ip_header(buf, &b6, &a6, 60, (size_t)count * 8 + 8);
        for (int i = 0; i < count; i++, off += 8)
            memcpy(buf + off,
                   (const uint8_t[]){i + 1 < count ? 60 : 17, 0, 1, 4, 0, 0, 0, 0}, 8);
        memcpy(buf + off, (const uint8_t[]){0, 53, 0, 54, 0, 8, 0, 0}, 8);
        int rc = ps__pkt_parse_ip(buf, off + 8, &pk);
        assert_int_equal(rc, count == 8 ? 0 : -1);
        if (rc == 0)
            assert_int_equal(pk.dport, 54);
    }
    /* An extension header longer than the packet. */
    size_t off = pt_ip_header(buf, &b6, &a6, 0, 8);
    memcpy(buf + off, (const uint8_t[]){17, 1, 0, 0, 0, 0, 0, 0}, 8);
    assert_int_equal(ps__pkt_parse_ip(buf, off + 8, &pk), -1);
    /* A payload length past the captured bytes. */
    pt_put16(buf + 4, 9);
    assert_int_equal(ps__pkt_parse_ip(buf, off + 8, &pk), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syn_roundtrip),
        cmocka_unit_test(test_build_refuses),
        cmocka_unit_test(test_udp_roundtrip),
        cmocka_unit_test(test_udp_zero_checksum),
        cmocka_unit_test(test_udp_payload_in_place),
        cmocka_unit_test(test_syn_ack_and_rst),
        cmocka_unit_test(test_icmp_errors),
        cmocka_unit_test(test_icmp_others),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_ip4_options_and_padding),
        cmocka_unit_test(test_ip4_fragments),
        cmocka_unit_test(test_ip6_extension_headers),
        cmocka_unit_test(test_ip6_ext_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
