/* The scan output formats (portscope/scanout.h) on hand-built results:
 * exact nmap-style text, JSON Lines read back with jansson, and nmap XML
 * validated against nmap's own DTD with libxml2, including documents cut
 * short by an interruption and streams that fail. Run with TZ=UTC (ctest
 * sets it; main() does too). */
#include "ps_test.h"

#include <errno.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/valid.h>
#include <libxml/xpath.h>
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

static struct ps_port_result port(unsigned proto, unsigned num,
                                  enum ps_port_state st,
                                  enum ps_port_reason why, unsigned ttl,
                                  float rtt)
{
    return (struct ps_port_result){.port = (uint16_t)num, .proto = (uint8_t)proto,
        .state = (uint8_t)st, .reason = (uint8_t)why, .tries = 1,
        .ttl = (uint8_t)ttl, .rtt_ms = rtt};
}

static void count_states(struct ps_scan_host *h)
{
    memset(h->state_count, 0, sizeof h->state_count);
    for (size_t i = 0; i < h->port_count; i++)
        h->state_count[h->ports[i].state]++;
}

static struct ps_ip ip_of(const char *text)
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

static void make_alpha(void)
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

static void make_beta(void)
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

static struct ps_scan_info info(void)
{
    return (struct ps_scan_info){
        .command_line = "portscope scan -p T:1-40,U:53,161 alpha.example 2001:db8::5",
        .version = "0.1.0", .start_us = T0, .scan_type = "connect",
        .ports = &portset, .target_count = 2};
}

static struct ps_scan_summary summary(void)
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

static void run_open(struct run *r, const char *format)
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
static char *run_close(struct run *r)
{
    ps_scan_writer_free(r->w);
    assert_int_equal(fclose(r->f), 0);
    return r->buf;
}

