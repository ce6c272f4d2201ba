/* The public scan object: one worker engine per thread, each with its own
 * event loop over its share of the pairs, and a merge of their partial
 * hosts. Worker t of T, in a scan that is itself shard K of N, is shard
 * K + N*t of N*T: the workers split exactly this scan's pairs, and shards
 * of a threaded scan are the same as those of a single-threaded one. */
#include <pthread.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "portscope/error.h"
#include "scan/engine.h"
#include "scan/targets_int.h"

/* A host some workers have reported and others not yet. */
struct pending {
    uint64_t index;
    struct ps_scan_host host;       /* merged so far; ports is owned */
    struct ps_port_result *ports;
    size_t cap;
    unsigned parts, expected;
    struct pending *next;
};

struct worker {
    struct ps_scan *scan;
    struct ps_scan_config cfg;
    struct ps__scan *engine;
    pthread_t thread;
    int started, rc;
};

struct ps_scan {
    const struct ps_scan_config *cfg;
    struct worker workers[PS_SCAN_MAX_THREADS];
    unsigned count;
    /* Many hosts: each worker takes whole hosts (host number t modulo the
     * workers), and hosts need no merge. Few hosts: the workers split
     * every host's pairs, and merge_part() joins them. */
    int by_host;
    uint32_t pair_count;
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    unsigned done;
    struct pending *pending;
    uint64_t hosts_up, hosts_total;
    volatile sig_atomic_t stop;
    int ran, failed;
    int64_t start_us, end_us;
    uint16_t sport_base; /* raw probes' source port of worker 0 */
    double rate;
    uint64_t rate_sent;
    int64_t rate_us, next_progress_us;
    char error[160];
};

static unsigned pick_threads(const struct ps_scan_config *cfg)
{
    const struct ps_scan_timing *t = &cfg->timing;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cfg->threads ? cfg->threads : (unsigned)(cpus > 0 ? cpus : 1);
    uint64_t pairs = ps_targets_count(cfg->targets) *
                     ps_portset_count(cfg->ports, PS_PROTO_ANY);

    if (n > PS_SCAN_MAX_THREADS)
        n = PS_SCAN_MAX_THREADS;
    /* Threads pay off only with work to share, and rate limits are kept
     * simplest by one sender. */
    if (!cfg->threads && (pairs < 4096 || t->max_rate > 0))
        n = 1;
    /* A delay between probes and the one-at-a-time templates are about
     * the whole scan; so is a parallelism smaller than the threads. */
    if (t->scan_delay_us > 0 || t->template_level < 3)
        n = 1;
    if (t->max_parallelism && t->max_parallelism < n)
        n = t->max_parallelism;
    /* Each iterator resolves the host names of an -iL file itself, and
     * two resolutions may disagree (round-robin DNS, a failure): one
     * iterator keeps host numbers consistent. */
    if (ps__targets_has_files(cfg->targets))
        n = 1;
    return n ? n : 1;
}

static int cmp_port(const void *a, const void *b)
{
    const struct ps_port_result *x = a, *y = b;
    int px = x->proto == PS_PROTO_TCP ? 0 : 1, py = y->proto == PS_PROTO_TCP ? 0 : 1;
    if (px != py)
        return px - py;
    return (int)x->port - (int)y->port;
}

/* Hands a merged host to the caller (lock held). */
static void emit(struct ps_scan *s, struct pending *p, int complete)
{
    struct ps_scan_host *h = &p->host;

    /* A host cut short by --host-timeout may have no port at all (and no
     * array: qsort must not see NULL). */
    if (h->port_count)
        qsort(p->ports, h->port_count, sizeof *p->ports, cmp_port);
    memset(h->state_count, 0, sizeof h->state_count);
    for (size_t i = 0; i < h->port_count; i++)
        h->state_count[p->ports[i].state]++;
    h->ports = p->ports;
    h->complete = h->complete && complete;
    s->hosts_up++;
    if (s->cfg->on_host)
        s->cfg->on_host(s->cfg->ud, h);
}

