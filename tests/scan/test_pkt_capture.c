/* The packet parser on real traffic: the captures in tests/scan/data/ hold
 * one nmap session against listeners on loopback, captured at once on lo
 * (Ethernet) and on "any" (Linux cooked v1 and v2); see data/README.txt.
 * Every frame must parse, the three captures must agree, the answers must
 * say what the listeners were, and our SYN builder must reproduce nmap's
 * probes byte for byte. */
#include "pkt_test.h"

#define MAX_FRAMES 64

/* The frames of a capture file, read with a tiny pcap reader (the file
 * format is two fixed headers; no need to link libpcap here). */
struct capture {
    char *data;
    size_t len;
    int dlt;
    size_t count;
    const uint8_t *frame[MAX_FRAMES];
    size_t flen[MAX_FRAMES];
    struct ps__pkt pk[MAX_FRAMES];
};

static uint32_t get32(const uint8_t *p, int swap)
{
    if (swap)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Reads name and parses every frame; fails the test on a bad file. */
static void capture_load(struct capture *c, const char *name)
{
    char path[512];
    memset(c, 0, sizeof *c);
    c->data = ps_test_read_file(ps_test_data_path(name, path, sizeof path), &c->len);
    assert_non_null(c->data);
    const uint8_t *d = (const uint8_t *)c->data;
    assert_true(c->len >= 24);
    uint32_t magic = get32(d, 0);
    /* Microsecond or nanosecond files, written little- or big-endian. */
    int swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    assert_true(swap || magic == 0xa1b2c3d4 || magic == 0xa1b23c4d);
    c->dlt = (int)(get32(d + 20, swap) & 0x0fffffff);
    for (size_t off = 24; off < c->len; c->count++) {
        assert_true(c->len - off >= 16);
        uint32_t incl = get32(d + off + 8, swap);
        assert_true(incl <= c->len - off - 16);
        assert_true(c->count < MAX_FRAMES);
        c->frame[c->count] = d + off + 16;
        c->flen[c->count] = incl;
        off += 16 + incl;
        /* Every frame of the session is TCP, UDP or a usable ICMP error. */
        struct ps__pkt *pk = &c->pk[c->count];
        int rc = pt_parse_exact(c->dlt, c->frame[c->count], incl, pk);
        if (rc != 0 || pk->kind == PS__PKT_OTHER)
            fail_msg("%s frame %zu: rc %d kind %d", name, c->count, rc, (int)pk->kind);
        pt_check_truncations(c->dlt, c->frame[c->count], incl);
    }
}

/* The first frame of kind from sport to dport (0: any) with the given TCP
 * flags (TCP only), family fam. Fails when there is none. */
static const struct ps__pkt *find(const struct capture *c, enum ps__pkt_kind kind,
                                  int fam, unsigned sport, unsigned dport,
                                  unsigned flags)
{
    for (size_t i = 0; i < c->count; i++) {
        const struct ps__pkt *pk = &c->pk[i];
        if (pk->kind == kind && pk->src.family == fam &&
            (!sport || pk->sport == sport) && (!dport || pk->dport == dport) &&
            (kind != PS__PKT_TCP || pk->tcp_flags == flags))
            return pk;
    }
    fail_msg("no frame of kind %d family %d %u -> %u flags %#x", (int)kind, fam,
             sport, dport, flags);
    return NULL;
}

/* The listener answered the SYN to port (its ack is the probe's seq + 1,
 * its dport the probe's sport); closed ports 1 and 2 sent RST-ACKs. */
static void check_tcp(const struct capture *c, int fam, unsigned port)
{
    const char *lo = fam == AF_INET ? "127.0.0.1" : "::1";
    struct ps_ip loip = pt_ip(lo);
    const struct ps__pkt *probe = find(c, PS__PKT_TCP, fam, 0, port, PS__TCP_SYN);
    const struct ps__pkt *sa = find(c, PS__PKT_TCP, fam, port, 0,
                                    PS__TCP_SYN | PS__TCP_ACK);
    assert_true(pt_ip_equal(&sa->src, &loip) && pt_ip_equal(&sa->dst, &loip));
    assert_int_equal(sa->dport, probe->sport);
    assert_int_equal(sa->ack, probe->seq + 1);
    assert_int_equal(sa->ttl, 64);
    for (unsigned closed = 1; closed <= 2; closed++) {
        const struct ps__pkt *syn = find(c, PS__PKT_TCP, fam, 0, closed, PS__TCP_SYN);
        const struct ps__pkt *rst = find(c, PS__PKT_TCP, fam, closed, syn->sport,
                                         PS__TCP_RST | PS__TCP_ACK);
        assert_int_equal(rst->ack, syn->seq + 1);
        assert_int_equal(rst->window, 0);
    }
}

/* The UDP echo on 18053 answered nmap's "hello"; port 9 was closed, and
 * the kernel's port unreachable quotes nmap's probe to it. */
static void check_udp(const struct capture *c, int fam)
{
    const struct ps__pkt *probe = find(c, PS__PKT_UDP, fam, 0, 18053, 0);
    assert_int_equal(probe->payload_len, 5);
    assert_memory_equal(probe->payload, "hello", 5);
    const struct ps__pkt *echo = find(c, PS__PKT_UDP, fam, 18053, probe->sport, 0);
    assert_int_equal(echo->payload_len, 10);
    assert_memory_equal(echo->payload, "echo:hello", 10);

    const struct ps__pkt *to9 = find(c, PS__PKT_UDP, fam, 0, 9, 0);
    int found = 0;
    for (size_t i = 0; i < c->count; i++) {
        const struct ps__pkt *e = &c->pk[i];
        if (e->kind != PS__PKT_ICMP_ERR || e->src.family != fam || e->orig_dport != 9)
            continue;
        assert_int_equal(e->icmp_type, fam == AF_INET ? 3 : 1);
        assert_int_equal(e->icmp_code, fam == AF_INET ? 3 : 4);
        assert_int_equal(e->orig_proto, IPPROTO_UDP);
        assert_int_equal(e->orig_sport, to9->sport);
        assert_true(pt_ip_equal(&e->orig_src, &to9->src));
        assert_true(pt_ip_equal(&e->orig_dst, &to9->dst));
        assert_int_equal(e->has_orig_seq, 0);
        found++;
    }
    assert_int_equal(found, 1);
}

/* Builds nmap's SYN probes again from their parsed fields: nmap sends the
 * same layout (window 1024, MSS 1460, no DF), so every byte must match,
 * checksums included. */
static void check_nmap_syns(const struct capture *c)
{
    size_t hdr = c->dlt == DLT_EN10MB ? 14 : c->dlt == DLT_LINUX_SLL ? 16 : 20;
    unsigned matched = 0;
    for (size_t i = 0; i < c->count; i++) {
        const struct ps__pkt *pk = &c->pk[i];
        uint8_t buf[PS__PKT_SYN_MAX];
        if (pk->kind != PS__PKT_TCP || pk->tcp_flags != PS__TCP_SYN)
            continue;
        size_t n = ps__pkt_build_syn(buf, sizeof buf, &pk->src, &pk->dst, pk->sport,
                                     pk->dport, pk->seq, pk->ttl, pk->ipid);
        assert_int_equal(n, c->flen[i] - hdr);
        assert_memory_equal(buf, c->frame[i] + hdr, n);
        matched++;
    }
    assert_int_equal(matched, 6); /* ports 18080, 1, 2 over IPv4 and IPv6 */
}

static void check_capture(const char *name, int dlt)
{
    struct capture *c = malloc(sizeof *c);
    assert_non_null(c);
    capture_load(c, name);
    assert_int_equal(c->dlt, dlt);
    assert_int_equal(c->count, 24);
    check_tcp(c, AF_INET, 18080);
    check_tcp(c, AF_INET6, 18081);
    check_udp(c, AF_INET);
    check_udp(c, AF_INET6);
    check_nmap_syns(c);
    free(c->data);
    free(c);
}

static void test_lo_ethernet(void **state)
{
    (void)state;
    check_capture("scan-lo.pcap", DLT_EN10MB);
}

static void test_any_sll(void **state)
{
    (void)state;
    check_capture("scan-any-sll.pcap", DLT_LINUX_SLL);
}

static void test_any_sll2(void **state)
{
    (void)state;
    check_capture("scan-any-sll2.pcap", DLT_LINUX_SLL2);
}

/* The same packets seen through three link layers parse the same. */
static void test_captures_agree(void **state)
{
    static const char *const names[3] = {"scan-lo.pcap", "scan-any-sll.pcap",
                                         "scan-any-sll2.pcap"};
    struct capture *c[3];
    (void)state;
    for (int k = 0; k < 3; k++) {
        c[k] = malloc(sizeof *c[k]);
        assert_non_null(c[k]);
        capture_load(c[k], names[k]);
    }
    for (size_t i = 0; i < c[0]->count; i++) {
        for (int k = 1; k < 3; k++)
            if (!pt_pkt_equal(&c[0]->pk[i], &c[k]->pk[i]))
                fail_msg("frame %zu differs in %s", i, names[k]);
    }
    for (int k = 0; k < 3; k++) {
        free(c[k]->data);
        free(c[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lo_ethernet),
        cmocka_unit_test(test_any_sll),
        cmocka_unit_test(test_any_sll2),
        cmocka_unit_test(test_captures_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
