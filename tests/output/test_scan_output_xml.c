/* The scan output formats (portscope/scanout.h) on hand-built results:
 * nmap XML validated against nmap's own DTD with libxml2, including
 * documents cut short by an interruption. Run with TZ=UTC (ctest sets it;
 * setup() does too). The fixtures are in scan_output_test.h. */
#include "scan_output_test.h"

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <libxml/xpath.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xml_valid_against_nmap_dtd),
        cmocka_unit_test(xml_host_elements),
        cmocka_unit_test(xml_prefixes_and_interruption),
        cmocka_unit_test(xml_hostile_text),
        cmocka_unit_test(xml_scan_types),
    };
    return cmocka_run_group_tests_name("scan_output_xml", tests, setup, teardown);
}
