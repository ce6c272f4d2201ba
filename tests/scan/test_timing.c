/* Timing (src/scan/timing.c): nmap's templates, the RFC 6298 estimator,
 * timeouts clamped to the template, and the window of probes in flight:
 * slow start, one cut per round trip on loss, and the resource cap. */
#include "ps_test.h"

#include <string.h>

#include "scan/engine.h"

static void test_templates(void **state)
{
    struct ps_scan_timing t;
    (void)state;
    assert_int_equal(ps_scan_timing_template(4, &t), 0);
    assert_int_equal(t.max_retries, 6);
    assert_int_equal(t.min_rtt_timeout_us, 100000);
    assert_int_equal(t.max_rtt_timeout_us, 1250000);
    assert_int_equal(t.initial_rtt_timeout_us, 500000);
    assert_int_equal(ps_scan_timing_template(5, &t), 0);
    assert_int_equal(t.max_retries, 2);
    assert_int_equal(t.host_timeout_us, 15ll * 60 * 1000000);
    assert_int_equal(ps_scan_timing_template(0, &t), 0);
    assert_int_equal(t.max_parallelism, 1);
    assert_int_equal(t.scan_delay_us, 300ll * 1000000);
    assert_int_equal(ps_scan_timing_template(6, &t), PS_ERANGE);
    assert_int_equal(ps_scan_timing_template(-1, &t), PS_ERANGE);
}

static void test_rtt_estimator(void **state)
{
    int64_t srtt = 0, rttvar = 0;
    (void)state;
    ps__rtt_sample(&srtt, &rttvar, 1000);
    assert_int_equal(srtt, 1000);
    assert_int_equal(rttvar, 500);
    ps__rtt_sample(&srtt, &rttvar, 1800); /* delta 800 */
    assert_int_equal(srtt, 1100);         /* + 800/8 */
    assert_int_equal(rttvar, 575);        /* + (800 - 500)/4 */
    for (int i = 0; i < 200; i++)
        ps__rtt_sample(&srtt, &rttvar, 200);
    assert_true(srtt >= 200 && srtt < 210);
    assert_true(rttvar < 20);
}

static void test_timeout_clamped(void **state)
{
    struct ps__scan scan;
    struct ps__host host;
    (void)state;
    memset(&scan, 0, sizeof scan);
    memset(&host, 0, sizeof host);
    ps_scan_timing_template(4, &scan.timing);
    /* No sample anywhere: the template's initial timeout. */
    assert_int_equal(ps__probe_timeout(&scan, &host), 500000);
    /* The scan's estimate serves a host without one. */
    scan.global_srtt_us = 300000;
    scan.global_rttvar_us = 50000;
    assert_int_equal(ps__probe_timeout(&scan, &host), 500000);
    /* A LAN host: clamped up to the floor. */
    host.srtt_us = 50;
    host.rttvar_us = 10;
    assert_int_equal(ps__probe_timeout(&scan, &host), 100000);
    /* A far host: clamped down to the ceiling. */
    host.srtt_us = 2000000;
    assert_int_equal(ps__probe_timeout(&scan, &host), 1250000);
}

static void test_window(void **state)
{
    struct ps_scan_timing t;
    struct ps__window w;
    (void)state;
    ps_scan_timing_template(3, &t);
    ps__window_init(&w, &t, 1000);
    assert_true(w.cwnd == 32);
    for (int i = 0; i < 32; i++)
        ps__window_on_answer(&w);
    assert_true(w.cwnd == 64); /* slow start: one per answer */
    ps__window_on_loss(&w, 1000000, 5000);
    assert_true(w.cwnd == 32 && w.ssthresh == 32);
    ps__window_on_loss(&w, 1001000, 5000); /* same round trip: no cut */
    assert_true(w.cwnd == 32);
    ps__window_on_loss(&w, 1010000, 5000); /* a later one: cut */
    assert_true(w.cwnd == 16);
    for (int i = 0; i < 16; i++)
        ps__window_on_answer(&w); /* above ssthresh: about one per window */
    assert_true(w.cwnd > 16 && w.cwnd < 18);
    ps__window_on_resource(&w, 10);
    assert_true(w.cwnd == 9 && w.ssthresh <= 9);
    for (int i = 0; i < 100000; i++)
        ps__window_on_answer(&w);
    assert_true(w.cwnd <= 1000); /* never above the cap */
    /* --max-parallelism lowers the cap; --min-parallelism is a floor. */
    t.max_parallelism = 5;
    t.min_parallelism = 3;
    ps__window_init(&w, &t, 1000);
    assert_true(w.cap == 5 && w.cwnd == 5);
    ps__window_on_loss(&w, 1, 1);
    ps__window_on_loss(&w, 1000000, 1);
    assert_true(w.cwnd == 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_rtt_estimator),
        cmocka_unit_test(test_timeout_clamped),
        cmocka_unit_test(test_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
