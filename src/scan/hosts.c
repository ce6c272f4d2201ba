/* Targets in batches, the order of pairs within a batch, and per-host
 * results: a host is handed to the caller as soon as every pair of it in
 * this shard is decided. */
#include <stdlib.h>
#include <string.h>

#include "portscope/error.h"
#include "scan/engine.h"

/* The ports to scan, in output order, each with the module that probes
 * its transport. */
int ps__pairs_build(struct ps__scan *scan)
{
    const enum ps_proto protos[2] = {PS_PROTO_TCP, PS_PROTO_UDP};
    size_t total = 0;

    for (unsigned m = 0; m < scan->module_count; m++)
        total += ps_portset_count(scan->cfg->ports, scan->modules[m]->proto);
    scan->pairs = calloc(total ? total : 1, sizeof *scan->pairs);
    if (!scan->pairs)
        return PS_ENOMEM;
    for (unsigned pi = 0; pi < 2; pi++) {
        for (unsigned m = 0; m < scan->module_count; m++) {
            if (scan->modules[m]->proto != protos[pi])
                continue;
            const struct ps_portset *set = scan->cfg->ports;
            for (long p = ps_portset_next(set, protos[pi], 0); p >= 0;
                 p = ps_portset_next(set, protos[pi], (unsigned long)p + 1))
                scan->pairs[scan->pair_count++] = (struct ps__pair_port){
                    .port = (uint16_t)p, .proto = (uint8_t)protos[pi],
                    .module = (uint8_t)m};
        }
    }
    return 0;
}

/* Pairs of host number index that belong to this shard: pair numbers
 * index*P .. index*P+P-1 that are K-1 modulo N. */
uint32_t ps__shard_share(uint32_t pair_count, uint64_t index, unsigned kk,
                         unsigned nn)
{
    uint64_t n = nn, k, first, p = pair_count;
    uint64_t base = index * p, off;

    if (n <= 1)
        return (uint32_t)p;
    k = kk - 1;
    off = (k + n - base % n) % n; /* first offset whose number is k mod n */
    if (off >= p)
        return 0;
    first = off;
    return (uint32_t)((p - 1 - first) / n + 1);
}

/* By host number, not by host: a host whose pairs are all decided has
 * been freed, while the walk still passes its other shards' pairs. */
static int in_shard(const struct ps__scan *scan, uint64_t host_index,
                    uint32_t port_idx)
{
    uint64_t n = scan->cfg->shard_count;

    if (n <= 1)
        return 1;
    return (host_index * scan->pair_count + port_idx) % n ==
           scan->cfg->shard_index - 1;
}

static void host_free(struct ps__host *h)
{
    if (!h)
        return;
    free(h->name);
    free(h->res);
    free(h);
}

static struct ps__host *host_new(struct ps__scan *scan,
                                 const struct ps_target *t)
{
    struct ps__host *h = calloc(1, sizeof *h);

    if (!h)
        return NULL;
    h->ip = t->ip;
    h->index = scan->next_host_index++;
    h->assigned = h->remaining =
        h->index % scan->host_mod != scan->host_rem
            ? 0 /* another worker's host */
            : ps__shard_share(scan->pair_count, h->index,
                              scan->cfg->shard_index, scan->cfg->shard_count);
    if (h->assigned == 0)
        return h;
    h->res = calloc(scan->pair_count, sizeof *h->res);
    h->name = t->name ? strdup(t->name) : NULL;
    if (!h->res || (t->name && !h->name)) {
        host_free(h);
        return NULL;
    }
    for (uint32_t i = 0; i < scan->pair_count; i++) {
        h->res[i].port = scan->pairs[i].port;
        h->res[i].proto = scan->pairs[i].proto;
        h->res[i].rtt_ms = -1;
    }
    return h;
}

static int live_link(struct ps__scan *scan, struct ps__host *h)
{
    if (ps__lookup_host_add(scan, h) < 0)
        return PS_ENOMEM;
    h->next = scan->live;
    if (scan->live)
        scan->live->prev = h;
    scan->live = h;
    return 0;
}

static void live_unlink(struct ps__scan *scan, struct ps__host *h)
{
    ps__lookup_host_del(scan, h);
    if (h->prev)
        h->prev->next = h->next;
    else
        scan->live = h->next;
    if (h->next)
        h->next->prev = h->prev;
}

/* Reads the next batch of targets: as many hosts as fit in
 * PS_SCAN_BATCH_PAIRS pairs. Returns 1 with a batch, 0 at the end of the
 * targets, or a negative code. */