/* A whole scan of hosts in fmt. */
static char *scan(const char *fmt, const struct ps_scan_info *in,
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

static char *scan_both(const char *fmt, const struct ps_scan_info *in)
{
    const struct ps_scan_host *hosts[] = {&alpha, &beta};
    struct ps_scan_summary s = summary();
    return scan(fmt, in, hosts, 2, &s);
}

/* --- Helpers for the checks --- */

static struct ps_test_log logbook;

/* Logs into logbook instead of NULL. */
static struct ps_scan_writer *writer_logged(const char *fmt, FILE *f)
{
    int err = -1;
    ps_test_log_init(&logbook);
    struct ps_scan_writer *w = ps_scan_writer_new(fmt, f, reg, &logbook.logger, &err);
    assert_non_null(w);
    assert_int_equal(err, 0);
    return w;
}

/* The line of text holding needle, for messages. */
static void assert_has(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("missing:\n%s\n---- in:\n%s", needle, text);
}

static void assert_lacks(const char *text, const char *needle)
{
    if (strstr(text, needle))
        fail_msg("unexpected:\n%s\n---- in:\n%s", needle, text);
}

/* 198.18.0.9: every port closed, nothing to list under --open. */
static struct ps_port_result gamma_ports[2];
static struct ps_scan_host gamma_host;

static void make_gamma(void)
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

static void make_delta(void)
{
    delta_ports[0] = port(PS_PROTO_TCP, 22, PS_PORT_OPEN, PS_REASON_SYN_ACK, 64, 0.04f);
    delta = (struct ps_scan_host){.ip = ip_of("127.0.0.3"), .name = "localhost",
        .ports = delta_ports, .port_count = 1, .start_us = T0 + 2000000,
        .end_us = T0 + 2500000, .complete = 0};
    count_states(&delta);
}

/* --- The writer's own contract --- */

static void formats_and_bad_arguments(void **state)
{
    (void)state;
    const char *const *names = ps_scan_formats();
    const char *expect[] = {"normal", "xml", "grepable", "json"};
    for (size_t i = 0; i < 4; i++) {
        assert_non_null(names[i]);
        assert_string_equal(names[i], expect[i]);
        struct run r;
        run_open(&r, names[i]);
        free(run_close(&r));
    }
    assert_null(names[4]);

    int err = 0;
    ps_test_log_init(&logbook);
    assert_null(ps_scan_writer_new("html", stdout, reg, &logbook.logger, &err));
    assert_int_equal(err, PS_EINVAL);
    assert_has(logbook.text, "html is not a format");
    assert_null(ps_scan_writer_new(NULL, stdout, reg, NULL, &err));
    assert_int_equal(err, PS_EINVAL);
    assert_null(ps_scan_writer_new("json", NULL, reg, NULL, NULL));
    ps_scan_writer_free(NULL);
}

static void call_order(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    struct ps_scan_summary s = summary();
    struct run r;

    run_open(&r, "normal");
    assert_int_equal(ps_scan_writer_host(r.w, &alpha), PS_ESTATE);
    assert_int_equal(ps_scan_writer_end(r.w, &s), PS_ESTATE);
    assert_int_equal(ps_scan_writer_begin(r.w, NULL), PS_EINVAL);
    assert_int_equal(ps_scan_writer_begin(r.w, &in), 0);
    assert_int_equal(ps_scan_writer_begin(r.w, &in), PS_ESTATE);
    assert_int_equal(ps_scan_writer_host(r.w, NULL), PS_EINVAL);

    /* Only TCP and UDP results exist; anything else is refused whole. */
    struct ps_port_result sctp = port(PS_PROTO_SCTP, 9, PS_PORT_OPEN, PS_REASON_SYN_ACK, 0, 1);
    struct ps_scan_host odd = beta;
    odd.ports = &sctp;
    odd.port_count = 1;
    assert_int_equal(ps_scan_writer_host(r.w, &odd), PS_EINVAL);
    odd.ports = NULL;
    assert_int_equal(ps_scan_writer_host(r.w, &odd), PS_EINVAL);

    assert_int_equal(ps_scan_writer_end(r.w, NULL), PS_EINVAL);
    assert_int_equal(ps_scan_writer_end(r.w, &s), 0);
    assert_int_equal(ps_scan_writer_end(r.w, &s), PS_ESTATE);
    assert_int_equal(ps_scan_writer_host(r.w, &alpha), PS_ESTATE);
    assert_int_equal(ps_scan_writer_begin(NULL, &in), PS_EINVAL);
    char *text = run_close(&r);
    assert_lacks(text, "scan report"); /* the refused hosts left nothing */
    free(text);
}

/* --- normal --- */

static const char initiated[] =
    "# portscope 0.1.0 scan initiated Tue Nov 14 22:13:20 2023 as: "
    "portscope scan -p T:1-40,U:53,161 alpha.example 2001:db8::5\n";

static void normal_exact(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    char *text = scan_both("normal", &in);
    static const char expect[] =
        "portscope scan report for alpha.example (198.18.0.1)\n"
        "Host is up (0.00012s latency).\n"
        "rDNS record for 198.18.0.1: alpha-ptr.example\n"
        "Not shown: 38 closed tcp ports (conn-refused), 1 closed udp port (port-unreach)\n"
        "PORT   STATE         SERVICE\n"
        "22/tcp open          ssh\n"
        "23/tcp open          telnet  [risk: high]\n"
        "80/tcp filtered      http\n"
        "53/udp open|filtered domain\n"
        "\n"
        "portscope scan report for 2001:db8::5\n"
        "Host is up (1.2s latency).\n"
        "\n"
        "PORT   STATE  SERVICE\n"
        "22/tcp closed ssh\n"
        "80/tcp open   http\n"
        "53/udp open   domain\n"
        "\n"
        "# portscope done at Tue Nov 14 22:13:23 2023 -- 2 IP addresses "
        "(2 hosts up) scanned in 3.50 seconds\n";
    assert_true(strncmp(text, initiated, strlen(initiated)) == 0);
    assert_string_equal(text + strlen(initiated), expect);
    free(text);
}

static void normal_reason_and_verbose(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    in.show_reason = 1;
    in.verbose = 1; /* 50 ports a state before nmap summarises it */
    char *text = scan_both("normal", &in);
    assert_has(text, "Host is up, received user-set (0.00012s latency).\n"
                     "rDNS record for 198.18.0.1: alpha-ptr.example\n"
                     "\n"
                     "PORT    STATE         SERVICE  REASON\n"
                     "1/tcp   closed        unknown  conn-refused\n");
    assert_has(text, "\n7/tcp   closed        odd/name conn-refused\n");
    assert_has(text, "\n23/tcp  open          telnet   syn-ack             [risk: high]\n");
    assert_has(text, "\n161/udp closed        snmp     port-unreach ttl 64\n\n");
    assert_has(text, "\n53/udp open   domain  udp-response ttl 55\n");
    assert_lacks(text, "Not shown");
    assert_lacks(text, "Scanned at");
    free(text);

    in.show_reason = 0;
    in.verbose = 2;
    text = scan_both("normal", &in);
    assert_has(text, "rDNS record for 198.18.0.1: alpha-ptr.example\n"
                     "Scanned at 2023-11-14 22:13:20 UTC for 2s\n\n"
                     "PORT    STATE         SERVICE\n");
    free(text);
}

static void normal_open_only(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    in.open_only = 1;
    const struct ps_scan_host *hosts[] = {&alpha, &gamma_host, &beta};
    struct ps_scan_summary s = summary();
    s.hosts_total = s.hosts_up = 3;
    char *text = scan("normal", &in, hosts, 3, &s);
    static const char expect[] =
        "portscope scan report for alpha.example (198.18.0.1)\n"
        "Host is up (0.00012s latency).\n"
        "rDNS record for 198.18.0.1: alpha-ptr.example\n"
        "Not shown: 38 closed tcp ports (conn-refused), 1 closed udp port "
        "(port-unreach), 1 filtered tcp port (no-response)\n"
        "PORT   STATE         SERVICE\n"
        "22/tcp open          ssh\n"
        "23/tcp open          telnet  [risk: high]\n"
        "53/udp open|filtered domain\n"
        "\n"
        "portscope scan report for 2001:db8::5\n"
        "Host is up (1.2s latency).\n"
        "Not shown: 1 closed tcp port (conn-refused)\n"
        "PORT   STATE SERVICE\n"
        "80/tcp open  http\n"
        "53/udp open  domain\n"
        "\n"
        "# portscope done at Tue Nov 14 22:13:23 2023 -- 3 IP addresses "
        "(3 hosts up) scanned in 3.50 seconds\n";
    assert_string_equal(text + strlen(initiated), expect);
    free(text);
}

static void normal_interrupted_and_incomplete(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    const struct ps_scan_host *hosts[] = {&beta, &delta};
    struct ps_scan_summary s = {.end_us = T0 + 2600000, .hosts_up = 2,
        .hosts_down = 0, .hosts_total = 2, .probes_sent = 9, .interrupted = 1};
    char *text = scan("normal", &in, hosts, 2, &s);
    static const char expect[] =
        "portscope scan report for localhost (127.0.0.3)\n"
        "Host is up.\n"
        "Incomplete: the scan stopped before this host was finished; "
        "results for 1 of 42 ports.\n"
        "\n"
        "PORT   STATE SERVICE\n"
        "22/tcp open  ssh\n"
        "\n"
        "# Scan interrupted -- the results are incomplete.\n"
        "# portscope done at Tue Nov 14 22:13:22 2023 -- 2 IP addresses "
        "(2 hosts up) scanned in 2.60 seconds\n";
    const char *tail = strstr(text, "portscope scan report for localhost");
    assert_non_null(tail);
    assert_string_equal(tail, expect);
    free(text);

    /* A host with no answer yet still says who it is and what is missing. */
    struct ps_scan_host empty = delta;
    empty.port_count = 0;
    empty.timed_out = 1;
    const struct ps_scan_host *one[] = {&empty};
    s.error = "sendto: Network is unreachable";
    text = scan("normal", &in, one, 1, &s);
    assert_has(text, "\nportscope scan report for localhost (127.0.0.3)\n"
                     "Host is up.\n"
                     "Incomplete: --host-timeout expired before this host was "
                     "finished; results for 0 of 42 ports.\n\n"
                     "# Scan interrupted: sendto: Network is unreachable -- "
                     "the results are incomplete.\n");
    assert_lacks(text, "PORT");
    free(text);
}

static void normal_latency_digits(void **state)
{
    (void)state;
    /* nmap's num_to_string_sigdigits(srtt / 1e6, 2) for each. */
    static const struct {
        int64_t us;
        const char *text;
    } cases[] = {{5, "0.0000050"}, {120, "0.00012"}, {995, "0.00100"},
                 {1234, "0.0012"}, {1234567, "1.2"}, {12345678, "12"},
                 {99999999, "100"}, {123456789, "120"}};
    struct ps_scan_info in = info();
    struct ps_scan_summary s = summary();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ps_scan_host h = beta;
        h.srtt_us = cases[i].us;
        const struct ps_scan_host *one[] = {&h};
        char *text = scan("normal", &in, one, 1, &s);
        char line[64];
        snprintf(line, sizeof line, "Host is up (%ss latency).\n", cases[i].text);
        assert_has(text, line);
        free(text);
    }
}

