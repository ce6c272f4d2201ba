/* UDP probe payloads (src/scan/payloads*.c): each built-in payload is
 * parsed back as its protocol's server would; the nmap-payloads parser
 * takes escapes, multi-line strings, lists, ranges and keywords, rejects
 * malformed files with FILE:LINE and leaves the set unchanged; loaded
 * entries replace the built-in ones port by port; and this machine's
 * nmap-payloads, when installed, loads with the facts we know of it. */
#include "ps_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/payloads.h"

#define NMAP_PAYLOADS "/usr/share/nmap/nmap-payloads"

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* The one payload of port (asserting there is exactly one). */
static const struct ps__payload *only(const struct ps__payloads *p, uint16_t port)
{
    const struct ps__payload *out;
    size_t n = ps__payloads_for(p, port, &out);
    if (n != 1)
        fail_msg("port %u: %zu payloads, expected 1", port, n);
    return out;
}

/* The idx-th payload of port, which must have more than idx. */
static const struct ps__payload *nth(const struct ps__payloads *p, uint16_t port,
                                     size_t idx)
{
    const struct ps__payload *out;
    size_t n = ps__payloads_for(p, port, &out);
    if (n <= idx)
        fail_msg("port %u: %zu payloads, expected more than %zu", port, n, idx);
    return &out[idx];
}

static int has_bytes(const struct ps__payload *pl, const void *s, size_t len)
{
    for (size_t i = 0; i + len <= pl->len; i++)
        if (memcmp(pl->data + i, s, len) == 0)
            return 1;
    return 0;
}

/* ---- The built-in set. */

static void test_builtin_ports(void **state)
{
    static const struct { uint16_t port; size_t n; } want[] = {
        {53, 1}, {69, 1}, {111, 1}, {123, 1}, {137, 1}, {161, 2}, {443, 1},
        {500, 2}, {1900, 1}, {2049, 1}, {5060, 1}, {5353, 1}, {11211, 1},
        {0, 0}, {1, 0}, {7, 0}, {52, 0}, {54, 0}, {80, 0}, {65535, 0}};
    struct ps__payloads *p = ps__payloads_builtin();
    const struct ps__payload *out;
    (void)state;

    assert_non_null(p);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        size_t n = ps__payloads_for(p, want[i].port, &out);
        if (n != want[i].n)
            fail_msg("port %u: %zu payloads, expected %zu", want[i].port, n,
                     want[i].n);
        assert_true(n ? out != NULL : out == NULL);
    }
    /* The table's bytes are used in place, in table order. */
    for (size_t i = 0; i < ps__payload_builtin_count; i++) {
        const struct ps__payload_builtin *b = &ps__payload_builtins[i];
        size_t n = ps__payloads_for(p, b->port, &out), k = 0;
        while (k < n && out[k].data != b->payload.data)
            k++;
        assert_true(k < n);
        assert_int_equal(out[k].len, b->payload.len);
        assert_true(i == 0 || ps__payload_builtins[i - 1].port <= b->port);
    }
    ps__payloads_free(p);
    ps__payloads_free(NULL);
}

/* A DNS-format message (DNS, mDNS, NetBIOS NS): one question, no records,
 * the name's labels end exactly before QTYPE and QCLASS. Returns QTYPE. */
static unsigned check_dns_query(const struct ps__payload *pl)
{
    const uint8_t *d = pl->data;
    assert_true(pl->len >= 12 + 1 + 4);
    assert_int_equal(d[2] & 0x80, 0);         /* QR: a query */
    assert_int_equal(be16(d + 4), 1);          /* QDCOUNT */
    assert_int_equal(be16(d + 6), 0);
    assert_int_equal(be16(d + 8), 0);
    assert_int_equal(be16(d + 10), 0);
    size_t i = 12;
    while (d[i] != 0) {
        assert_true(d[i] <= 63);               /* a label, no compression */
        i += 1 + d[i];
        assert_true(i < pl->len);
    }
    assert_int_equal(i + 1 + 4, pl->len);
    assert_int_equal(be16(d + i + 3), 1);      /* QCLASS IN */
    return be16(d + i + 1);
}