static unsigned expected_parts(const struct ps_scan *s, uint64_t index)
{
    unsigned n = 0;
    for (unsigned t = 0; t < s->count; t++)
        n += ps__shard_share(s->pair_count, index, s->workers[t].cfg.shard_index,
                             s->workers[t].cfg.shard_count) > 0;
    return n;
}

static struct pending *find_pending(struct ps_scan *s,
                                    const struct ps_scan_host *h)
{
    struct pending *p;

    for (p = s->pending; p; p = p->next)
        if (p->index == h->target_index)
            return p;
    p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->index = h->target_index;
    p->host = *h;
    p->host.port_count = 0;
    p->host.complete = 1;
    p->host.name = h->name ? strdup(h->name) : NULL;
    p->expected = expected_parts(s, h->target_index);
    p->next = s->pending;
    s->pending = p;
    return p;
}

static void drop_pending(struct ps_scan *s, struct pending *p)
{
    struct pending **pp = &s->pending;
    while (*pp != p)
        pp = &(*pp)->next;
    *pp = p->next;
    free((char *)p->host.name);
    free(p->ports);
    free(p);
}

/* Adds part h of a host to what the other workers reported. */
static int merge_part(struct pending *p, const struct ps_scan_host *h)
{
    size_t need = p->host.port_count + h->port_count;

    struct ps_port_result *grown =
        ps__grow_array(p->ports, &p->cap, need, sizeof *grown);
    if (!grown)
        return PS_ENOMEM;
    p->ports = grown;
    if (h->port_count)
        memcpy(p->ports + p->host.port_count, h->ports,
               h->port_count * sizeof *h->ports);
    p->host.port_count = need;
    p->host.complete &= h->complete;
    p->host.timed_out |= h->timed_out;
    if (h->start_us && (!p->host.start_us || h->start_us < p->host.start_us))
        p->host.start_us = h->start_us;
    if (h->end_us > p->host.end_us)
        p->host.end_us = h->end_us;
    if (!p->host.srtt_us)
        p->host.srtt_us = h->srtt_us, p->host.rttvar_us = h->rttvar_us,
        p->host.timeout_us = h->timeout_us;
    p->parts++;
    return 0;
}

