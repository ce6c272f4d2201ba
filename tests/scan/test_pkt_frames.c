/* ps__pkt_parse_frame (src/scan/pkt_parse.c): the link layers a capture
 * hands over (Ethernet with VLAN tags, Linux cooked v1 and v2, raw IP,
 * BSD loopback in both byte orders), wrapped around packets from the
 * builder. Real frames of the same kinds are in test_pkt_capture.c. */
#include "pkt_test.h"

/* A UDP answer 198.51.100.7:53 -> 192.0.2.10:40002 (or the IPv6 pair)
 * carrying "ok", as raw IP. */
static size_t inner(uint8_t *buf, int v6)
{
    struct ps_ip src = pt_ip(v6 ? "2001:db8:1::7" : "198.51.100.7");
    struct ps_ip dst = pt_ip(v6 ? "2001:db8::10" : "192.0.2.10");
    return ps__pkt_build_udp(buf, 128, &src, &dst, 53, 40002,
                             (const uint8_t *)"ok", 2, 60, 1);
}

/* hdr (hlen bytes) then the inner packet, into frame. */
static size_t wrap(uint8_t *frame, const uint8_t *hdr, size_t hlen, int v6)
{
    memcpy(frame, hdr, hlen);
    return hlen + inner(frame + hlen, v6);
}

static void expect_answer(int dlt, const uint8_t *frame, size_t len, int v6)
{
    struct ps__pkt pk;
    int rc = pt_parse_exact(dlt, frame, len, &pk);
    if (rc != 0 || pk.kind != PS__PKT_UDP)
        fail_msg("dlt %d, %zu bytes: rc %d kind %d", dlt, len, rc, (int)pk.kind);
    assert_int_equal(pk.src.family, v6 ? AF_INET6 : AF_INET);
    assert_int_equal(pk.sport, 53);
    assert_int_equal(pk.dport, 40002);
    assert_int_equal(pk.ttl, 60);
    assert_int_equal(pk.payload_len, 2);
    assert_memory_equal(pk.payload, "ok", 2);
    assert_true(pk.payload >= frame && pk.payload + 2 <= frame + len);
}

static void expect(int dlt, const uint8_t *frame, size_t len, int rc_want,
                   enum ps__pkt_kind kind)
{
    struct ps__pkt pk;
    int rc = pt_parse_exact(dlt, frame, len, &pk);
    if (rc != rc_want || (rc == 0 && pk.kind != kind))
        fail_msg("dlt %d: rc %d kind %d, want rc %d kind %d", dlt, rc,
                 (int)pk.kind, rc_want, (int)kind);
}

/* An Ethernet header of hlen bytes (with its tags) around the answer. */
static void check_ether(const uint8_t *eth, size_t hlen, int v6)
{
    uint8_t frame[256];
    size_t n = wrap(frame, eth, hlen, v6);
    expect_answer(DLT_EN10MB, frame, n, v6);
    pt_check_truncations(DLT_EN10MB, frame, n);
}

static void test_ethernet(void **state)
{
    uint8_t eth[22] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    uint8_t frame[256];
    size_t n;
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        unsigned type = v6 ? 0x86dd : 0x0800;
        pt_put16(eth + 12, type);
        check_ether(eth, 14, v6);
        /* Padded to Ethernet's 60-byte minimum. */
        n = wrap(frame, eth, 14, v6);
        memset(frame + n, 0, 64);
        expect_answer(DLT_EN10MB, frame, n < 60 ? 60 : n, v6);
        /* One 802.1Q tag (VLAN 100, priority 5). */
        pt_put16(eth + 12, 0x8100);
        pt_put16(eth + 14, 0xa064);
        pt_put16(eth + 16, type);
        check_ether(eth, 18, v6);
        /* QinQ: an 802.1ad outer tag, then 802.1Q. */
        pt_put16(eth + 12, 0x88a8);
        pt_put16(eth + 14, 0x0010);
        pt_put16(eth + 16, 0x8100);
        pt_put16(eth + 18, 0x0064);
        pt_put16(eth + 20, type);
        check_ether(eth, 22, v6);
        /* The ethertype says one version, the packet the other. */
        pt_put16(eth + 12, v6 ? 0x0800 : 0x86dd);
        n = wrap(frame, eth, 14, v6);
        expect(DLT_EN10MB, frame, n, -1, PS__PKT_OTHER);
    }
    /* ARP, an 802.3 length field, and a third VLAN tag: not for us. */
    pt_put16(eth + 12, 0x0806);
    n = wrap(frame, eth, 14, 0);
    expect(DLT_EN10MB, frame, n, 0, PS__PKT_OTHER);
    pt_put16(eth + 12, 0x0040);
    expect(DLT_EN10MB, frame, n, 0, PS__PKT_OTHER);
    uint8_t three[26] = {0};
    pt_put16(three + 12, 0x88a8);
    pt_put16(three + 16, 0x8100);
    pt_put16(three + 20, 0x8100);
    pt_put16(three + 24, 0x0800);
    n = wrap(frame, three, 26, 0);
    expect(DLT_EN10MB, frame, n, 0, PS__PKT_OTHER);
    /* A tag with nothing or too little after it. */
    for (size_t len = 14; len < 18; len++)
        expect(DLT_EN10MB, three, len, -1, PS__PKT_OTHER);
}