static void test_builtin_dns(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    (void)state;
    const struct ps__payload *dns = only(p, 53), *mdns = only(p, 5353);
    assert_int_equal(check_dns_query(dns), 2);        /* NS */
    assert_int_equal(dns->data[12], 0);               /* of the root */
    assert_int_equal(be16(dns->data + 2), 0x0100);    /* QUERY, RD */
    assert_int_equal(check_dns_query(mdns), 12);      /* PTR */
    assert_true(has_bytes(mdns, "\x09_services\x07_dns-sd\x04_udp\x05local", 29));

    /* NetBIOS: the name "*" and 15 NULs, first-level encoded. */
    const struct ps__payload *nb = only(p, 137);
    assert_int_equal(check_dns_query(nb), 0x21);      /* NBSTAT */
    assert_int_equal(nb->data[12], 32);
    uint8_t name[16];
    for (size_t i = 0; i < 16; i++) {
        uint8_t hi = nb->data[13 + 2 * i], lo = nb->data[14 + 2 * i];
        assert_true(hi >= 'A' && hi <= 'P' && lo >= 'A' && lo <= 'P');
        name[i] = (uint8_t)((hi - 'A') << 4 | (lo - 'A'));
    }
    assert_memory_equal(name, "*\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    ps__payloads_free(p);
}

static void test_builtin_ntp(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    (void)state;
    const struct ps__payload *ntp = only(p, 123);
    assert_int_equal(ntp->len, 48);
    assert_true(ntp->data[0] == 0x23 || ntp->data[0] == 0xe3);
    assert_int_equal(ntp->data[0] & 7, 3);            /* mode: client */
    assert_int_equal(ntp->data[0] >> 3 & 7, 4);       /* version 4 */
    assert_true(be32(ntp->data + 40) != 0);           /* transmit timestamp */
    ps__payloads_free(p);
}

/* Walks d[0..len) as a run of BER TLVs, into constructed ones; fails the
 * test unless every length matches its contents exactly. Returns how many
 * TLVs the top level holds. */
static size_t ber_walk(const uint8_t *d, size_t len)
{
    size_t i = 0, count = 0;
    while (i < len) {
        uint8_t tag = d[i++];
        assert_true(i < len);
        size_t n = d[i++];
        if (n & 0x80) {                        /* long form */
            size_t bytes = n & 0x7f;
            assert_true(bytes >= 1 && bytes <= 2 && i + bytes <= len);
            for (n = 0; bytes--; )
                n = n << 8 | d[i++];
        }
        assert_true(n <= len - i);
        if (tag & 0x20)
            ber_walk(d + i, n);
        i += n;
        count++;
    }
    assert_int_equal(i, len);
    return count;
}

static void test_builtin_snmp(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    (void)state;
    const struct ps__payload *v2 = nth(p, 161, 0), *v3 = nth(p, 161, 1);

    assert_int_equal(ber_walk(v2->data, v2->len), 1);
    assert_int_equal(v2->data[0], 0x30);
    assert_memory_equal(v2->data + 2, "\x02\x01\x01", 3);    /* v2c */
    assert_memory_equal(v2->data + 5, "\x04\x06public", 8);
    assert_int_equal(v2->data[13], 0xa0);                   /* GetRequest */
    assert_true(has_bytes(v2, "\x06\x08\x2b\x06\x01\x02\x01\x01\x01\x00\x05\x00", 12));

    assert_int_equal(ber_walk(v3->data, v3->len), 1);
    assert_memory_equal(v3->data + 2, "\x02\x01\x03", 3);    /* v3 */
    /* The security parameters are BER inside an OCTET STRING. */
    size_t at = 2 + 3 + 2 + v3->data[6];
    assert_int_equal(v3->data[at], 0x04);
    assert_int_equal(ber_walk(v3->data + at + 2, v3->data[at + 1]), 1);
    assert_true(has_bytes(v3, "\x04\x01\x04", 3));           /* reportable */
    ps__payloads_free(p);
}

static void check_rpc_null(const struct ps__payload *pl, uint32_t prog)
{
    assert_int_equal(pl->len, 40);
    assert_int_equal(be32(pl->data + 4), 0);      /* CALL */
    assert_int_equal(be32(pl->data + 8), 2);      /* RPC version */
    assert_int_equal(be32(pl->data + 12), prog);
    assert_int_equal(be32(pl->data + 20), 0);     /* NULL procedure */
    for (size_t i = 24; i < 40; i++)
        assert_int_equal(pl->data[i], 0);         /* AUTH_NONE twice */
}

/* Every line of a text protocol ends in CRLF, and a blank line ends it. */
static void check_crlf_text(const struct ps__payload *pl, const char *first)
{
    const char *s = (const char *)pl->data;
    assert_true(pl->len > strlen(first) + 4);
    assert_memory_equal(s, first, strlen(first));
    assert_memory_equal(s + pl->len - 4, "\r\n\r\n", 4);
    for (size_t i = 0; i < pl->len; i++)
        if (s[i] == '\n')
            assert_true(i > 0 && s[i - 1] == '\r');
}

static void test_builtin_rpc_text(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    (void)state;
    check_rpc_null(only(p, 111), 100000);
    check_rpc_null(only(p, 2049), 100003);

    const struct ps__payload *ssdp = only(p, 1900), *sip = only(p, 5060);
    check_crlf_text(ssdp, "M-SEARCH * HTTP/1.1\r\n");
    assert_true(has_bytes(ssdp, "\r\nMAN: \"ssdp:discover\"\r\n", 24));
    assert_true(has_bytes(ssdp, "\r\nST: ", 6));
    check_crlf_text(sip, "OPTIONS sip:");
    assert_true(has_bytes(sip, "\r\nVia: SIP/2.0/UDP ", 19));
    assert_true(has_bytes(sip, ";rport", 6));
    assert_true(has_bytes(sip, ";branch=z9hG4bK", 15)); /* RFC 3261 cookie */
    assert_true(has_bytes(sip, "\r\nCSeq: 1 OPTIONS\r\n", 19));
    assert_true(has_bytes(sip, "\r\nContent-Length: 0\r\n", 21));

    const struct ps__payload *tftp = only(p, 69);
    assert_int_equal(be16(tftp->data), 1);                  /* RRQ */
    size_t name_len = strnlen((const char *)tftp->data + 2, tftp->len - 2);
    assert_true(name_len > 0 && 2 + name_len + 1 + 6 == tftp->len);
    assert_memory_equal(tftp->data + 2 + name_len + 1, "octet", 6);

    const struct ps__payload *mc = only(p, 11211);
    assert_int_equal(mc->len, 8 + 9);
    assert_int_equal(be16(mc->data + 2), 0);                /* sequence */
    assert_int_equal(be16(mc->data + 4), 1);                /* datagrams */
    assert_memory_equal(mc->data + 8, "version\r\n", 9);
    ps__payloads_free(p);
}

/* An IKE message: the header's length is the datagram's, and the payload
 * chain (next payload, length) ends exactly at its end. Returns how many
 * payloads. */
static size_t check_ike(const struct ps__payload *pl, uint8_t version,
                        uint8_t exchange)
{
    const uint8_t *d = pl->data;
    assert_true(pl->len >= 28);
    assert_int_equal(d[17], version);
    assert_int_equal(d[18], exchange);
    assert_int_equal(be32(d + 24), pl->len);
    assert_memory_equal(d + 8, "\0\0\0\0\0\0\0\0", 8);     /* responder SPI */
    size_t at = 28, count = 0;
    for (uint8_t next = d[16]; next != 0; count++) {
        assert_true(at + 4 <= pl->len);
        size_t n = be16(d + at + 2);
        assert_true(n >= 4 && at + n <= pl->len);
        next = d[at];
        at += n;
    }
    assert_int_equal(at, pl->len);
    return count;
}

static void test_builtin_ike_quic(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    (void)state;
    const struct ps__payload *v2 = nth(p, 500, 0), *v1 = nth(p, 500, 1);
    assert_int_equal(check_ike(v2, 0x20, 34), 3);   /* SA, KE, Nonce */
    assert_int_equal(v2->data[19], 0x08);           /* Initiator */
    const uint8_t *ke = v2->data + 28 + be16(v2->data + 30);
    assert_int_equal(be16(ke + 2), 8 + 32);         /* Curve25519 value */
    assert_int_equal(be16(ke + 4), 31);
    assert_int_equal(v2->source_port, 0);
    assert_int_equal(check_ike(v1, 0x10, 2), 1);    /* SA */
    assert_int_equal(be32(v1->data + 32), 1);       /* DOI IPsec */
    assert_int_equal(v1->source_port, 500);

    const struct ps__payload *quic = only(p, 443);
    assert_true(quic->len >= 1200);
    assert_int_equal(quic->data[0] & 0xc0, 0xc0);   /* long header */
    assert_int_equal(be32(quic->data + 1) & 0x0f0f0f0f, 0x0a0a0a0a);
    assert_true(quic->data[5] >= 8);                /* DCID length */
    ps__payloads_free(p);
}

/* ---- The parser. */

/* Loads text (NUL-terminated) into p as "test.payloads"; asserts rc. */
static void load(struct ps__payloads *p, const char *text, int rc,
                 struct ps_test_log *log)
{
    int got = ps__payloads_load(p, text, strlen(text), "test.payloads",
                                log ? &log->logger : NULL);
    if (got != rc)
        fail_msg("loading \"%s\": got %s, expected %s", text, ps_err_name(got),
                 ps_err_name(rc));
}

static void assert_payload(const struct ps__payload *pl, const char *bytes,
                           size_t len)
{
    assert_int_equal(pl->len, len);
    assert_memory_equal(pl->data, bytes, len);
}

static void test_parse_entries(void **state)
{
    struct ps__payloads *p = ps__payloads_new();
    const struct ps__payload *out;
    (void)state;

    load(p, "# a comment\n"
            "udp 7 \"abc\"   # after the string\n"
            "udp 9,17,100-102\n"
            "  \"one \" # between strings\n"
            "\n"
            "  \"two\"\n"
            "udp 17 \"x\" udp 18 \"y\"\n", 0, NULL);
    assert_payload(only(p, 7), "abc", 3);
    assert_payload(only(p, 9), "one two", 7);
    assert_payload(only(p, 101), "one two", 7);
    assert_payload(only(p, 102), "one two", 7);
    assert_payload(only(p, 18), "y", 1);
    /* Two entries for 17: both, in file order. */
    assert_int_equal(ps__payloads_for(p, 17, &out), 2);
    assert_payload(&out[0], "one two", 7);
    assert_payload(&out[1], "x", 1);
    assert_int_equal(out[0].source_port, 0);
    static const uint16_t none[] = {0, 6, 8, 10, 16, 19, 99, 103, 65535};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_int_equal(ps__payloads_for(p, none[i], &out), 0);

    /* Overlaps within one entry count once; an empty string is a payload. */
    load(p, "udp 5,5,1-6,3 \"\"\r\nudp 65535 \"z\"\r\n", 0, NULL);
    for (uint16_t port = 1; port <= 6; port++) {
        assert_int_equal(ps__payloads_for(p, port, &out), 1);
        assert_int_equal(out[0].len, 0);
        assert_non_null(out[0].data);
    }
    assert_payload(only(p, 65535), "z", 1);
    ps__payloads_free(p);
}

static void test_parse_escapes(void **state)
{
    struct ps__payloads *p = ps__payloads_new();
    struct ps_test_log log;
    (void)state;

    ps_test_log_init(&log);
    load(p, "udp 1 \"\\x00\\x7f\\xFF\\xaB\\0\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\\?\\ #\"",
         0, &log);
    assert_payload(only(p, 1), "\x00\x7f\xff\xab\0\a\b\f\n\r\t\v\\\"'? #", 18);
    assert_int_equal(log.warnings + log.errors, 0);

    /* \0 is a NUL and nothing more, as in nmap: "\012" is three bytes. */
    load(p, "udp 2 \"\\012\"", 0, &log);
    assert_payload(only(p, 2), "\0" "12", 3);
    assert_int_equal(log.warnings, 1);
    assert_non_null(strstr(log.text, "test.payloads:1: \\01 is a NUL byte"));

    /* Raw bytes stand for themselves, even high and control ones. */
    load(p, "udp 3 \"\xc3\xa9\t\x01\"", 0, NULL);
    assert_payload(only(p, 3), "\xc3\xa9\t\x01", 4);
    ps__payloads_free(p);
}

static void test_parse_keywords(void **state)
{
    struct ps__payloads *p = ps__payloads_new();
    struct ps_test_log log;
    const struct ps__payload *out;
    (void)state;

    ps_test_log_init(&log);
    load(p, "udp 500 \"a\"\n"
            "  \"b\"\n"
            "source 500\n"
            "udp 4500 \"c\" source 4500 # same line\n"
            "udp 7 \"d\"\n"
            "future-keyword 1 \"2\" 3\n"
            "udp 8 \"e\"\n", 0, &log);
    assert_payload(only(p, 500), "ab", 2);
    assert_int_equal(only(p, 500)->source_port, 500);
    assert_int_equal(only(p, 4500)->source_port, 4500);
    /* An unknown keyword after an entry goes, with the rest of its line. */
    assert_payload(only(p, 7), "d", 1);
    assert_int_equal(only(p, 7)->source_port, 0);
    assert_payload(only(p, 8), "e", 1);
    assert_int_equal(log.errors, 0);
    assert_int_equal(log.warnings, 1);
    assert_non_null(strstr(log.text, "test.payloads:6: unknown keyword "
                                     "'future-keyword' ignored"));
    assert_int_equal(ps__payloads_for(p, 1, &out), 0);
    ps__payloads_free(p);
}

static void test_parse_empty(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    struct ps_test_log log;
    const struct ps__payload *out;
    (void)state;

    ps_test_log_init(&log);
    load(p, "", 0, &log);
    load(p, "\n\n  # only comments\n\t\r\n#", 0, &log);
    assert_int_equal(ps__payloads_load(p, NULL, 0, "null", &log.logger), 0);
    assert_int_equal(log.total, 0);
    assert_int_equal(ps__payloads_for(p, 53, &out), 1);
    assert_int_equal(ps__payloads_load(NULL, "", 0, "x", NULL), PS_EINVAL);
    assert_int_equal(ps__payloads_load(p, NULL, 1, "x", NULL), PS_EINVAL);
    assert_int_equal(ps__payloads_load(p, "", 0, NULL, NULL), PS_EINVAL);
    assert_int_equal(ps__payloads_load_file(p, NULL, NULL), PS_EINVAL);
    assert_int_equal(ps__payloads_for(NULL, 53, &out), 0);
    assert_null(out);
    ps__payloads_free(p);
}

/* Malformed files: the error, its line, and a set left as it was. */
static void test_parse_errors(void **state)
{
    static const struct { const char *text; unsigned line; const char *what; } bad[] = {
        {"udp 7 \"abc", 1, "unterminated string"},
        {"udp 7 \"abc\n\"", 1, "unterminated string"},
        {"# c\n\nudp 7 \"ok\"\nudp 8\n  \"ab\n\"", 5, "unterminated string"},
        {"udp 7 \"a\\qb\"", 1, "unknown escape \\q"},
        {"udp 7 \"\\x4\"", 1, "\\x needs two hex digits"},
        {"udp 7 \"\\x", 1, "\\x needs two hex digits"},
        {"udp 7 \"\\1\"", 1, "\\1: there are no octal escapes"},
        {"udp 7 \"a\\", 1, "backslash at the end of a line"},
        {"udp 7 \"a\\\n\"", 1, "backslash at the end of a line"},
        {"udp 0 \"a\"", 1, "port 0 in '0'"},
        {"udp 5,0-3 \"a\"", 1, "port 0 in '5,0-3'"},
        {"udp 65536 \"a\"", 1, "port above 65535 in '65536'"},
        {"udp 99999999999999999999 \"a\"", 1, "port above 65535"},
        {"udp 1-70000 \"a\"", 1, "port above 65535"},
        {"udp 10-5 \"a\"", 1, "reversed range 10-5"},
        {"udp 7,,8 \"a\"", 1, "bad port list '7,,8'"},
        {"udp 7, \"a\"", 1, "bad port list '7,'"},
        {"udp 7- \"a\"", 1, "bad port range in '7-'"},
        {"udp 7;8 \"a\"", 1, "bad port list '7;8'"},
        {"udp http \"a\"", 1, "bad port list 'http'"},
        {"udp \"a\"", 1, "udp needs a port list"},
        {"udp", 1, "udp needs a port list"},
        {"udp 7\n# c\n\nfoo", 4, "expected a quoted payload"},
        {"udp 7", 1, "expected a quoted payload"},
        {"tcp 7 \"a\"", 1, "only udp payloads are supported, not tcp"},
        {"\n\nfrob 7 \"a\"", 3, "unknown keyword 'frob' (an entry starts"},
        {"UDP 7 \"a\"", 1, "unknown keyword 'UDP'"},
        {"\"a\"", 1, "a quoted string where an entry should start"},
        {"udp 7 \"a\" source 500 \"b\"", 1, "a quoted string where an entry"},
        {"udp 7 \"a\"\nsource\n500", 2, "source needs a port number on its line"},
        {"udp 7 \"a\" source # 5", 1, "source needs a port number"},
        {"udp 7 \"a\" source 0", 1, "bad source port '0'"},
        {"udp 7 \"a\" source 70000", 1, "bad source port '70000'"},
        {"udp 7 \"a\" source 5x", 1, "bad source port '5x'"},
        {"udp 7 \"a\"\nsource 1\nsource 2", 3, "source given twice"},
    };
    struct ps__payloads *p = ps__payloads_builtin();
    const struct ps__payload *before53 = only(p, 53);
    const struct ps__payload *out;
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ps_test_log log;
        char want[160];
        ps_test_log_init(&log);
        load(p, bad[i].text, PS_EPARSE, &log);
        snprintf(want, sizeof want, "test.payloads:%u: %s", bad[i].line,
                 bad[i].what);
        if (!strstr(log.text, want) || log.errors != 1)
            fail_msg("for \"%s\": wanted one error \"%s\", got:\n%s",
                     bad[i].text, want, log.text);
        assert_int_equal(ps__payloads_for(p, 7, &out), 0);
        assert_int_equal(ps__payloads_for(p, 8, &out), 0);
        assert_ptr_equal(only(p, 53), before53);
    }
    /* Odd bytes of the input do not reach the log raw. */
    struct ps_test_log log;
    ps_test_log_init(&log);
    load(p, "udp 7 \"a\"\n\x01\x02\x1b[31m 7 \"a\"", 0, &log);
    assert_null(strchr(log.text, '\x1b'));
    assert_non_null(strstr(log.text, "unknown keyword '???[31m'"));
    ps__payloads_free(p);
}

