/* The port scanner: one event loop drives probes of one or more types
 * (probe modules: TCP connect now) over every (target, port) pair, in a
 * random order, with nmap's timing model, and hands each host to the
 * caller when all of its ports are decided.
 *
 * Typical use:
 *   struct ps_scan_config cfg; ps_scan_config_init(&cfg);
 *   cfg.ports = &ports; cfg.targets = targets; cfg.on_host = print_host;
 *   struct ps_scan *scan; int rc = ps_scan_new(&cfg, &scan);
 *   rc = ps_scan_run(scan);            (ps_scan_stop from a signal handler)
 *   struct ps_scan_summary sum; ps_scan_get_summary(scan, &sum);
 *   ps_scan_free(scan);
 *
 * Order: pairs are visited in a pseudo-random permutation (a walk of a
 * multiplicative cyclic group modulo a prime, as zmap does), so no host or
 * port range is hammered in sequence. Targets stream from the iterator in
 * batches (at most PS_SCAN_BATCH_PAIRS pairs each), so a million addresses
 * are never all in memory; the permutation runs within each batch.
 *
 * Sharding: --shard K/N keeps the pairs whose index (host number in the
 * target list times the port count, plus the port's position) is K-1
 * modulo N. Every shard of the same scan (same targets and ports) thus
 * gets a disjoint part, and the N parts together are the whole scan, in
 * any order and with any seed.
 *
 * Timing follows nmap: a round-trip estimate per host (RFC 6298 style,
 * from first-try answers only) sets each probe's timeout within
 * [min_rtt_timeout, max_rtt_timeout]; a port with no answer is probed
 * again up to one more time than the host has ever needed to get an
 * answer (so a lossless path costs one retry per silent port, and a lossy
 * one up to max_retries); the number of probes in flight grows as answers
 * come back and halves when an answer arrives only on a retry (a sign of
 * loss), never exceeding max_parallelism or the open-file limit minus a
 * reserve. */
#ifndef PORTSCOPE_SCAN_H
#define PORTSCOPE_SCAN_H

#include <stdint.h>

#include "portscope/log.h"
#include "portscope/portspec.h"
#include "portscope/scanout.h"
#include "portscope/scanres.h"
#include "portscope/targets.h"

/* Scan types (bits of ps_scan_config.types). */
#define PS_SCAN_CONNECT 1u /* -sT: TCP connect(), no privileges needed */
#define PS_SCAN_SYN 2u     /* -sS: raw SYNs; needs CAP_NET_RAW */
#define PS_SCAN_UDP 4u     /* -sU: UDP datagrams */

#define PS_SCAN_MAX_THREADS 8

/* Pairs per batch of targets (bounds memory: 12 bytes of result each). */
#define PS_SCAN_BATCH_PAIRS (1u << 21)

/* Timing. Zero (or -1 where noted) means "the template's value". */
struct ps_scan_timing {
    int template_level;          /* -T0..-T5; default 3 */
    int max_retries;             /* -1: template (T3 10, T4 6, T5 2) */
    int64_t host_timeout_us;     /* 0: none */
    int64_t initial_rtt_timeout_us, min_rtt_timeout_us, max_rtt_timeout_us;
    int64_t scan_delay_us;       /* least time between probes (T0-T2) */
    double min_rate, max_rate;   /* probes per second; 0: none */
    unsigned min_parallelism, max_parallelism; /* 0: automatic */
};

/* Fills t with the values template level (0-5) stands for. Returns 0 or
 * PS_ERANGE. */
int ps_scan_timing_template(int level, struct ps_scan_timing *t);

/* Progress, for a bar or --stats-every. */
struct ps_scan_progress {
    uint64_t pairs_total;   /* (target, port) pairs of this shard */
    uint64_t pairs_done;    /* decided, or given up */
    uint64_t probes_sent;
    uint64_t hosts_done;
    unsigned in_flight;
    unsigned window;        /* current limit on probes in flight */
    double rate;            /* probes per second, recent */
    int64_t elapsed_us;
    int64_t eta_us;         /* -1 while unknown */
};

struct ps_scan_config {
    unsigned types;                    /* PS_SCAN_* bits; default CONNECT */
    const struct ps_portset *ports;    /* required, non-empty */
    const struct ps_targets *targets;  /* required */
    struct ps_scan_timing timing;
    uint64_t seed;                     /* for the order; see seed_set */
    int seed_set;                      /* 0: a random seed */
    unsigned shard_index, shard_count; /* K and N of --shard K/N; 0 0: none */
    /* Event loops run in parallel, one per thread, each over its own share
     * of the pairs (zmap scales its senders the same way); 0 picks one per
     * CPU, at most PS_SCAN_MAX_THREADS. */
    unsigned threads;
    /* Raw probes (SYN): where they leave from, as nmap's -e, -S and
     * --source-port. interface NULL: the routing table picks the way out
     * and answers are captured on every interface. source_ip family 0:
     * the address the route gives. source_port -1: one chosen at random
     * for the scan (each thread its own). */
    const char *interface;
    struct ps_ip source_ip;
    int source_port;
    /* Called once per finished host, during ps_scan_run(), from one of
     * the scan's threads but never from two at once; the host and its
     * arrays are valid only during the call. */
    void (*on_host)(void *ud, const struct ps_scan_host *host);
    /* Called from the thread running ps_scan_run() about every
     * progress_interval_us (0: never). */
    void (*on_progress)(void *ud, const struct ps_scan_progress *p);
    int64_t progress_interval_us;
    void *ud;
    const struct ps_logger *log;       /* may be NULL */
};

/* Defaults: connect scan, template 3, no shard, random seed. */
void ps_scan_config_init(struct ps_scan_config *cfg);

struct ps_scan;

/* Checks cfg and sets up everything a scan needs before its first probe
 * (privileged sockets of later probe types are opened here). Returns 0,
 * PS_EINVAL (a bad field; the logger says which), PS_EUNSUPP (a scan type
 * not built), PS_ENOMEM, or PS_EIO/PS_EACCES for resources that could not
 * be opened. cfg (and what it points to) must outlive the scan. */
int ps_scan_new(const struct ps_scan_config *cfg, struct ps_scan **out);

/* Runs the scan to the end, or until ps_scan_stop(). Returns 0 (also
 * when stopped: see the summary), or a negative PS_E* code on a failure
 * that ended the scan (summary.error says what). Call once. */
int ps_scan_run(struct ps_scan *scan);

/* Asks a running scan to stop: no new probes; answers in flight are
 * awaited briefly; finished and partial hosts are still handed to on_host.
 * Async-signal-safe; may be called from any thread. */
void ps_scan_stop(struct ps_scan *scan);

/* The nmap name of the scan type ("connect"), for output headers. */
const char *ps_scan_type_name(const struct ps_scan *scan);

/* Totals so far (end_us is 0 until ps_scan_run returned). */
void ps_scan_get_summary(const struct ps_scan *scan,
                         struct ps_scan_summary *out);

void ps_scan_free(struct ps_scan *scan);

#endif