static int load_batch(struct ps__scan *scan)
{
    uint32_t max_hosts = PS_SCAN_BATCH_PAIRS / scan->pair_count;
    struct ps_target t;
    int rc = 0;

    if (max_hosts == 0)
        max_hosts = 1;
    if (!scan->batch) {
        scan->batch = calloc(max_hosts, sizeof *scan->batch);
        scan->batch_index = calloc(max_hosts, sizeof *scan->batch_index);
        if (!scan->batch || !scan->batch_index)
            return PS_ENOMEM;
    }
    scan->batch_hosts = 0;
    while (!scan->targets_done && scan->batch_hosts < max_hosts) {
        rc = ps_target_iter_next(scan->iter, &t);
        if (rc <= 0) {
            scan->targets_done = 1;
            break;
        }
        struct ps__host *h = host_new(scan, &t);
        if (!h)
            return PS_ENOMEM;
        if (h->assigned == 0) {
            host_free(h);
            continue;
        }
        if (live_link(scan, h) < 0) {
            host_free(h);
            return PS_ENOMEM;
        }
        scan->hosts_total++;
        scan->batch_index[scan->batch_hosts] = h->index;
        scan->batch[scan->batch_hosts++] = h;
    }
    if (rc < 0)
        return rc;
    if (scan->batch_hosts == 0)
        return 0;
    ps__perm_init(&scan->perm, (uint64_t)scan->batch_hosts * scan->pair_count,
                  &scan->rng);
    return 1;
}

/* The next pair to probe for the first time: 1 with *host and *port_idx set, 0
 * when every pair has been handed out, or a negative code. */
int ps__hosts_next_pair(struct ps__scan *scan, struct ps__host **host,
                        uint32_t *port_idx)
{
    uint64_t v;

    for (;;) {
        while (scan->batch_hosts && ps__perm_next(&scan->perm, &v)) {
            uint64_t slot = v / scan->pair_count;
            uint32_t idx = (uint32_t)(v % scan->pair_count);
            if (!in_shard(scan, scan->batch_index[slot], idx))
                continue;
            *host = scan->batch[slot];
            *port_idx = idx;
            return 1;
        }
        scan->batch_hosts = 0;
        if (scan->targets_done)
            return 0;
        int rc = load_batch(scan);
        if (rc <= 0)
            return rc;
    }
}

static void emit(struct ps__scan *scan, struct ps__host *h, int complete)
{
    struct ps_scan_host out = {0};
    uint32_t kept = 0;

    /* Keep decided ports only, in order: other shards' ports and ports
     * an interruption left open stay out. */
    for (uint32_t i = 0; i < scan->pair_count; i++) {
        if (h->res[i].state == PS_PORT_UNKNOWN)
            continue;
        out.state_count[h->res[i].state]++;
        h->res[kept++] = h->res[i];
    }
    out.ip = h->ip;
    out.target_index = h->index;
    out.name = h->name;
    out.ports = h->res;
    out.port_count = kept;
    out.start_us = h->start_us;
    out.end_us = h->end_us ? h->end_us : ps__wall_us();
    out.srtt_us = h->srtt_us;
    out.rttvar_us = h->rttvar_us;
    out.timeout_us = ps__probe_timeout(scan, h);
    out.complete = complete && !h->timed_out;
    out.timed_out = h->timed_out;
    scan->hosts_up++;
    if (scan->cfg->on_host)
        scan->cfg->on_host(scan->cfg->ud, &out);
}

void ps__host_decide(struct ps__scan *scan, struct ps__host *h,
                     uint32_t port_idx, enum ps_port_state state,
                     enum ps_port_reason reason, uint8_t tries, float rtt_ms,
                     uint8_t ttl)
{
    struct ps_port_result *r = &h->res[port_idx];

    r->state = (uint8_t)state;
    r->reason = (uint8_t)reason;
    r->tries = tries;
    r->rtt_ms = rtt_ms;
    r->ttl = ttl;
    scan->pairs_done++;
    if (--h->remaining || h->pinned)
        return;
    ps__host_finish(scan, h);
}

int ps__host_take_answer(struct ps__scan *scan, const struct ps__retry *r)
{
    const struct ps_port_result *res = &r->host->res[r->port_idx];

    if (r->tryno == 0 || res->state == PS_PORT_UNKNOWN)
        return 0;
    ps__host_decide(scan, r->host, r->port_idx, (enum ps_port_state)res->state,
                    (enum ps_port_reason)res->reason, r->tryno, -1, res->ttl);
    return 1;
}

void ps__host_finish(struct ps__scan *scan, struct ps__host *h)
{
    h->end_us = ps__wall_us();
    ps__rounds_forget(scan, h);
    live_unlink(scan, h);
    emit(scan, h, 1);
    host_free(h);
}

/* After a stop: hands out every host that has a decided port, as
 * incomplete, and forgets the rest. */
void ps__hosts_flush(struct ps__scan *scan)
{
    while (scan->live) {
        struct ps__host *h = scan->live;
        int any = 0;
        ps__rounds_forget(scan, h);
        live_unlink(scan, h);
        for (uint32_t i = 0; i < scan->pair_count && !any; i++)
            any = h->res[i].state != PS_PORT_UNKNOWN;
        if (any)
            emit(scan, h, 0);
        host_free(h);
    }
    scan->batch_hosts = 0;
}

void ps__hosts_free(struct ps__scan *scan)
{
    while (scan->live) {
        struct ps__host *h = scan->live;
        ps__rounds_forget(scan, h);
        live_unlink(scan, h);
        host_free(h);
    }
    ps__rounds_free(scan);
    free(scan->batch);
    free(scan->batch_index);
    scan->batch = NULL;
    scan->batch_index = NULL;
    free(scan->pairs);
    scan->pairs = NULL;
    ps__lookup_free(scan);
}