/* Entries of a file replace the older payloads of the ports they cover,
 * and only those; a later file replaces an earlier one the same way. */
static void test_parse_replaces(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    const struct ps__payload *out;
    /* The bytes stay put across loads; the arrays of lookups do not. */
    const uint8_t *ntp = only(p, 123)->data, *sip = only(p, 5060)->data;
    (void)state;

    load(p, "udp 53 \"x\"\nudp 100-200 \"r\"\nudp 161 \"s\"\n", 0, NULL);
    assert_payload(only(p, 53), "x", 1);
    assert_payload(only(p, 111), "r", 1);
    /* 161: the range and its own entry, both from the file. */
    assert_int_equal(ps__payloads_for(p, 161, &out), 2);
    assert_payload(&out[0], "r", 1);
    assert_payload(&out[1], "s", 1);
    assert_ptr_equal(only(p, 5060)->data, sip);
    assert_int_equal(ps__payloads_for(p, 99, &out), 0);

    load(p, "udp 150 \"later\"", 0, NULL);
    assert_payload(only(p, 150), "later", 5);
    assert_payload(only(p, 123), "r", 1);
    assert_payload(only(p, 149), "r", 1);
    assert_payload(only(p, 151), "r", 1);
    assert_payload(only(p, 53), "x", 1);
    ps__payloads_free(p);

    /* A failed load after a good one keeps the good one. */
    p = ps__payloads_builtin();
    load(p, "udp 123 \"t\"", 0, NULL);
    load(p, "udp 123 \"u\"\nudp 0 \"v\"", PS_EPARSE, NULL);
    assert_payload(only(p, 123), "t", 1);
    assert_true(only(p, 123)->data != ntp);
    ps__payloads_free(p);
}

