/* Fixtures and helpers shared by the scan output tests
 * (test_scan_output.c, test_scan_output_xml.c, test_scan_output_json.c):
 * hand-built hosts, a writer driven into memory, and the checks on the
 * text it wrote. Run with TZ=UTC (ctest sets it; setup() does too). */
#ifndef SCAN_OUTPUT_TEST_H
#define SCAN_OUTPUT_TEST_H

#include "ps_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* 2023-11-14 22:13:20 UTC, a Tuesday. */
#define T0 1700000000000000LL

static const char services[] =
    "ssh      22/tcp\n"
    "telnet   23/tcp\n"
    "http     80/tcp   www\n"
    "domain   53/udp\n"
    "snmp     161/udp\n"
    "odd/name 7/tcp\n";

static struct ps_registry *reg;

/* --- Fixtures --- */

static inline struct ps_port_result port(unsigned proto, unsigned num,
                                  enum ps_port_state st,
                                  enum ps_port_reason why, unsigned ttl,
                                  float rtt)
{
    return (struct ps_port_result){.port = (uint16_t)num, .proto = (uint8_t)proto,
        .state = (uint8_t)st, .reason = (uint8_t)why, .tries = 1,
        .ttl = (uint8_t)ttl, .rtt_ms = rtt};
}

static inline void count_states(struct ps_scan_host *h)
{
    memset(h->state_count, 0, sizeof h->state_count);
    for (size_t i = 0; i < h->port_count; i++)
        h->state_count[h->ports[i].state]++;
}

static inline struct ps_ip ip_of(const char *text)
{
    struct ps_ip ip;
    assert_int_equal(ps_ip_parse(text, &ip), 0);
    return ip;
}

/* TCP 1-40 and UDP 53, 161: what the fixtures scan. */
static struct ps_portset portset;

/* 198.18.0.1, "alpha.example" with another PTR name: 37 closed TCP ports
 * (more than nmap's 25, so summarised), ssh and telnet open, http
 * filtered, UDP domain open|filtered and snmp closed. */
static struct ps_port_result alpha_ports[43];
static struct ps_scan_host alpha;

static inline void make_alpha(void)
{
    size_t n = 0;
    for (unsigned p = 1; p <= 40; p++) {
        if (p == 22)
            alpha_ports[n++] = port(PS_PROTO_TCP, p, PS_PORT_OPEN, PS_REASON_SYN_ACK, 0, 0.12f);
        else if (p == 23)
            alpha_ports[n++] = port(PS_PROTO_TCP, p, PS_PORT_OPEN, PS_REASON_SYN_ACK, 0, 0.5f);
        else
            alpha_ports[n++] = port(PS_PROTO_TCP, p, PS_PORT_CLOSED, PS_REASON_CONN_REFUSED, 0, 0.05f);
    }
    alpha_ports[n++] = port(PS_PROTO_TCP, 80, PS_PORT_FILTERED, PS_REASON_NO_RESPONSE, 0, -1);
    alpha_ports[n++] = port(PS_PROTO_UDP, 53, PS_PORT_OPEN_FILTERED, PS_REASON_NO_RESPONSE, 0, -1);
    alpha_ports[n++] = port(PS_PROTO_UDP, 161, PS_PORT_CLOSED, PS_REASON_PORT_UNREACH, 64, 1.5f);
    alpha = (struct ps_scan_host){.ip = ip_of("198.18.0.1"),
        .name = "alpha.example", .rdns = "alpha-ptr.example",
        .ports = alpha_ports, .port_count = n,
        .start_us = T0 + 100000, .end_us = T0 + 2100000,
        .srtt_us = 120, .rttvar_us = 50, .timeout_us = 100000, .complete = 1};
    count_states(&alpha);
}

/* 2001:db8::5 without names: three ports, all listed. */
static struct ps_port_result beta_ports[3];
static struct ps_scan_host beta;

static inline void make_beta(void)
{
    beta_ports[0] = port(PS_PROTO_TCP, 22, PS_PORT_CLOSED, PS_REASON_CONN_REFUSED, 0, 0.3f);
    beta_ports[1] = port(PS_PROTO_TCP, 80, PS_PORT_OPEN, PS_REASON_SYN_ACK, 0, 0.25f);
    beta_ports[2] = port(PS_PROTO_UDP, 53, PS_PORT_OPEN, PS_REASON_UDP_RESPONSE, 55, 2.0f);
    beta = (struct ps_scan_host){.ip = ip_of("2001:db8::5"), .ports = beta_ports,
        .port_count = 3, .start_us = T0 + 200000, .end_us = T0 + 3000000,
        .srtt_us = 1234567, .rttvar_us = 2000, .timeout_us = 500000,
        .complete = 1};
    count_states(&beta);
}

