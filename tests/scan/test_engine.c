/* The scan engine with the connect probe, on loopback only: listeners the
 * test opens are reported open and ports it has just closed are closed,
 * for IPv4 and IPv6; shards are disjoint and complete; a stop before the
 * run ends it at once; the engine stays inside a small open-file limit.
 * (Filtered ports and remote hosts are covered in namespaces by
 * tests/net.) */
#include "ps_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "portscope/scan.h"

#define OPEN_COUNT 8
#define CLOSED_COUNT 40

struct fixture {
    int listeners[OPEN_COUNT];
    uint16_t open_ports[OPEN_COUNT], closed_ports[CLOSED_COUNT];
    struct ps_portset ports;
};

/* A listening socket on loopback, port chosen by the kernel; -1 when the
 * family is unavailable. */
static int listen_on(int family, uint16_t *port)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    int fd = socket(family, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr = in6addr_loopback;
        len = sizeof *sin6;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* Opens OPEN_COUNT listeners and finds CLOSED_COUNT ports that nothing
 * listens on (bound and released again). Returns 0, or -1 when family is
 * not available (IPv6 disabled). */
static int fixture_init(struct fixture *f, int family)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < OPEN_COUNT; i++) {
        f->listeners[i] = listen_on(family, &f->open_ports[i]);
        if (f->listeners[i] < 0)
            return -1;
        ps_portset_add(&f->ports, PS_PROTO_TCP, f->open_ports[i]);
    }
    for (int i = 0; i < CLOSED_COUNT; i++) {
        int fd = listen_on(family, &f->closed_ports[i]);
        if (fd < 0)
            return -1;
        close(fd);
        /* A released port may come back from the next bind: keep the
         * ports distinct, or the set holds fewer than CLOSED_COUNT. */
        if (ps_portset_has(&f->ports, PS_PROTO_TCP, f->closed_ports[i])) {
            i--;
            continue;
        }
        ps_portset_add(&f->ports, PS_PROTO_TCP, f->closed_ports[i]);
    }
    return 0;
}

static void fixture_fini(struct fixture *f)
{
    for (int i = 0; i < OPEN_COUNT; i++)
        if (f->listeners[i] > 0)
            close(f->listeners[i]);
}

struct collected {
    size_t hosts;
    size_t results[2][65536]; /* per host slot: how often each port came */
    enum ps_port_state state[2][65536];
    char ip[2][64];
    int complete[2];
    char bad[160];           /* the last problem collect() saw, or "" */
};

/* Runs on the scan's threads, where a cmocka assertion cannot unwind:
 * problems are recorded in c->bad and asserted by run_scan(). */
static void collect(void *ud, const struct ps_scan_host *h)
{
    struct collected *c = ud;
    size_t slot;
    char buf[64];

    ps_ip_format(&h->ip, buf, sizeof buf);
    /* Hosts are matched by address so repeated runs can add up. */
    for (slot = 0; slot < c->hosts; slot++)
        if (strcmp(c->ip[slot], buf) == 0)
            break;
    if (slot == c->hosts) {
        if (c->hosts == 2) {
            snprintf(c->bad, sizeof c->bad, "a third host %s", buf);
            return;
        }
        snprintf(c->ip[c->hosts++], sizeof c->ip[0], "%s", buf);
    }
    c->complete[slot] = h->complete;
    size_t by_state = 0;
    for (int s = 0; s < PS_PORT__COUNT; s++)
        by_state += h->state_count[s];
    if (by_state != h->port_count)
        snprintf(c->bad, sizeof c->bad, "%s: state counts %zu, ports %zu", buf,
                 by_state, h->port_count);
    for (size_t i = 0; i < h->port_count; i++) {
        const struct ps_port_result *r = &h->ports[i];
        if (r->proto != PS_PROTO_TCP || (i > 0 && r->port <= h->ports[i - 1].port))
            snprintf(c->bad, sizeof c->bad, "%s: port %u out of order or not TCP",
                     buf, r->port);
        c->results[slot][r->port]++;
        c->state[slot][r->port] = r->state;
    }
}

/* What count_hosts saw. The callback runs on the scan's threads, where a
 * cmocka assertion cannot unwind, so it records and the test asserts. */
struct host_tally {
    size_t hosts, bad;
    char why[256];
};

/* Counts complete hosts with every port once, all closed but the
 * listeners of 127.0.0.1. */