/* Text of count entries "udp PORTS \"n\"", one a line. */
static char *many_entries(size_t count, const char *ports)
{
    size_t cap = count * (strlen(ports) + 24) + 1, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    for (size_t i = 0; i < count; i++)
        len += (size_t)snprintf(s + len, cap - len, "udp %s \"%zu\"\n", ports, i);
    return s;
}

static void test_parse_limits(void **state)
{
    struct ps__payloads *p = ps__payloads_new();
    struct ps_test_log log;
    const struct ps__payload *out;
    (void)state;

    /* 255 payloads for a port, nmap's limit; 256 are refused at the
     * entry that goes over, also when it comes through a range. */
    char *s = many_entries(255, "9");
    load(p, s, 0, NULL);
    assert_int_equal(ps__payloads_for(p, 9, &out), 255);
    assert_payload(&out[254], "254", 3);
    free(s);
    s = many_entries(256, "1-65535");
    ps_test_log_init(&log);
    load(p, s, PS_EPARSE, &log);
    assert_non_null(strstr(log.text, "test.payloads:256: more than 255 payloads "
                                     "for port 1"));
    free(s);
    assert_int_equal(ps__payloads_for(p, 9, &out), 255);

    /* The largest datagram, and one byte more. */
    size_t max = PS__PAYLOAD_LEN_MAX, cap = max + 32;
    s = malloc(cap);
    assert_non_null(s);
    memcpy(s, "udp 10 \"", 8);
    memset(s + 8, 'A', max);
    memcpy(s + 8 + max, "\"\n", 3);
    load(p, s, 0, NULL);
    assert_int_equal(only(p, 10)->len, max);
    memcpy(s + 8 + max, "\" \"B\"\n", 7);
    ps_test_log_init(&log);
    load(p, s, PS_EPARSE, &log);
    assert_non_null(strstr(log.text, "test.payloads:1: payload longer than 65507"));
    free(s);

    /* Long lists of single ports: every even port of 20000-40000 (10,001
     * segments), then 1,2,...,1000 (merged into one). */
    s = malloc(8 * 65536);
    assert_non_null(s);
    size_t len = (size_t)sprintf(s, "udp 20000");
    for (unsigned port = 20002; port <= 40000; port += 2)
        len += (size_t)sprintf(s + len, ",%u", port);
    len += (size_t)sprintf(s + len, " \"L\"\nudp 1");
    for (unsigned port = 2; port <= 1000; port++)
        len += (size_t)sprintf(s + len, ",%u", port);
    strcpy(s + len, " \"M\"");
    load(p, s, 0, NULL);
    for (unsigned port = 19999; port <= 40001; port++) {
        size_t n = ps__payloads_for(p, (uint16_t)port, &out);
        assert_int_equal(n, port >= 20000 && port <= 40000 && port % 2 == 0);
        if (n)
            assert_payload(&out[0], "L", 1);
    }
    for (unsigned port = 1; port <= 1000; port++)
        assert_payload(only(p, (uint16_t)port), "M", 1);
    assert_int_equal(ps__payloads_for(p, 1001, &out), 0);
    free(s);
    ps__payloads_free(p);
}