/* Linux cooked captures ("any"): SLL has the protocol last, SLL2 first. */
static void test_linux_cooked(void **state)
{
    uint8_t frame[256];
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        unsigned type = v6 ? 0x86dd : 0x0800;
        uint8_t sll[16] = {0, 0, 3, 4, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0};
        pt_put16(sll + 14, type);
        size_t n = wrap(frame, sll, sizeof sll, v6);
        expect_answer(DLT_LINUX_SLL, frame, n, v6);
        pt_check_truncations(DLT_LINUX_SLL, frame, n);

        uint8_t sll2[20] = {0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 0, 6};
        pt_put16(sll2, type);
        n = wrap(frame, sll2, sizeof sll2, v6);
        expect_answer(DLT_LINUX_SLL2, frame, n, v6);
        pt_check_truncations(DLT_LINUX_SLL2, frame, n);
        pt_put16(frame, 0x0806);
        expect(DLT_LINUX_SLL2, frame, n, 0, PS__PKT_OTHER);
    }
}

static void test_raw(void **state)
{
    uint8_t frame[256];
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        size_t n = inner(frame, v6);
        expect_answer(DLT_RAW, frame, n, v6);
        expect_answer(PS__LINKTYPE_RAW, frame, n, v6);
        expect_answer(v6 ? DLT_IPV6 : DLT_IPV4, frame, n, v6);
        /* DLT_IPV4 and DLT_IPV6 promise their version. */
        expect(v6 ? DLT_IPV4 : DLT_IPV6, frame, n, -1, PS__PKT_OTHER);
        pt_check_truncations(DLT_RAW, frame, n);
    }
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte
 * order for DLT_NULL, in network order for DLT_LOOP. */
static void test_null_and_loop(void **state)
{
    static const uint32_t af6[] = {10, 24, 28, 30}; /* Linux, BSDs, macOS */
    uint8_t frame[256], hdr[4];
    size_t n;
    (void)state;
    for (int v6 = 0; v6 <= 1; v6++) {
        for (size_t i = 0; i < (v6 ? 4u : 1u); i++) {
            uint32_t af = v6 ? af6[i] : 2;
            pt_put32(hdr, af); /* big-endian host */
            n = wrap(frame, hdr, 4, v6);
            expect_answer(DLT_NULL, frame, n, v6);
            expect_answer(DLT_LOOP, frame, n, v6);
            hdr[0] = (uint8_t)af; /* little-endian host */
            hdr[1] = hdr[2] = hdr[3] = 0;
            n = wrap(frame, hdr, 4, v6);
            expect_answer(DLT_NULL, frame, n, v6);
            pt_check_truncations(DLT_NULL, frame, n);
        }
    }
    /* An unknown family, and AF_INET in front of IPv6. */
    pt_put32(hdr, 7);
    n = wrap(frame, hdr, 4, 0);
    expect(DLT_NULL, frame, n, 0, PS__PKT_OTHER);
    pt_put32(hdr, 2);
    n = wrap(frame, hdr, 4, 1);
    expect(DLT_LOOP, frame, n, -1, PS__PKT_OTHER);
}

static void test_unknown_dlt(void **state)
{
    uint8_t frame[256];
    (void)state;
    size_t n = inner(frame, 0);
    expect(9999, frame, n, -1, PS__PKT_OTHER);
    expect(-1, frame, n, 0, PS__PKT_UDP); /* (-1: the test's parse_ip) */
    struct ps__pkt pk;
    assert_int_equal(ps__pkt_parse_frame(DLT_EN10MB, NULL, 0, &pk), -1);
    assert_int_equal(ps__pkt_parse_frame(DLT_PPP, frame, n, &pk), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet),
        cmocka_unit_test(test_linux_cooked),
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_null_and_loop),
        cmocka_unit_test(test_unknown_dlt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