static void count_hosts(void *ud, const struct ps_scan_host *h)
{
    struct host_tally *t = ud;
    size_t want_open = h->ip.bytes[3] == 1 ? OPEN_COUNT : 0;
    int sorted = 1;

    for (size_t i = 1; i < h->port_count; i++)
        sorted &= h->ports[i].port > h->ports[i - 1].port;
    if (!h->complete || h->port_count != OPEN_COUNT + CLOSED_COUNT ||
        !sorted || h->state_count[PS_PORT_OPEN] != want_open) {
        if (!t->bad++)
            snprintf(t->why, sizeof t->why,
                     "127.0.0.%u: complete %d, %zu ports, sorted %d, "
                     "%zu open (want %zu)", h->ip.bytes[3], h->complete,
                     h->port_count, sorted, h->state_count[PS_PORT_OPEN],
                     want_open);
    }
    t->hosts++;
}

static struct ps_targets *targets_of(const char *spec)
{
    struct ps_targets *t = ps_targets_new(PS_TARGETS_NO_RESOLVE, NULL);
    char err[256];
    assert_non_null(t);
    if (ps_targets_add(t, spec, err, sizeof err) != 0)
        fail_msg("%s", err);
    return t;
}

static void run_scan(struct ps_scan_config *cfg, struct collected *c)
{
    struct ps_scan *scan = NULL;
    int rc = ps_scan_new(cfg, &scan);
    if (rc != 0)
        fail_msg("ps_scan_new: %s", ps_err_name(rc));
    cfg->ud = c;
    assert_int_equal(ps_scan_run(scan), 0);
    ps_scan_free(scan);
    if (c->bad[0])
        fail_msg("%s", c->bad);
}

static void expect_states(const struct fixture *f, const struct collected *c,
                          size_t slot)
{
    for (int i = 0; i < OPEN_COUNT; i++) {
        assert_int_equal(c->results[slot][f->open_ports[i]], 1);
        assert_int_equal(c->state[slot][f->open_ports[i]], PS_PORT_OPEN);
    }
    for (int i = 0; i < CLOSED_COUNT; i++) {
        assert_int_equal(c->results[slot][f->closed_ports[i]], 1);
        assert_int_equal(c->state[slot][f->closed_ports[i]], PS_PORT_CLOSED);
    }
}

static void scan_family(int family, const char *target, unsigned threads)
{
    struct fixture f;
    struct collected *c = calloc(1, sizeof *c);
    struct ps_scan_config cfg;

    assert_non_null(c);
    if (fixture_init(&f, family) < 0) {
        fixture_fini(&f);
        free(c);
        skip();
    }
    struct ps_targets *t = targets_of(target);
    ps_scan_config_init(&cfg);
    cfg.ports = &f.ports;
    cfg.targets = t;
    cfg.on_host = collect;
    cfg.ud = c;
    cfg.threads = threads;
    run_scan(&cfg, c);
    assert_int_equal(c->hosts, 1);
    assert_true(c->complete[0]);
    expect_states(&f, c, 0);
    ps_targets_free(t);
    fixture_fini(&f);
    free(c);
}

static void test_ipv4(void **state)
{
    (void)state;
    scan_family(AF_INET, "127.0.0.1", 1);
}

/* Three event loops share the pairs; their partial hosts are merged into
 * one host with every port once, in order. */
static void test_threads(void **state)
{
    (void)state;
    scan_family(AF_INET, "127.0.0.1", 3);
}

static void test_ipv6(void **state)
{
    (void)state;
    scan_family(AF_INET6, "::1", 0);
}

/* Three shards with different seeds cover every pair of two hosts exactly
 * once: 127.0.0.2 answers too (all of 127/8 is loopback) but has no
 * listener, so every port of it is closed. */
static void test_shards(void **state)
{
    struct fixture f;
    struct collected *c = calloc(1, sizeof *c);
    struct ps_scan_config cfg;

    (void)state;
    assert_non_null(c);
    assert_int_equal(fixture_init(&f, AF_INET), 0);
    struct ps_targets *t = targets_of("127.0.0.1-2");
    for (unsigned k = 1; k <= 3; k++) {
        ps_scan_config_init(&cfg);
        cfg.ports = &f.ports;
        cfg.targets = t;
        cfg.on_host = collect;
        cfg.shard_index = k;
        cfg.shard_count = 3;
        cfg.seed = k * 1000;
        cfg.seed_set = 1;
        cfg.threads = k; /* shards are the same whatever the threads */
        run_scan(&cfg, c);
    }
    assert_int_equal(c->hosts, 2);
    size_t a = strcmp(c->ip[0], "127.0.0.1") == 0 ? 0 : 1;
    expect_states(&f, c, a);
    for (int i = 0; i < CLOSED_COUNT; i++)
        assert_int_equal(c->results[1 - a][f.closed_ports[i]], 1);
    for (int i = 0; i < OPEN_COUNT; i++) {
        assert_int_equal(c->results[1 - a][f.open_ports[i]], 1);
        assert_int_equal(c->state[1 - a][f.open_ports[i]], PS_PORT_CLOSED);
    }
    ps_targets_free(t);
    fixture_fini(&f);
    free(c);
}

/* Many hosts and two threads: each worker takes whole hosts; every host
 * comes once and complete. */
