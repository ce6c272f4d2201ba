/* The scan engine: setup, the main loop, answers and timeouts. What to
 * send comes from hosts.c (new pairs) and the retry queue; how is the
 * probe modules' business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "portscope/error.h"
#include "scan/engine.h"

/* Descriptors kept free for output files, the resolver and the caller. */
#define FD_RESERVE 64
/* Probes in flight at most per worker when no probe holds a descriptor
 * (stateless modules only): far beyond what any path needs between two
 * looks at the answers, and 64 K probes are a few MiB. */
#define STATELESS_CAP 65536
/* The floor of a stateless scan's timeouts when --min-rtt-timeout is not
 * given: its answers are read from one shared socket or capture that stays
 * open, and one that comes after its port was called silent still counts
 * (ps__scan_late_answer), so the floor only has to cover the jitter that
 * the round-trip estimate misses, not the template's 100 ms. */
#define STATELESS_MIN_RTT_US 10000


struct ps__loop *ps__scan_loop(struct ps__scan *scan)
{
    return scan->loop;
}

/* The template's values, overridden by every field the caller set. */
static int merge_timing(struct ps__scan *scan)
{
    const struct ps_scan_timing *in = &scan->cfg->timing;
    struct ps_scan_timing *t = &scan->timing;

    if (ps_scan_timing_template(in->template_level, t) < 0) {
        ps__scan_log(scan, PS_LOG_ERROR, "timing template %d is not 0-5",
                     in->template_level);
        return PS_EINVAL;
    }
    if (in->max_retries >= 0)
        t->max_retries = in->max_retries > 50 ? 50 : in->max_retries;
    if (in->host_timeout_us)
        t->host_timeout_us = in->host_timeout_us;
    if (in->initial_rtt_timeout_us)
        t->initial_rtt_timeout_us = in->initial_rtt_timeout_us;
    if (in->min_rtt_timeout_us)
        t->min_rtt_timeout_us = in->min_rtt_timeout_us;
    if (in->max_rtt_timeout_us)
        t->max_rtt_timeout_us = in->max_rtt_timeout_us;
    if (in->scan_delay_us)
        t->scan_delay_us = in->scan_delay_us;
    if (in->min_rate > 0)
        t->min_rate = in->min_rate;
    if (in->max_rate > 0)
        t->max_rate = in->max_rate;
    if (in->min_parallelism)
        t->min_parallelism = in->min_parallelism;
    if (in->max_parallelism)
        t->max_parallelism = in->max_parallelism;
    /* One bound given, past the template's other: the other follows (as
     * in nmap); only two bounds given that contradict are an error. */
    if (t->min_rtt_timeout_us > t->max_rtt_timeout_us && !in->min_rtt_timeout_us)
        t->min_rtt_timeout_us = t->max_rtt_timeout_us;
    if (t->min_rtt_timeout_us > t->max_rtt_timeout_us && !in->max_rtt_timeout_us)
        t->max_rtt_timeout_us = t->min_rtt_timeout_us;
    if (t->min_rtt_timeout_us > t->max_rtt_timeout_us ||
        (t->max_rate > 0 && t->min_rate > t->max_rate)) {
        ps__scan_log(scan, PS_LOG_ERROR,
                     "timing: a minimum is above its maximum");
        return PS_EINVAL;
    }
    /* A scan delay is a rate limit of one probe per delay. */
    if (t->scan_delay_us > 0) {
        double rate = 1e6 / (double)t->scan_delay_us;
        if (t->max_rate <= 0 || rate < t->max_rate)
            t->max_rate = rate;
    }
    return 0;
}

static int pick_modules(struct ps__scan *scan)
{
    unsigned wanted = scan->cfg->types, found = 0;

    for (size_t i = 0; ps__probe_modules[i]; i++) {
        const struct ps__probe_module *m = ps__probe_modules[i];
        if (!(wanted & m->type_bit))
            continue;
        found |= m->type_bit;
        scan->stateless |= m->stateless;
        scan->modules[scan->module_count++] = m;
    }
    if (!wanted || found != wanted) {
        ps__scan_log(scan, PS_LOG_ERROR, "scan type not supported: 0x%x",
                     wanted & ~found);
        return PS_EUNSUPP;
    }
    return 0;
}

static int all_stateless(const struct ps__scan *scan)
{
    for (unsigned m = 0; m < scan->module_count; m++)
        if (!scan->modules[m]->stateless)
            return 0;
    return 1;
}