static void normal_names_made_printable(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    in.command_line = "portscope scan\n198.18.0.7";
    struct ps_scan_host h = beta;
    h.ip = ip_of("198.18.0.7");
    h.name = "evil\nname\x1b[2J\xff";
    h.rdns = "caf\xc3\xa9.example";
    const struct ps_scan_host *one[] = {&h};
    struct ps_scan_summary s = summary();
    char *text = scan("normal", &in, one, 1, &s);
    assert_has(text, "as: portscope scan?198.18.0.7\n");
    assert_has(text, "portscope scan report for evil?name?[2J? (198.18.0.7)\n");
    assert_has(text, "rDNS record for 198.18.0.7: caf\xc3\xa9.example\n");
    free(text);
}

/* --- grepable --- */

static void grepable_exact(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    char *text = scan_both("grepable", &in);
    static const char expect[] =
        "Host: 198.18.0.1 (alpha-ptr.example)\tStatus: Up\n"
        "Host: 198.18.0.1 (alpha-ptr.example)\tPorts: 22/open/tcp//ssh///, "
        "23/open/tcp//telnet///, 80/filtered/tcp//http///, "
        "53/open|filtered/udp//domain///\tIgnored State: closed (39)\n"
        "Host: 2001:db8::5 ()\tStatus: Up\n"
        "Host: 2001:db8::5 ()\tPorts: 22/closed/tcp//ssh///, "
        "80/open/tcp//http///, 53/open/udp//domain///\n"
        "# portscope done at Tue Nov 14 22:13:23 2023 -- 2 IP addresses "
        "(2 hosts up) scanned in 3.50 seconds\n";
    assert_true(strncmp(text, initiated, strlen(initiated)) == 0);
    assert_string_equal(text + strlen(initiated), expect);
    free(text);

    /* -v: the ports scanned, in a comment; a '/' in a name becomes '|';
     * two summarised states leave no room for "Ignored State". */
    in.verbose = 1;
    struct ps_scan_host h = alpha;
    h.name = NULL;
    h.rdns = NULL;
    struct ps_port_result ports[120]; /* 59 filtered, 60 closed: over 50 */
    for (unsigned p = 0; p < 120; p++)
        ports[p] = port(PS_PROTO_TCP, p + 1, p < 60 ? PS_PORT_FILTERED : PS_PORT_CLOSED,
                        p < 60 ? PS_REASON_NO_RESPONSE : PS_REASON_RESET, 0, -1);
    ports[6].state = PS_PORT_OPEN; /* 7/tcp, "odd/name" */
    h.ports = ports;
    h.port_count = 120;
    const struct ps_scan_host *one[] = {&h};
    struct ps_scan_summary s = summary();
    text = scan("grepable", &in, one, 1, &s);
    assert_has(text, "\n# Ports scanned: TCP(40;1-40) UDP(2;53,161) SCTP(0;) PROTOCOLS(0;)\n"
                     "Host: 198.18.0.1 ()\tStatus: Up\n"
                     "Host: 198.18.0.1 ()\tPorts: 7/open/tcp//odd|name///\n#");
    free(text);
}