static void on_worker_host(void *ud, const struct ps_scan_host *h)
{
    struct worker *w = ud;
    struct ps_scan *s = w->scan;
    struct pending *p;

    pthread_mutex_lock(&s->lock);
    if (s->by_host) {
        s->hosts_up++;
        if (s->cfg->on_host)
            s->cfg->on_host(s->cfg->ud, h);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    p = find_pending(s, h);
    if (!p || merge_part(p, h) < 0) {
        s->failed = 1;
        s->stop = 1;
        snprintf(s->error, sizeof s->error, "out of memory");
    } else if (p->parts == p->expected) {
        emit(s, p, 1);
        drop_pending(s, p);
    }
    pthread_mutex_unlock(&s->lock);
}

void ps_scan_config_init(struct ps_scan_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->types = PS_SCAN_CONNECT;
    cfg->timing.template_level = 3;
    cfg->timing.max_retries = -1;
    cfg->source_port = -1;
}

/* Above the usual ephemeral range's start, and below its end by room for
 * every thread: a port the kernel is unlikely to hand to a connection of
 * its own while the scan runs. */
static uint16_t random_sport_base(void)
{
    uint32_t r = 0;

    if (getrandom(&r, sizeof r, 0) != sizeof r)
        r = (uint32_t)ps__wall_us();
    return (uint16_t)(40000 + r % (60000 - 40000 - PS_SCAN_MAX_THREADS));
}

static void worker_config(struct ps_scan *s, unsigned t)
{
    const struct ps_scan_config *cfg = s->cfg;
    struct worker *w = &s->workers[t];
    unsigned k = cfg->shard_count > 1 ? cfg->shard_index : 1;
    unsigned n = cfg->shard_count > 1 ? cfg->shard_count : 1;

    w->scan = s;
    w->cfg = *cfg;
    if (!s->by_host) {
        w->cfg.shard_index = k + n * t;
        w->cfg.shard_count = n * s->count;
    }
    w->cfg.on_host = on_worker_host;
    w->cfg.on_progress = NULL;
    w->cfg.ud = w;
    /* Limits for the whole scan are split among the workers (never above
     * the whole: pick_threads keeps the workers within max_parallelism). */
    w->cfg.timing.max_rate = cfg->timing.max_rate / s->count;
    w->cfg.timing.min_rate = cfg->timing.min_rate / s->count;
    if (cfg->timing.max_parallelism)
        w->cfg.timing.max_parallelism = cfg->timing.max_parallelism / s->count;
    if (cfg->timing.min_parallelism)
        w->cfg.timing.min_parallelism =
            cfg->timing.min_parallelism / s->count
                ? cfg->timing.min_parallelism / s->count : 1;
    /* Raw probes: each worker its own source port, so that its capture
     * filter passes its own answers only. */
    if (cfg->source_port < 0)
        w->cfg.source_port = s->sport_base + (int)t;
    /* Each worker walks its own order; with --seed, still reproducible. */
    w->cfg.seed = cfg->seed + t * 0x9e3779b97f4a7c15ull;
}

int ps_scan_new(const struct ps_scan_config *cfg, struct ps_scan **out)
{
    struct ps_scan *s;
    int rc = 0;

    if (out)
        *out = NULL;
    if (!cfg || !out || ps__check_config(cfg) < 0)
        return PS_EINVAL;
    s = calloc(1, sizeof *s);
    if (!s)
        return PS_ENOMEM;
    s->cfg = cfg;
    s->count = pick_threads(cfg);
    s->sport_base = random_sport_base();
    s->by_host = s->count > 1 &&
                 ps_targets_count(cfg->targets) >= 2ull * s->count;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* as the waits */
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->done_cond, &attr);
    pthread_condattr_destroy(&attr);
    for (unsigned t = 0; t < s->count && rc == 0; t++) {
        worker_config(s, t);
        rc = ps__engine_new(&s->workers[t].cfg, s->count, &s->stop,
                            s->by_host ? s->count : 1, s->by_host ? t : 0,
                            &s->workers[t].engine);
    }
    if (rc < 0) {
        ps_scan_free(s);
        return rc;
    }
    s->pair_count = s->workers[0].engine->pair_count;
    *out = s;
    return 0;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct ps_scan *s = w->scan;

    w->rc = ps__engine_run(w->engine);
    pthread_mutex_lock(&s->lock);
    if (w->rc < 0 && !s->failed) {
        s->failed = 1;
        snprintf(s->error, sizeof s->error, "%s",
                 w->engine->error[0] ? w->engine->error : ps_strerror(w->rc));
    }
    if (w->rc < 0)
        s->stop = 1; /* one failed: the others stop too */
    s->done++;
    pthread_cond_signal(&s->done_cond);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Totals of every worker, read while they run. */
static void aggregate(const struct ps_scan *s, struct ps_scan_progress *pr)
{
    memset(pr, 0, sizeof *pr);
    for (unsigned t = 0; t < s->count; t++) {
        struct ps__scan *e = s->workers[t].engine;
        pr->pairs_total += e->pairs_total;
        pr->pairs_done += __atomic_load_n(&e->pub.pairs_done, __ATOMIC_RELAXED);
        pr->probes_sent += __atomic_load_n(&e->pub.probes_sent, __ATOMIC_RELAXED);
        pr->in_flight += __atomic_load_n(&e->pub.in_flight, __ATOMIC_RELAXED);
        pr->window += __atomic_load_n(&e->pub.window, __ATOMIC_RELAXED);
    }
}

static void progress(struct ps_scan *s, int64_t now, int force)
{
    const struct ps_scan_config *cfg = s->cfg;
    struct ps_scan_progress pr;

    if (!cfg->on_progress || cfg->progress_interval_us <= 0 ||
        (!force && now < s->next_progress_us))
        return;
    s->next_progress_us = now + cfg->progress_interval_us;
    aggregate(s, &pr);
    if (now > s->rate_us) {
        double recent = (double)(pr.probes_sent - s->rate_sent) * 1e6 /
                        (double)(now - s->rate_us);
        s->rate = s->rate_sent == 0 ? recent : 0.7 * s->rate + 0.3 * recent;
        s->rate_us = now;
        s->rate_sent = pr.probes_sent;
    }
    pr.rate = s->rate;
    pr.hosts_done = s->hosts_up;
    pr.elapsed_us = now - s->start_us;
    pr.eta_us = -1;
    if (pr.pairs_done > 0 && pr.pairs_total > pr.pairs_done)
        pr.eta_us = (int64_t)((double)pr.elapsed_us *
                              (double)(pr.pairs_total - pr.pairs_done) /
                              (double)pr.pairs_done);
    else if (pr.pairs_total && pr.pairs_done >= pr.pairs_total)
        pr.eta_us = 0;
    cfg->on_progress(cfg->ud, &pr);
}

/* Waits for the workers, reporting progress meanwhile. */
static void monitor(struct ps_scan *s, unsigned started)
{
    pthread_mutex_lock(&s->lock);
    while (s->done < started) {
        int64_t now = ps__now_us(), wake = now + 200000;
        if (s->cfg->on_progress && s->next_progress_us < wake)
            wake = s->next_progress_us;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t ns = (int64_t)ts.tv_nsec + (wake > now ? wake - now : 0) * 1000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&s->done_cond, &s->lock, &ts);
        pthread_mutex_unlock(&s->lock);
        progress(s, ps__now_us(), 0);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
}

int ps_scan_run(struct ps_scan *s)
{
    unsigned started = 0;

    if (!s || s->ran)
        return PS_ESTATE;
    s->ran = 1;
    s->start_us = s->rate_us = ps__now_us();
    s->next_progress_us = s->start_us + s->cfg->progress_interval_us;
    for (; started < s->count; started++)
        if (pthread_create(&s->workers[started].thread, NULL, worker_main,
                           &s->workers[started]) != 0)
            break;
    if (started < s->count) {
        s->failed = 1;
        s->stop = 1;
        snprintf(s->error, sizeof s->error, "cannot start a scan thread");
    }
    monitor(s, started);
    for (unsigned t = 0; t < started; t++)
        pthread_join(s->workers[t].thread, NULL);
    /* Hosts some worker left unfinished (a stop): hand out what is known. */
    while (s->pending) {
        emit(s, s->pending, 0);
        drop_pending(s, s->pending);
    }
    progress(s, ps__now_us(), 1);
    s->end_us = ps__wall_us();
    for (unsigned t = 0; t < s->count; t++)
        if (s->workers[t].rc < 0)
            return s->workers[t].rc;
    return s->failed ? PS_ENOMEM : 0;
}

void ps_scan_stop(struct ps_scan *s)
{
    if (s)
        s->stop = 1;
}

const char *ps_scan_type_name(const struct ps_scan *s)
{
    const struct ps__scan *e = s ? s->workers[0].engine : NULL;
    return e && e->module_count ? e->modules[0]->nmap_type : "";
}

void ps_scan_get_summary(const struct ps_scan *s, struct ps_scan_summary *out)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return;
    out->end_us = s->end_us;
    out->hosts_up = out->hosts_total = s->hosts_up;
    out->interrupted = s->failed || s->stop;
    for (unsigned t = 0; t < s->count; t++) {
        const struct ps__scan *e = s->workers[t].engine;
        if (!e)
            continue;
        out->probes_sent += e->probes_sent;
        out->interrupted |= e->stopping || e->failed;
    }
    out->error = s->error[0] ? s->error : NULL;
}

void ps_scan_free(struct ps_scan *s)
{
    if (!s)
        return;
    for (unsigned t = 0; t < s->count; t++)
        ps__engine_free(s->workers[t].engine);
    while (s->pending)
        drop_pending(s, s->pending);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->done_cond);
    free(s);
}