int ps__check_config(const struct ps_scan_config *cfg)
{
    if (!cfg->ports || !cfg->targets)
        return PS_EINVAL;
    if (cfg->shard_count > 0 &&
        (cfg->shard_index < 1 || cfg->shard_index > cfg->shard_count))
        return PS_EINVAL;
    if (cfg->source_port < -1 || cfg->source_port > 65535)
        return PS_EINVAL;
    return 0;
}

static int setup(struct ps__scan *scan)
{
    const struct ps_scan_config *cfg = scan->cfg;
    int rc;

    if ((rc = merge_timing(scan)) < 0 || (rc = pick_modules(scan)) < 0 ||
        (rc = ps__pairs_build(scan)) < 0 || (rc = ps__lookup_pairs_build(scan)) < 0)
        return rc;
    if (scan->pair_count == 0) {
        ps__scan_log(scan, PS_LOG_ERROR,
                     "no port to scan with the chosen scan types");
        return PS_EINVAL;
    }
    if (all_stateless(scan) && !cfg->timing.min_rtt_timeout_us &&
        scan->timing.min_rtt_timeout_us > STATELESS_MIN_RTT_US)
        scan->timing.min_rtt_timeout_us = STATELESS_MIN_RTT_US;
    if (cfg->seed_set)
        scan->rng = cfg->seed;
    else if (getrandom(&scan->rng, sizeof scan->rng, 0) != sizeof scan->rng)
        scan->rng = (uint64_t)ps__wall_us() ^ (uint64_t)(uintptr_t)scan;
    scan->probe_cap = all_stateless(scan) ? STATELESS_CAP
                                          : ps__fd_budget(FD_RESERVE) / scan->fd_share;
    if (scan->probe_cap == 0)
        scan->probe_cap = 1;
    ps__window_init(&scan->window, &scan->timing, scan->probe_cap);
    scan->probe_cap = scan->window.cap;
    scan->probes = calloc(scan->probe_cap, sizeof *scan->probes);
    scan->heap = calloc(scan->probe_cap, sizeof *scan->heap);
    scan->loop = ps__loop_new(256);
    scan->iter = ps_target_iter_new(cfg->targets);
    if (!scan->probes || !scan->heap || !scan->loop || !scan->iter)
        return PS_ENOMEM;
    for (unsigned i = scan->probe_cap; i-- > 0;) {
        scan->probes[i].next_free = scan->free_probes;
        scan->free_probes = &scan->probes[i];
    }
    for (unsigned m = 0; m < scan->module_count; m++)
        if ((rc = scan->modules[m]->open(scan, &scan->module_state[m])) < 0)
            return rc;
    return 0;
}

int ps__engine_new(const struct ps_scan_config *cfg, unsigned fd_share,
                   const volatile sig_atomic_t *stop_shared,
                   unsigned host_mod, unsigned host_rem,
                   struct ps__scan **out)
{
    struct ps__scan *scan;
    int rc;

    *out = NULL;
    if (ps__check_config(cfg) < 0)
        return PS_EINVAL;
    scan = calloc(1, sizeof *scan);
    if (!scan)
        return PS_ENOMEM;
    scan->cfg = cfg;
    scan->fd_share = fd_share ? fd_share : 1;
    scan->host_mod = host_mod ? host_mod : 1;
    scan->host_rem = host_rem;
    scan->stop_shared = stop_shared ? stop_shared : &scan->stop_requested;
    if ((rc = setup(scan)) < 0) {
        ps__engine_free(scan);
        return rc;
    }
    uint64_t per_host = scan->pair_count, hosts = ps_targets_count(cfg->targets);
    if (scan->host_mod > 1) /* this worker's hosts */
        hosts = hosts / scan->host_mod + (host_rem < hosts % scan->host_mod);
    scan->pairs_total = cfg->shard_count > 1
        ? (hosts * per_host + cfg->shard_count - cfg->shard_index) /
              cfg->shard_count
        : hosts * per_host;
    *out = scan;
    return 0;
}

void ps__engine_free(struct ps__scan *scan)
{
    if (!scan)
        return;
    if (scan->heap)
        ps__scan_abandon_in_flight(scan);
    for (unsigned m = 0; m < scan->module_count; m++)
        if (scan->module_state[m])
            scan->modules[m]->close(scan->module_state[m]);
    ps__hosts_free(scan);
    ps__retry_free(&scan->retries);
    ps_target_iter_free(scan->iter);
    ps__loop_free(scan->loop);
    free(scan->probes);
    free(scan->heap);
    free(scan);
}