static inline struct ps_scan_info info(void)
{
    return (struct ps_scan_info){
        .command_line = "portscope scan -p T:1-40,U:53,161 alpha.example 2001:db8::5",
        .version = "0.1.0", .start_us = T0, .scan_type = "connect",
        .ports = &portset, .target_count = 2};
}

static inline struct ps_scan_summary summary(void)
{
    return (struct ps_scan_summary){.end_us = T0 + 3500000, .hosts_up = 2,
        .hosts_total = 2, .probes_sent = 45};
}

/* --- Driving a writer into memory --- */

struct run {
    char *buf;
    size_t len;
    FILE *f;
    struct ps_scan_writer *w;
};

static inline void run_open(struct run *r, const char *format)
{
    int err = -1;
    memset(r, 0, sizeof *r);
    r->f = open_memstream(&r->buf, &r->len);
    assert_non_null(r->f);
    r->w = ps_scan_writer_new(format, r->f, reg, NULL, &err);
    assert_non_null(r->w);
    assert_int_equal(err, 0);
}

/* Frees the writer and returns the text written (the caller frees it). */
static inline char *run_close(struct run *r)
{
    ps_scan_writer_free(r->w);
    assert_int_equal(fclose(r->f), 0);
    return r->buf;
}

/* A whole scan of hosts in fmt. */
static inline char *scan(const char *fmt, const struct ps_scan_info *in,
                  const struct ps_scan_host *const *hosts, size_t n,
                  const struct ps_scan_summary *s)
{
    struct run r;
    run_open(&r, fmt);
    assert_int_equal(ps_scan_writer_begin(r.w, in), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ps_scan_writer_host(r.w, hosts[i]), 0);
    assert_int_equal(ps_scan_writer_end(r.w, s), 0);
    return run_close(&r);
}

static inline char *scan_both(const char *fmt, const struct ps_scan_info *in)
{
    const struct ps_scan_host *hosts[] = {&alpha, &beta};
    struct ps_scan_summary s = summary();
    return scan(fmt, in, hosts, 2, &s);
}

/* --- Helpers for the checks --- */

static struct ps_test_log logbook;

/* Logs into logbook instead of NULL. */
static inline struct ps_scan_writer *writer_logged(const char *fmt, FILE *f)
{
    int err = -1;
    ps_test_log_init(&logbook);
    struct ps_scan_writer *w = ps_scan_writer_new(fmt, f, reg, &logbook.logger, &err);
    assert_non_null(w);
    assert_int_equal(err, 0);
    return w;
}

/* The line of text holding needle, for messages. */
static inline void assert_has(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("missing:\n%s\n---- in:\n%s", needle, text);
}

static inline void assert_lacks(const char *text, const char *needle)
{
    if (strstr(text, needle))
        fail_msg("unexpected:\n%s\n---- in:\n%s", needle, text);
}

/* 198.18.0.9: every port closed, nothing to list under --open. */
static struct ps_port_result gamma_ports[2];
static struct ps_scan_host gamma_host;

static inline void make_gamma(void)
{
    gamma_ports[0] = port(PS_PROTO_TCP, 22, PS_PORT_CLOSED, PS_REASON_CONN_REFUSED, 0, 0.1f);
    gamma_ports[1] = port(PS_PROTO_TCP, 23, PS_PORT_CLOSED, PS_REASON_CONN_REFUSED, 0, 0.1f);
    gamma_host = (struct ps_scan_host){.ip = ip_of("198.18.0.9"),
        .ports = gamma_ports, .port_count = 2, .start_us = T0,
        .end_us = T0 + 1000000, .complete = 1};
    count_states(&gamma_host);
}

/* 127.0.0.3, cut short by the interruption: one answer so far. */
static struct ps_port_result delta_ports[1];
static struct ps_scan_host delta;

static inline void make_delta(void)
{
    delta_ports[0] = port(PS_PROTO_TCP, 22, PS_PORT_OPEN, PS_REASON_SYN_ACK, 64, 0.04f);
    delta = (struct ps_scan_host){.ip = ip_of("127.0.0.3"), .name = "localhost",
        .ports = delta_ports, .port_count = 1, .start_us = T0 + 2000000,
        .end_us = T0 + 2500000, .complete = 0};
    count_states(&delta);
}

/* --- Group setup and teardown --- */

static inline int setup(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    ps_portset_clear(&portset);
    ps_portset_add_range(&portset, PS_PROTO_TCP, 1, 40);
    ps_portset_add(&portset, PS_PROTO_UDP, 53);
    ps_portset_add(&portset, PS_PROTO_UDP, 161);
    reg = ps_test_sealed(services, PS_FORMAT_SERVICES);
    make_alpha();
    make_beta();
    make_gamma();
    make_delta();
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    ps_registry_free(reg);
    return 0;
}

#endif