static void test_load_file(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    struct ps_test_log log;
    const struct ps__payload *out;
    (void)state;

    ps_test_log_init(&log);
    assert_int_equal(ps__payloads_load_file(p, "/nonexistent/nmap-payloads",
                                            &log.logger), PS_ENOENT);
    assert_int_equal(log.errors, 0);
    assert_int_not_equal(ps__payloads_load_file(p, "/", &log.logger), 0);
    assert_int_equal(log.errors, 1);
    assert_int_equal(ps__payloads_for(p, 53, &out), 1);

    /* A file on disk, named in the messages by its path. */
    char path[] = "/tmp/ps-payloads-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("udp 53 \"q\"\nudp 54 \"\\z\"\n", f);
    fclose(f);
    ps_test_log_init(&log);
    assert_int_equal(ps__payloads_load_file(p, path, &log.logger), PS_EPARSE);
    char want[64];
    snprintf(want, sizeof want, "%s:2: unknown escape \\z", path);
    assert_non_null(strstr(log.text, want));
    unlink(path);
    ps__payloads_free(p);
}

/* This machine's nmap-payloads, if nmap is installed. */
static void test_nmap_file(void **state)
{
    struct ps__payloads *p = ps__payloads_builtin();
    struct ps_test_log log;
    const struct ps__payload *out;
    const uint8_t *sip = only(p, 5060)->data;
    (void)state;

    ps_test_log_init(&log);
    int rc = ps__payloads_load_file(p, NMAP_PAYLOADS, &log.logger);
    if (rc == PS_ENOENT) {
        ps__payloads_free(p);
        skip();
    }
    if (rc != 0 || log.warnings || log.errors)
        fail_msg("%s: %s\n%s", NMAP_PAYLOADS, ps_err_name(rc), log.text);

    /* 53: the status request (opcode 2, STATUS) and a version.bind TXT CH
     * query with RD set. */
    size_t n = ps__payloads_for(p, 53, &out);
    int status = 0, version = 0;
    for (size_t i = 0; i < n; i++) {
        status |= out[i].len == 12 && be16(out[i].data + 2) == 0x1000;
        version |= out[i].len > 12 && be16(out[i].data + 2) == 0x0100 &&
                   has_bytes(&out[i], "\x07version\x04" "bind\0\0\x10\0\x03", 18);
    }
    assert_true(status && version);
    /* 137: NBSTAT queries for "*", each 50 bytes. */
    n = ps__payloads_for(p, 137, &out);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(out[i].len, 50);
        assert_int_equal(be16(out[i].data + 46), 0x21);
    }
    /* 40000 is in the RPC range 32768-65535: an RPC call. */
    n = ps__payloads_for(p, 40000, &out);
    assert_true(n >= 1);
    assert_int_equal(be32(out[0].data + 4), 0);
    assert_int_equal(be32(out[0].data + 8), 2);
    /* IKE on 500 asks for source port 500; 5060 is not in the file. */
    n = ps__payloads_for(p, 500, &out);
    assert_true(n >= 1 && out[0].source_port == 500);
    assert_ptr_equal(only(p, 5060)->data, sip);
    ps__payloads_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_ports),
        cmocka_unit_test(test_builtin_dns),
        cmocka_unit_test(test_builtin_ntp),
        cmocka_unit_test(test_builtin_snmp),
        cmocka_unit_test(test_builtin_rpc_text),
        cmocka_unit_test(test_builtin_ike_quic),
        cmocka_unit_test(test_parse_entries),
        cmocka_unit_test(test_parse_escapes),
        cmocka_unit_test(test_parse_keywords),
        cmocka_unit_test(test_parse_empty),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_replaces),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_nmap_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
