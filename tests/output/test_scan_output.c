/* The scan output formats (portscope/scanout.h) on hand-built results:
 * the writer's own contract, and exact nmap-style normal and grepable
 * text. XML is in test_scan_output_xml.c, JSON Lines and failing streams
 * in test_scan_output_json.c; the fixtures are in scan_output_test.h. */
#include "scan_output_test.h"

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
    };
    return cmocka_run_group_tests_name("scan_output", tests, setup, teardown);
}