static void test_threads_by_host(void **state)
{
    struct fixture f;
    struct collected *c = calloc(1, sizeof *c);
    struct ps_scan_config cfg;
    struct host_tally tally = {0};

    (void)state;
    assert_non_null(c);
    assert_int_equal(fixture_init(&f, AF_INET), 0);
    struct ps_targets *t = targets_of("127.0.0.1-6");
    ps_scan_config_init(&cfg);
    cfg.ports = &f.ports;
    cfg.targets = t;
    cfg.on_host = count_hosts;
    cfg.ud = &tally;
    cfg.threads = 2;
    struct ps_scan *scan;
    assert_int_equal(ps_scan_new(&cfg, &scan), 0);
    assert_int_equal(ps_scan_run(scan), 0);
    ps_scan_free(scan);
    if (tally.bad)
        fail_msg("%zu bad hosts, first: %s", tally.bad, tally.why);
    assert_int_equal(tally.hosts, 6);
    ps_targets_free(t);
    fixture_fini(&f);
    free(c);
}

/* A scan stopped before it starts sends nothing and says it was
 * interrupted. */
static void test_stop_before_run(void **state)
{
    struct ps_portset ports = {0};
    struct ps_scan_config cfg;
    struct ps_scan *scan;
    struct ps_scan_summary sum;
    struct collected *c = calloc(1, sizeof *c);

    (void)state;
    ps_portset_add_range(&ports, PS_PROTO_TCP, 1, 1000);
    struct ps_targets *t = targets_of("127.0.0.1");
    ps_scan_config_init(&cfg);
    cfg.ports = &ports;
    cfg.targets = t;
    cfg.on_host = collect;
    cfg.ud = c;
    assert_int_equal(ps_scan_new(&cfg, &scan), 0);
    ps_scan_stop(scan);
    assert_int_equal(ps_scan_run(scan), 0);
    ps_scan_get_summary(scan, &sum);
    assert_true(sum.interrupted);
    assert_int_equal(sum.probes_sent, 0);
    assert_int_equal(c->hosts, 0);
    assert_int_equal(ps_scan_run(scan), PS_ESTATE); /* runs once */
    ps_scan_free(scan);
    ps_targets_free(t);
    free(c);
}

/* With an open-file limit of 100 the engine keeps its probes within it
 * and still decides every one of 3000 ports (in a child, so the limit
 * does not stay with the test process). */
static void test_small_fd_limit(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {100, 100};
        struct ps_portset ports = {0};
        struct ps_scan_config cfg;
        struct ps_scan *scan;
        struct ps_scan_summary sum;
        struct collected *c = calloc(1, sizeof *c);
        if (!c || setrlimit(RLIMIT_NOFILE, &rl) < 0)
            _exit(2);
        ps_portset_add_range(&ports, PS_PROTO_TCP, 40001, 43000);
        struct ps_targets *t = ps_targets_new(PS_TARGETS_NO_RESOLVE, NULL);
        if (!t || ps_targets_add(t, "127.0.0.3", NULL, 0) != 0)
            _exit(3);
        ps_scan_config_init(&cfg);
        cfg.ports = &ports;
        cfg.targets = t;
        cfg.on_host = collect;
        cfg.ud = c;
        if (ps_scan_new(&cfg, &scan) != 0 || ps_scan_run(scan) != 0)
            _exit(4);
        ps_scan_get_summary(scan, &sum);
        size_t got = 0;
        for (unsigned p = 40001; p <= 43000; p++)
            got += c->results[0][p] == 1;
        _exit(got == 3000 && !sum.interrupted ? 0 : 5);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A bad configuration is refused before anything is set up. */
static void test_bad_config(void **state)
{
    struct ps_portset ports = {0};
    struct ps_scan_config cfg;
    struct ps_scan *scan = (struct ps_scan *)&cfg;

    (void)state;
    struct ps_targets *t = targets_of("127.0.0.1");
    ps_scan_config_init(&cfg);
    cfg.ports = &ports;  /* empty */
    cfg.targets = t;
    assert_int_equal(ps_scan_new(&cfg, &scan), PS_EINVAL);
    assert_null(scan);
    ps_portset_add(&ports, PS_PROTO_TCP, 80);
    cfg.shard_index = 4;
    cfg.shard_count = 3;
    assert_int_equal(ps_scan_new(&cfg, &scan), PS_EINVAL);
    cfg.shard_index = 0;
    cfg.shard_count = 0;
    cfg.timing.template_level = 6;
    assert_int_equal(ps_scan_new(&cfg, &scan), PS_EINVAL);
    ps_targets_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_threads_by_host),
        cmocka_unit_test(test_shards),
        cmocka_unit_test(test_stop_before_run),
        cmocka_unit_test(test_small_fd_limit),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