static void grepable_timeout_and_error(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    struct ps_scan_host h = delta;
    h.timed_out = 1;
    const struct ps_scan_host *one[] = {&h};
    struct ps_scan_summary s = {.end_us = T0 + 2600000, .hosts_up = 1,
        .hosts_total = 1, .interrupted = 1, .error = "out of sockets"};
    char *text = scan("grepable", &in, one, 1, &s);
    static const char expect[] =
        "Host: 127.0.0.3 (localhost)\tStatus: Timeout\n"
        "Host: 127.0.0.3 (localhost)\tPorts: 22/open/tcp//ssh///\n"
        "# Incomplete: 127.0.0.3: --host-timeout expired before this host "
        "was finished; results for 1 of 42 ports\n"
        "# Scan interrupted: out of sockets -- the results are incomplete.\n"
        "# portscope done at Tue Nov 14 22:13:22 2023 -- 1 IP address "
        "(1 host up) scanned in 2.60 seconds\n";
    assert_string_equal(text + strlen(initiated), expect);
    free(text);
}

/* --- json --- */

/* Parses every line; returns a JSON array of them. */
static json_t *parse_lines(const char *text)
{
    json_t *all = json_array();
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl); /* every line is whole */
        json_error_t e;
        json_t *j = json_loadb(line, (size_t)(nl - line), 0, &e);
        if (!j)
            fail_msg("bad JSON line: %.*s (%s)", (int)(nl - line), line, e.text);
        assert_true(json_is_object(j));
        json_array_append_new(all, j);
        line = nl + 1;
    }
    return all;
}

/* The port line for (ip, proto, port), or fails. */
static json_t *find_port(json_t *lines, const char *ip, const char *proto,
                         json_int_t num)
{
    size_t i;
    json_t *j;
    json_array_foreach(lines, i, j) {
        if (strcmp(json_string_value(json_object_get(j, "type")), "port") == 0 &&
            strcmp(json_string_value(json_object_get(j, "ip")), ip) == 0 &&
            strcmp(json_string_value(json_object_get(j, "proto")), proto) == 0 &&
            json_integer_value(json_object_get(j, "port")) == num)
            return j;
    }
    fail_msg("no line for %s %s/%lld", ip, proto, (long long)num);
    return NULL;
}

static void assert_str_key(json_t *o, const char *key, const char *want)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("%s is not a string", key);
    assert_string_equal(json_string_value(v), want);
}

static void assert_int_key(json_t *o, const char *key, json_int_t want)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    assert_int_equal(json_integer_value(v), want);
}

/* Every key of a port line: exactly these, with these values. */
static void assert_port_line(json_t *j, const char *host, const char *state,
                             const char *reason, const char *service, double rtt)
{
    assert_int_equal(json_object_size(j), host ? 9 : 8);
    assert_str_key(j, "type", "port");
    if (host)
        assert_str_key(j, "host", host);
    else
        assert_null(json_object_get(j, "host"));
    assert_str_key(j, "state", state);
    assert_str_key(j, "reason", reason);
    if (service)
        assert_str_key(j, "service", service);
    else
        assert_true(json_is_null(json_object_get(j, "service")));
    json_t *r = json_object_get(j, "rtt_ms");
    if (rtt < 0) {
        assert_true(json_is_null(r));
    } else {
        assert_true(json_is_number(r));
        double got = json_number_value(r);
        if (got < rtt - 1e-6 || got > rtt + 1e-6)
            fail_msg("rtt_ms %g, expected %g", got, rtt);
    }
}

