/* The scan output formats (portscope/scanout.h) on hand-built results:
 * JSON Lines read back with jansson, and streams that fail in every
 * format. Run with TZ=UTC (ctest sets it; setup() does too). The
 * fixtures are in scan_output_test.h. */
#include "scan_output_test.h"

#include <errno.h>
#include <jansson.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_every_key),
        cmocka_unit_test(json_open_only_and_interrupted),
        cmocka_unit_test(write_errors_are_sticky),
    };
    return cmocka_run_group_tests_name("scan_output_json", tests, setup, teardown);
}