static void json_every_key(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    char *text = scan_both("json", &in);
    json_t *lines = parse_lines(text);
    assert_int_equal(json_array_size(lines), 43 + 3 + 1);

    json_t *j = find_port(lines, "198.18.0.1", "tcp", 22);
    assert_port_line(j, "alpha.example", "open", "syn-ack", "ssh", 0.12);
    j = find_port(lines, "198.18.0.1", "tcp", 1);
    assert_port_line(j, "alpha.example", "closed", "conn-refused", NULL, 0.05);
    j = find_port(lines, "198.18.0.1", "tcp", 80);
    assert_port_line(j, "alpha.example", "filtered", "no-response", "http", -1);
    j = find_port(lines, "198.18.0.1", "udp", 53);
    assert_port_line(j, "alpha.example", "open|filtered", "no-response", "domain", -1);
    j = find_port(lines, "2001:db8::5", "udp", 53);
    assert_port_line(j, NULL, "open", "udp-response", "domain", 2.0);
    /* Results keep the engine's order: TCP first, then port number. */
    assert_int_key(json_array_get(lines, 40), "port", 80);
    assert_int_key(json_array_get(lines, 41), "port", 53);

    json_t *sum = json_array_get(lines, json_array_size(lines) - 1);
    assert_int_equal(json_object_size(sum), 13);
    assert_str_key(sum, "type", "summary");
    assert_str_key(sum, "start", "2023-11-14T22:13:20Z");
    assert_str_key(sum, "end", "2023-11-14T22:13:23Z");
    assert_true(json_is_real(json_object_get(sum, "elapsed_s")));
    assert_true(json_real_value(json_object_get(sum, "elapsed_s")) == 3.5);
    assert_int_key(sum, "hosts_total", 2);
    assert_int_key(sum, "hosts_up", 2);
    assert_int_key(sum, "ports_scanned", 42);
    assert_int_key(sum, "open", 4);
    assert_int_key(sum, "closed", 40);
    assert_int_key(sum, "filtered", 1);
    assert_int_key(sum, "open_filtered", 1);
    assert_int_key(sum, "probes_sent", 45);
    assert_true(json_is_false(json_object_get(sum, "interrupted")));
    assert_null(json_object_get(sum, "error"));
    json_decref(lines);
    free(text);
}

static void json_open_only_and_interrupted(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    in.open_only = 1;
    const struct ps_scan_host *hosts[] = {&alpha, &gamma_host, &beta, &delta};
    struct ps_scan_summary s = {.end_us = T0 + 2600001, .hosts_up = 4,
        .hosts_total = 5, .probes_sent = 60, .interrupted = 1,
        .error = "stopped by signal"};
    char *text = scan("json", &in, hosts, 4, &s);
    json_t *lines = parse_lines(text);
    /* alpha 22, 23, 53/udp; beta 80, 53/udp; delta 22. */
    assert_int_equal(json_array_size(lines), 7);
    static const char *const ips[] = {"198.18.0.1", "198.18.0.1", "198.18.0.1",
                                      "2001:db8::5", "2001:db8::5", "127.0.0.3"};
    static const json_int_t ports[] = {22, 23, 53, 80, 53, 22};
    for (size_t i = 0; i < 6; i++) {
        json_t *j = json_array_get(lines, i);
        assert_str_key(j, "ip", ips[i]);
        assert_int_key(j, "port", ports[i]);
    }
    assert_port_line(json_array_get(lines, 5), "localhost", "open", "syn-ack", "ssh", 0.04);
    json_t *sum = json_array_get(lines, 6);
    assert_int_equal(json_object_size(sum), 14);
    assert_true(json_is_true(json_object_get(sum, "interrupted")));
    assert_str_key(sum, "error", "stopped by signal");
    assert_int_key(sum, "hosts_total", 5);
    /* Counts cover every result, listed or not. */
    assert_int_key(sum, "open", 5);
    assert_int_key(sum, "closed", 42);
    assert_true(json_real_value(json_object_get(sum, "elapsed_s")) == 2.600001);
    json_decref(lines);
    free(text);
}

/* --- xml --- */

static const char *dtd_path(void)
{
    const char *p = getenv("PS_NMAP_DTD");
    if (!p || !*p)
        p = "/usr/share/nmap/nmap.dtd";
    FILE *f = fopen(p, "r");
    if (!f)
        return NULL;
    fclose(f);
    return p;
}

/* Parses text, failing unless it is well-formed, and validates it against
 * nmap.dtd when the DTD is installed. */
static xmlDocPtr valid_doc(const char *text, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)len, "scan.xml", NULL, XML_PARSE_NONET);
    if (!doc)
        fail_msg("not well-formed:\n%.*s", (int)len, text);
    const char *path = dtd_path();
    if (!path) {
        print_message("nmap.dtd not installed: DTD validation skipped\n");
        return doc;
    }
    xmlDtdPtr dtd = xmlParseDTD(NULL, BAD_CAST path);
    assert_non_null(dtd);
    xmlValidCtxtPtr vc = xmlNewValidCtxt();
    assert_non_null(vc);
    int ok = xmlValidateDtd(vc, doc, dtd);
    xmlFreeValidCtxt(vc);
    xmlFreeDtd(dtd);
    if (ok != 1)
        fail_msg("not valid against %s:\n%.*s", path, (int)len, text);
    return doc;
}

/* string(expr) over doc, malloc'd. */
static char *xpath(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    char full[512];
    snprintf(full, sizeof full, "string(%s)", expr);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST full, ctx);
    assert_non_null(o);
    char *s = strdup((const char *)o->stringval);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return s;
}

static void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xpath(doc, expr);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", expected \"%s\"", expr, got, want);
    free(got);
}

static void xml_valid_against_nmap_dtd(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    char *text = scan_both("xml", &in);
    xmlDocPtr doc = valid_doc(text, strlen(text));
    assert_true(strncmp(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<!DOCTYPE nmaprun>\n<!-- portscope 0.1.0 scan", 74) == 0);
    assert_xpath(doc, "/nmaprun/@scanner", "nmap");
    assert_xpath(doc, "/nmaprun/@args", in.command_line);
    assert_xpath(doc, "/nmaprun/@version", "portscope 0.1.0");
    assert_xpath(doc, "/nmaprun/@start", "1700000000");
    assert_xpath(doc, "/nmaprun/@startstr", "Tue Nov 14 22:13:20 2023");
    assert_xpath(doc, "/nmaprun/scaninfo[1]/@type", "connect");
    assert_xpath(doc, "/nmaprun/scaninfo[1]/@protocol", "tcp");
    assert_xpath(doc, "/nmaprun/scaninfo[1]/@numservices", "40");
    assert_xpath(doc, "/nmaprun/scaninfo[1]/@services", "1-40");
    assert_xpath(doc, "/nmaprun/scaninfo[2]/@type", "udp");
    assert_xpath(doc, "/nmaprun/scaninfo[2]/@services", "53,161");
    assert_xpath(doc, "count(/nmaprun/host)", "2");
    assert_xpath(doc, "/nmaprun/runstats/finished/@exit", "success");
    assert_xpath(doc, "/nmaprun/runstats/finished/@elapsed", "3.50");
    assert_xpath(doc, "/nmaprun/runstats/finished/@time", "1700000003");
    assert_xpath(doc, "/nmaprun/runstats/finished/@summary",
                 "portscope done at Tue Nov 14 22:13:23 2023; 2 IP addresses "
                 "(2 hosts up) scanned in 3.50 seconds");
    assert_xpath(doc, "count(/nmaprun/runstats/finished/@errormsg)", "0");
    assert_xpath(doc, "/nmaprun/runstats/hosts/@total", "2");
    xmlFreeDoc(doc);
    free(text);
}

static void xml_host_elements(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    char *text = scan_both("xml", &in);
    xmlDocPtr doc = valid_doc(text, strlen(text));
    const char *a = "/nmaprun/host[1]";
    char e[256];
#define AT(path) (snprintf(e, sizeof e, "%s%s", a, path), e)
    assert_xpath(doc, AT("/@starttime"), "1700000000");
    assert_xpath(doc, AT("/@endtime"), "1700000002");
    assert_xpath(doc, AT("/status/@reason"), "user-set");
    assert_xpath(doc, AT("/address/@addrtype"), "ipv4");
    assert_xpath(doc, AT("/hostnames/hostname[@type='user']/@name"), "alpha.example");
    assert_xpath(doc, AT("/hostnames/hostname[@type='PTR']/@name"), "alpha-ptr.example");
    assert_xpath(doc, AT("/ports/extraports/@state"), "closed");
    assert_xpath(doc, AT("/ports/extraports/@count"), "39");
    assert_xpath(doc, AT("/ports/extraports/extrareasons[1]/@ports"), "1-21,24-40");
    assert_xpath(doc, AT("/ports/extraports/extrareasons[1]/@count"), "38");
    assert_xpath(doc, AT("/ports/extraports/extrareasons[2]/@reason"), "port-unreach");
    assert_xpath(doc, AT("/ports/extraports/extrareasons[2]/@proto"), "udp");
    assert_xpath(doc, "count(/nmaprun/host[1]/ports/port)", "4");
    assert_xpath(doc, AT("/ports/port[@portid='23']/service/@name"), "telnet");
    assert_xpath(doc, AT("/ports/port[@protocol='udp']/state/@state"), "open|filtered");
    assert_xpath(doc, AT("/times/@srtt"), "120");
    assert_xpath(doc, AT("/times/@to"), "100000");
    assert_xpath(doc, "/nmaprun/host[2]/address/@addrtype", "ipv6");
    assert_xpath(doc, "count(/nmaprun/host[2]/hostnames/hostname)", "0");
    assert_xpath(doc, "/nmaprun/host[2]/ports/port[3]/state/@reason_ttl", "55");
#undef AT
    xmlFreeDoc(doc);
    free(text);
}

/* What a reader would add to close a cut document. */
static const char xml_tail[] =
    "<runstats><finished time=\"0\" elapsed=\"0\"/><hosts total=\"0\"/>"
    "</runstats></nmaprun>\n";

static void assert_valid_prefix(const struct run *r)
{
    char *doc = malloc(r->len + sizeof xml_tail);
    assert_non_null(doc);
    memcpy(doc, r->buf, r->len);
    memcpy(doc + r->len, xml_tail, sizeof xml_tail);
    xmlFreeDoc(valid_doc(doc, strlen(doc)));
    free(doc);
}

static void xml_prefixes_and_interruption(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    struct ps_scan_summary s = {.end_us = T0 + 2600000, .hosts_up = 2,
        .hosts_down = 1, .hosts_total = 3, .probes_sent = 9, .interrupted = 1};
    struct run r;

    run_open(&r, "xml");
    assert_int_equal(ps_scan_writer_begin(r.w, &in), 0);
    assert_valid_prefix(&r); /* flushed: no host yet, still a prefix */
    assert_int_equal(ps_scan_writer_host(r.w, &alpha), 0);
    assert_valid_prefix(&r);
    assert_int_equal(ps_scan_writer_host(r.w, &delta), 0);
    assert_valid_prefix(&r);
    assert_int_equal(ps_scan_writer_end(r.w, &s), 0);
    char *text = run_close(&r);
    xmlDocPtr doc = valid_doc(text, strlen(text));
    assert_xpath(doc, "/nmaprun/runstats/finished/@exit", "error");
    assert_xpath(doc, "/nmaprun/runstats/finished/@errormsg", "interrupted");
    assert_xpath(doc, "/nmaprun/runstats/hosts/@down", "1");
    assert_xpath(doc, "/nmaprun/host[2]/@comment",
                 "incomplete: the scan stopped before this host was finished; "
                 "results for 1 of 42 ports");
    assert_xpath(doc, "count(/nmaprun/host[2]/@timedout)", "0");
    assert_xpath(doc, "count(/nmaprun/host[2]/times)", "0");
    assert_xpath(doc, "count(/nmaprun/host[1]/@comment)", "0");
    xmlFreeDoc(doc);
    free(text);

    /* Interrupted before any host, with the engine's reason. */
    struct ps_scan_host timed = delta;
    timed.timed_out = 1;
    timed.port_count = 0;
    const struct ps_scan_host *one[] = {&timed};
    s.error = "sendto: No buffer space available";
    text = scan("xml", &in, one, 1, &s);
    doc = valid_doc(text, strlen(text));
    assert_xpath(doc, "/nmaprun/runstats/finished/@errormsg",
                 "sendto: No buffer space available");
    assert_xpath(doc, "/nmaprun/host/@timedout", "true");
    assert_xpath(doc, "count(/nmaprun/host/ports)", "0");
    xmlFreeDoc(doc);
    free(text);
}

static void xml_hostile_text(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    in.command_line = "portscope scan --reason -p- \"<&'>\" ---x\x01\xff 198.18.0.7";
    struct ps_scan_host h = beta;
    h.ip = ip_of("198.18.0.7");
    h.name = "evil\"name<&>\n\xc3";
    h.rdns = "caf\xc3\xa9.example";
    const struct ps_scan_host *one[] = {&h};
    struct ps_scan_summary s = summary();
    s.error = "bad \x02 thing";
    char *text = scan("xml", &in, one, 1, &s);
    xmlDocPtr doc = valid_doc(text, strlen(text));
    assert_xpath(doc, "/nmaprun/@args",
                 "portscope scan --reason -p- \"<&'>\" ---x?? 198.18.0.7");
    assert_xpath(doc, "/nmaprun/host/hostnames/hostname[1]/@name", "evil\"name<&>??");
    assert_xpath(doc, "/nmaprun/host/hostnames/hostname[2]/@name", "caf\xc3\xa9.example");
    assert_xpath(doc, "/nmaprun/runstats/finished/@errormsg", "bad ? thing");
    /* The comment holds no "--" of its own. */
    const char *c = strstr(text, "<!--") + 4, *end = strstr(c, "-->");
    assert_non_null(end);
    for (const char *p = c; p < end; p++)
        assert_false(p[0] == '-' && p[1] == '-');
    assert_has(text, "as: portscope scan -&#45;reason -p- \"<&'>\" -&#45;&#45;x?? 198.18.0.7 -->");
    xmlFreeDoc(doc);
    free(text);
}

static void xml_scan_types(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    struct ps_scan_summary s = summary();
    struct run r;

    /* A type nmap.dtd does not know is refused before anything is
     * written, and the writer can begin again. */
    run_open(&r, "xml");
    in.scan_type = "stealth";
    assert_int_equal(ps_scan_writer_begin(r.w, &in), PS_EINVAL);
    in.scan_type = NULL;
    assert_int_equal(ps_scan_writer_begin(r.w, &in), PS_EINVAL);
    assert_int_equal(r.len, 0);
    in.scan_type = "syn";
    in.verbose = 2;
    assert_int_equal(ps_scan_writer_begin(r.w, &in), 0);
    assert_int_equal(ps_scan_writer_end(r.w, &s), 0);
    char *text = run_close(&r);
    xmlDocPtr doc = valid_doc(text, strlen(text));
    assert_xpath(doc, "/nmaprun/scaninfo[1]/@type", "syn");
    assert_xpath(doc, "/nmaprun/scaninfo[2]/@type", "udp");
    assert_xpath(doc, "/nmaprun/verbose/@level", "2");
    assert_xpath(doc, "count(/nmaprun/host)", "0");
    xmlFreeDoc(doc);
    free(text);

    /* A UDP scan: only the UDP ports are its services. No command line:
     * no args. */
    in.scan_type = "udp";
    in.command_line = NULL;
    const struct ps_scan_host *one[] = {&beta};
    text = scan("xml", &in, one, 1, &s);
    doc = valid_doc(text, strlen(text));
    assert_xpath(doc, "count(/nmaprun/scaninfo)", "1");
    assert_xpath(doc, "/nmaprun/scaninfo/@protocol", "udp");
    assert_xpath(doc, "count(/nmaprun/@args)", "0");
    xmlFreeDoc(doc);
    free(text);
}

/* --- Failing streams --- */

/* A stream that takes `left` bytes, then fails with ENOSPC. */
struct limited {
    size_t left, written;
};

static ssize_t limited_write(void *cookie, const char *buf, size_t n)
{
    (void)buf;
    struct limited *l = cookie;
    if (n > l->left) {
        errno = ENOSPC;
        return -1;
    }
    l->left -= n;
    l->written += n;
    return (ssize_t)n;
}

/* Bytes begin() writes in fmt. */
static size_t begin_size(const char *fmt, const struct ps_scan_info *in)
{
    struct run r;
    run_open(&r, fmt);
    assert_int_equal(ps_scan_writer_begin(r.w, in), 0);
    size_t n = r.len;
    free(run_close(&r));
    return n;
}

static void write_errors_are_sticky(void **state)
{
    (void)state;
    struct ps_scan_info in = info();
    struct ps_scan_summary s = summary();
    const char *const *fmts = ps_scan_formats();

    for (size_t i = 0; fmts[i]; i++) {
        /* Room for begin() only: the first host fails, and after that every
         * call fails at once without writing. */
        struct limited l = {.left = begin_size(fmts[i], &in) + 5};
        FILE *f = fopencookie(&l, "w", (cookie_io_functions_t){.write = limited_write});
        assert_non_null(f);
        struct ps_scan_writer *w = writer_logged(fmts[i], f);
        assert_int_equal(ps_scan_writer_begin(w, &in), 0);
        assert_int_equal(ps_scan_writer_host(w, &alpha), PS_EIO);
        size_t written = l.written;
        assert_int_equal(ps_scan_writer_host(w, &beta), PS_EIO);
        assert_int_equal(ps_scan_writer_end(w, &s), PS_EIO);
        assert_int_equal(l.written, written);
        assert_int_equal(logbook.errors, 1);
        assert_has(logbook.text, "scan output: write failed: No space left on device");
        ps_scan_writer_free(w);
        fclose(f);

        /* /dev/full and a stream open for reading fail from the start
         * (json writes nothing before the first host). */
        FILE *bad[2] = {fopen("/dev/full", "w"), fopen("/dev/null", "r")};
        for (int k = 0; k < 2; k++) {
            if (!bad[k])
                continue;
            w = writer_logged(fmts[i], bad[k]);
            int rc = ps_scan_writer_begin(w, &in);
            if (strcmp(fmts[i], "json") == 0) {
                assert_int_equal(rc, 0);
                rc = ps_scan_writer_host(w, &alpha);
            }
            assert_int_equal(rc, PS_EIO);
            assert_int_equal(ps_scan_writer_host(w, &beta), PS_EIO);
            assert_int_equal(ps_scan_writer_end(w, &s), PS_EIO);
            assert_int_equal(logbook.errors, 1);
            ps_scan_writer_free(w);
            fclose(bad[k]);
        }
    }
}

static int setup(void **state)
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

static int teardown(void **state)
{
    (void)state;
    ps_registry_free(reg);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_and_bad_arguments),
        cmocka_unit_test(call_order),
        cmocka_unit_test(normal_exact),
        cmocka_unit_test(normal_reason_and_verbose),
        cmocka_unit_test(normal_open_only),
        cmocka_unit_test(normal_interrupted_and_incomplete),
        cmocka_unit_test(normal_latency_digits),
        cmocka_unit_test(normal_names_made_printable),
        cmocka_unit_test(grepable_exact),
        cmocka_unit_test(grepable_timeout_and_error),
        cmocka_unit_test(json_every_key),
        cmocka_unit_test(json_open_only_and_interrupted),
        cmocka_unit_test(xml_valid_against_nmap_dtd),
        cmocka_unit_test(xml_host_elements),
        cmocka_unit_test(xml_prefixes_and_interruption),
        cmocka_unit_test(xml_hostile_text),
        cmocka_unit_test(xml_scan_types),
        cmocka_unit_test(write_errors_are_sticky),
    };
    return cmocka_run_group_tests_name("scan_output", tests, setup, teardown);
}
