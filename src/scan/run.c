/* The main loop of a scan: time out what is overdue, send what the window
 * and the rate allow, wait for answers, repeat until every pair is
 * decided or the scan is stopped. */
#include <stdio.h>
#include <string.h>

#include "portscope/error.h"
#include "scan/engine.h"

static struct ps__probe *probe_get(struct ps__scan *scan)
{
    struct ps__probe *p = scan->free_probes;

    if (p) {
        scan->free_probes = p->next_free;
        memset(p, 0, sizeof *p);
        p->in_use = 1;
    }
    return p;
}

static void probe_put(struct ps__scan *scan, struct ps__probe *p)
{
    ps__lookup_probe_gone(scan, p);
    ps__rounds_probe_gone(p);
    p->in_use = 0;
    p->next_free = scan->free_probes;
    scan->free_probes = p;
}

#define STOP_GRACE_US 500000
/* How long to wait when the system has no descriptor or port to give
 * and no probe of ours is in flight. */
#define RESOURCE_PAUSE_US 20000
/* The earliest early look (see early_look). */
#define EARLY_MIN_US 10000
/* Most probes sent between two looks at the answers. */
#define SEND_BURST 64
/* Most tries of a pair, whatever else allows (tries no one vouched for
 * do not count toward --max-retries; see rounds.c). */
#define TRY_CAP 200

int ps__host_expired(const struct ps__scan *scan, struct ps__host *h, int64_t now)
{
    int64_t limit = scan->timing.host_timeout_us;

    if (!h->timed_out && limit > 0 && h->first_send_us &&
        now - h->first_send_us >= limit)
        h->timed_out = 1;
    return h->timed_out;
}

void ps__probe_release(struct ps__scan *scan, struct ps__probe *p, int abandon)
{
    unsigned m = scan->pairs[p->port_idx].module;

    ps__heap_remove(scan, p);
    scan->in_flight--;
    if (abandon)
        scan->modules[m]->abandon(scan->module_state[m], p);
    probe_put(scan, p);
}

/* Withdraws the other probe of p's pair: p has decided it. */
static void drop_twin(struct ps__scan *scan, struct ps__probe *p)
{
    struct ps__probe *t = p->twin;

    if (!t)
        return;
    unsigned m = scan->pairs[t->port_idx].module;
    ps__heap_remove(scan, t);
    scan->in_flight--;
    scan->modules[m]->abandon(scan->module_state[m], t);
    t->twin = p->twin = NULL;
    probe_put(scan, t);
}

static void set_deadlines(struct ps__scan *scan, struct ps__probe *p,
                          int64_t now);

/* The tries of p's pair before p that count: all of them, but for a
 * module whose errors are rate-limited only those vouched for (rounds.c). */
static uint8_t tries_counted(const struct ps__scan *scan, const struct ps__probe *p)
{
    return scan->modules[scan->pairs[p->port_idx].module]->errors_limited
               ? p->valid : p->tryno;
}

/* The first round-trip sample of the scan: the probes sent before it
 * were given the template's initial timeout (a second at -T3), far
 * beyond what the path needs, and a silent port among them would hold
 * the end of the scan by that much. Their deadlines are set again from
 * the sample, as if it had been known when they were sent. Before the
 * first answer no more than the initial window is out, so this is cheap,
 * and it happens once per worker. */
static void retime_in_flight(struct ps__scan *scan, const struct ps__probe *answered)
{
    struct ps__probe *out[256];
    unsigned n = 0;

    for (unsigned i = 0; i < scan->heap_len && n < 256; i++)
        if (scan->heap[i] != answered)
            out[n++] = scan->heap[i];
    for (unsigned i = 0; i < n; i++) {
        ps__heap_remove(scan, out[i]);
        set_deadlines(scan, out[i], out[i]->sent_us);
        ps__heap_push(scan, out[i]);
    }
}

void ps__scan_answer(struct ps__scan *scan, struct ps__probe *p,
                     enum ps_port_state state, enum ps_port_reason reason,
                     uint8_t ttl)
{
    struct ps__host *h = p->host;
    int64_t now = ps__now_us(), rtt = now - p->sent_us;

    if (!p->in_use)
        return; /* withdrawn earlier in this batch of events */
    if (ps__rounds_on_answer(scan, p, state))
        return; /* a canary */
    drop_twin(scan, p);
    ps__heap_remove(scan, p);
    scan->in_flight--;
    h->last_answer_us = now;
    if (p->tryno == 0) {
        /* Only first tries give round-trip times (Karn); a connect
         * probe's answer is its own even while a twin is out. */
        int first_sample = scan->global_srtt_us == 0;
        ps__rtt_sample(&h->srtt_us, &h->rttvar_us, rtt);
        ps__rtt_sample(&scan->global_srtt_us, &scan->global_rttvar_us, rtt);
        ps__window_on_answer(&scan->window);
        if (first_sample)
            retime_in_flight(scan, p);
    } else if (tries_counted(scan, p) > 0) { /* an earlier try was lost */
        if (tries_counted(scan, p) > h->max_answered_try)
            h->max_answered_try = tries_counted(scan, p);
        ps__window_on_loss(&scan->window, now,
                           h->srtt_us ? h->srtt_us : rtt);
    }
    /* Released before the decision, which may free the host. */
    uint32_t port_idx = p->port_idx;
    uint8_t tries = (uint8_t)(p->tryno + 1);
    probe_put(scan, p);
    ps__host_decide(scan, h, port_idx, state, reason, tries, (float)rtt / 1000.0f, ttl);
}

/* Releases every probe still in flight, deciding nothing: after a stop
 * their ports stay unknown. */
void ps__scan_abandon_in_flight(struct ps__scan *scan)
{
    while (scan->heap_len) {
        struct ps__probe *p = scan->heap[scan->heap_len - 1];
        unsigned m = scan->pairs[p->port_idx].module;
        scan->heap_len--;
        scan->modules[m]->abandon(scan->module_state[m], p);
        probe_put(scan, p);
    }
    scan->in_flight = 0;
}

/* Tries allowed for a pair of host h: one more than the host has ever
 * needed, within --max-retries (nmap's rule). */
static unsigned tries_allowed(const struct ps__scan *scan,
                              const struct ps__host *h)
{
    unsigned want = (unsigned)h->max_answered_try + 2;
    unsigned cap = (unsigned)scan->timing.max_retries + 1;
    return want < cap ? want : cap;
}

static int send_one(struct ps__scan *scan, const struct ps__retry *r,
                    int64_t now, struct ps__probe *twin_of);

/* The early look at a first probe still unanswered well past the host's
 * round-trip time, while the timeout floor (--min-rtt-timeout) keeps it
 * alive: its retry goes out now instead of at the timeout, and the two
 * race. The port is still called filtered only when neither has answered
 * within a full timeout of the retry, so nothing is decided sooner than
 * nmap's rule allows; only the wait for the retry is overlapped. Without
 * this, the last silent ports of a scan cost two full timeouts each. */
static void early_look(struct ps__scan *scan, struct ps__probe *p,
                       int64_t now)
{
    struct ps__host *h = p->host;
    struct ps__retry r = {.host = h, .port_idx = p->port_idx,
                          .tryno = (uint8_t)(p->tryno + 1), .valid = p->valid};

    p->early_done = 1;
    p->deadline_us = p->final_us;
    ps__heap_push(scan, p);
    /* A host in rounds gets its retries there. */
    if (p->twin || scan->stopping || ps__host_expired(scan, h, now) ||
        ps__rounds_wanted(scan, h, p->port_idx) ||
        (unsigned)tries_counted(scan, p) + 1 >= tries_allowed(scan, h) ||
        scan->in_flight >= scan->probe_cap)
        return;
    send_one(scan, &r, now, p); /* may answer at once and decide the pair */
}

/* A pair waits for its next try: in its host's rounds, if it has them. */
static int requeue(struct ps__scan *scan, const struct ps__retry *r)
{
    if (ps__rounds_wanted(scan, r->host, r->port_idx))
        return ps__rounds_hold(scan, r);
    return ps__retry_push(&scan->retries, r);
}

enum ps_port_state ps__silent_state(const struct ps__probe_module *m)
{
    return m->silent_state ? (enum ps_port_state)m->silent_state : PS_PORT_FILTERED;
}

static int expire_one(struct ps__scan *scan, struct ps__probe *p, int64_t now)
{
    struct ps__host *h = p->host;
    unsigned m = scan->pairs[p->port_idx].module;
    int rc = 0;

    ps__heap_remove(scan, p);
    if (!p->early_done) {
        early_look(scan, p, now);
        return 0;
    }
    scan->in_flight--;
    scan->modules[m]->abandon(scan->module_state[m], p);
    /* A timeout alone does not shrink the window: a firewall that drops
     * most ports would otherwise bring it down to one probe, with no
     * answer ever to grow it back. Loss shows as an answer to a retry
     * (ps__scan_answer), as nmap reads it. While a host has shown no loss,
     * a silent port counts as an answer (silence is what its firewall
     * says), so a mostly filtered host is not scanned a few probes at a
     * time; once it has lost a probe, only real answers open the window. */
    if (p->canary) {
        probe_put(scan, p);
        ps__rounds_canary_gone(scan, h);
        return 0;
    }
    if (h->max_answered_try == 0)
        ps__window_on_answer(&scan->window);
    int counted = ps__rounds_counts(scan, p);
    struct ps__retry r = {.host = h, .port_idx = p->port_idx,
                          .tryno = (uint8_t)(p->tryno + 1),
                          .valid = (uint8_t)(p->valid + counted)};
    if (p->twin) {
        /* Its retry is out and decides the pair. */
        if (r.valid > p->twin->valid)
            p->twin->valid = r.valid;
        p->twin->twin = NULL;
        probe_put(scan, p);
        return 0;
    }
    unsigned count = scan->modules[m]->errors_limited ? r.valid : r.tryno;
    /* Released before any decision, which may free the host. */
    probe_put(scan, p);
    if (ps__host_expired(scan, h, now))
        ps__host_decide(scan, h, r.port_idx, PS_PORT_UNKNOWN, PS_REASON_HOST_TIMEOUT,
                        r.tryno, -1, 0);
    else if (!counted && r.tryno < TRY_CAP)
        rc = ps__rounds_hold(scan, &r); /* silence no one vouched for */
    else if (count < tries_allowed(scan, h) && r.tryno < TRY_CAP)
        rc = requeue(scan, &r);
    else
        ps__host_decide(scan, h, r.port_idx, ps__silent_state(scan->modules[m]),
                        PS_REASON_NO_RESPONSE, r.tryno, -1, 0);
    return rc;
}

static int expire(struct ps__scan *scan, int64_t now)
{
    struct ps__probe *p;

    while ((p = ps__heap_top(scan)) && p->deadline_us <= now) {
        int rc = expire_one(scan, p, now);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Token bucket for --max-rate (and scan delays); a burst of at most a
 * millisecond's worth, so the rate holds at any scale of time. */
int ps__rate_allows(struct ps__scan *scan, int64_t now)
{
    double rate = scan->timing.max_rate;

    if (rate <= 0)
        return 1;
    double burst = rate / 1000 > 1 ? rate / 1000 : 1;
    scan->tokens += (double)(now - scan->tokens_us) * rate / 1e6;
    scan->tokens_us = now;
    if (scan->tokens > burst)
        scan->tokens = burst;
    return scan->tokens >= 1;
}

/* --min-rate: when the scan is behind, send even beyond the window. */
static int behind_min_rate(const struct ps__scan *scan, int64_t now)
{
    double rate = scan->timing.min_rate;
    return rate > 0 &&
           (double)scan->probes_sent < (double)(now - scan->start_us) * rate / 1e6;
}

static int window_open(struct ps__scan *scan, int64_t now)
{
    if (now < scan->resource_wait_until_us)
        return 0;
    if (scan->in_flight >= scan->probe_cap)
        return 0;
    if (scan->in_flight < (unsigned)scan->window.cwnd)
        return 1;
    return behind_min_rate(scan, now);
}

/* The next pair to probe: a retry first, else a new pair. Returns 1, 0
 * when there is nothing to send now, or a negative code. */
static int next_pair(struct ps__scan *scan, int64_t now, struct ps__retry *r)
{
    int rc;

    while (ps__retry_pop(&scan->retries, r)) {
        if (ps__host_take_answer(scan, r))
            continue;
        if (ps__host_expired(scan, r->host, now))
            ps__host_decide(scan, r->host, r->port_idx, PS_PORT_UNKNOWN,
                            PS_REASON_HOST_TIMEOUT, r->tryno, -1, 0);
        else if (ps__rounds_wanted(scan, r->host, r->port_idx)) {
            if ((rc = ps__rounds_hold(scan, r)) < 0)
                return rc;
        } else
            return 1;
    }
    for (;;) {
        rc = ps__hosts_next_pair(scan, &r->host, &r->port_idx);
        if (rc <= 0)
            return rc;
        r->tryno = r->valid = 0;
        if (ps__host_expired(scan, r->host, now))
            ps__host_decide(scan, r->host, r->port_idx, PS_PORT_UNKNOWN,
                            PS_REASON_HOST_TIMEOUT, 0, -1, 0);
        else if (ps__rounds_wanted(scan, r->host, r->port_idx)) {
            /* The host's first tries wait for its rounds too. */
            if ((rc = ps__rounds_hold(scan, r)) < 0)
                return rc;
        } else
            return 1;
    }
}

/* When to take the early look at a first probe: well past the host's
 * round-trip time, if that is far below the timeout; 0 for no early look. */
static int64_t early_after(const struct ps__scan *scan,
                           const struct ps__host *h, int64_t timeout)
{
    int64_t rtt_to, early;

    (void)scan;
    if (!h->srtt_us)
        return 0;
    rtt_to = h->srtt_us + 4 * h->rttvar_us;
    early = 2 * rtt_to > EARLY_MIN_US ? 2 * rtt_to : EARLY_MIN_US;
    return early * 2 <= timeout ? early : 0;
}

static void set_deadlines(struct ps__scan *scan, struct ps__probe *p,
                          int64_t now)
{
    struct ps__host *h = p->host;
    int64_t to = ps__probe_timeout(scan, h), early;

    p->final_us = now + to;
    /* --host-timeout: no probe outlives its host's time. */
    if (scan->timing.host_timeout_us > 0 &&
        p->final_us > h->first_send_us + scan->timing.host_timeout_us)
        p->final_us = h->first_send_us + scan->timing.host_timeout_us;
    early = p->tryno == 0 ? early_after(scan, h, to) : 0;
    p->early_done = early == 0 || now + early >= p->final_us;
    p->deadline_us = p->early_done ? p->final_us : now + early;
}

/* Sends one probe for r (a second one for the pair of twin_of when that
 * is set; a canary of its host's rounds when canary is). Returns 1 when
 * sent, 0 when a local resource ran out, or a negative code. */
static int send_probe(struct ps__scan *scan, const struct ps__retry *r,
                      int64_t now, struct ps__probe *twin_of, int canary)
{
    struct ps__probe *p = probe_get(scan);
    const struct ps__pair_port *pp = &scan->pairs[r->port_idx];
    int rc;

    p->host = r->host;
    p->port_idx = r->port_idx;
    p->tryno = r->tryno;
    p->valid = r->valid;
    p->sent_us = now;
    if (!r->host->start_us) {
        r->host->start_us = ps__wall_us();
        r->host->first_send_us = now;
    }
    set_deadlines(scan, p, now);
    if (canary) {
        ps__rounds_canary_sent(r->host, p);
        p->deadline_us = p->final_us;
    }
    if (twin_of) {
        p->twin = twin_of;
        twin_of->twin = p;
    }
    ps__heap_push(scan, p);
    ps__lookup_probe_sent(scan, p);
    ps__flight_add(r->host, p);
    ps__rounds_probe_sent(scan, p);
    scan->in_flight++;
    scan->probes_sent++;
    if (scan->timing.max_rate > 0)
        scan->tokens -= 1;
    scan->sending = 1;
    rc = scan->modules[pp->module]->send(scan->module_state[pp->module], p,
                                          &r->host->ip, pp->port);
    scan->sending = 0;
    if (rc == 0)
        return 1;
    /* Not sent: undo. */
    if (p->in_use) {
        if (p->twin)
            p->twin->twin = NULL;
        ps__heap_remove(scan, p);
        scan->in_flight--;
        probe_put(scan, p);
    }
    scan->probes_sent--;
    if (rc != PS_ELIMIT)
        return rc;
    ps__window_on_resource(&scan->window, scan->in_flight);
    /* Nothing in flight to free a descriptor or a port: the system is
     * short of them for other reasons; wait a little instead of spinning. */
    if (scan->in_flight == 0)
        scan->resource_wait_until_us = now + RESOURCE_PAUSE_US;
    return 0;
}

int ps__scan_send(struct ps__scan *scan, const struct ps__retry *r,
                  int64_t now, int canary)
{
    return send_probe(scan, r, now, NULL, canary);
}

/* send_probe, and when a resource ran out the pair waits again (unless
 * it was a twin: the first probe is still out). */
static int send_one(struct ps__scan *scan, const struct ps__retry *r,
                    int64_t now, struct ps__probe *twin_of)
{
    int rc = send_probe(scan, r, now, twin_of, 0);

    if (rc != 0 || twin_of)
        return rc;
    rc = requeue(scan, r);
    return rc < 0 ? rc : 0;
}

/* Sends what the window and rate allow. Returns 1 if the scan may still
 * have pairs to send, 0 when every pair has been handed out, or a
 * negative code. */
static int fill(struct ps__scan *scan, int64_t now)
{
    struct ps__retry r;
    unsigned burst = 0;

    /* A bounded burst, then back to the loop for answers: sending
     * thousands of probes in one go would delay the answers to the first
     * ones, which then look slow (or lost) when they were not. */
    while (burst++ < SEND_BURST && window_open(scan, now) &&
           ps__rate_allows(scan, now)) {
        int rc = next_pair(scan, now, &r);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            scan->pairs_exhausted = 1;
            return 0;
        }
        rc = send_one(scan, &r, now, NULL);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return 1; /* out of resources: wait for answers */
    }
    return 1;
}

/* Lets batching modules send what they queued during this step. */
static void flush_modules(struct ps__scan *scan)
{
    for (unsigned m = 0; m < scan->module_count; m++)
        if (scan->modules[m]->flush)
            scan->modules[m]->flush(scan->module_state[m]);
}

/* Counters the monitoring thread reads while the worker runs. */
static void publish(struct ps__scan *scan)
{
    __atomic_store_n(&scan->pub.pairs_done, scan->pairs_done, __ATOMIC_RELAXED);
    __atomic_store_n(&scan->pub.probes_sent, scan->probes_sent,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&scan->pub.in_flight, scan->in_flight, __ATOMIC_RELAXED);
    __atomic_store_n(&scan->pub.window, (unsigned)scan->window.cwnd,
                     __ATOMIC_RELAXED);
}

static int64_t min_wait(int64_t a, int64_t b)
{
    return a < 0 ? b : (b < 0 ? a : (a < b ? a : b));
}

/* Until --max-rate allows the next probe. */
static int64_t token_wait_us(const struct ps__scan *scan)
{
    double need = (1 - scan->tokens) * 1e6 / scan->timing.max_rate;
    return need > 0 ? (int64_t)need + 1 : 0;
}

/* How long the loop may sleep: until the next timeout, progress report,
 * end of the stop grace, or token for a rate-limited send. */
static int64_t wait_us(struct ps__scan *scan, int64_t now)
{
    struct ps__probe *top = ps__heap_top(scan);
    int64_t wait = -1;

    if (top)
        wait = top->deadline_us > now ? top->deadline_us - now : 0;
    /* A due round waits for a token, or for a probe slot (the heap's
     * next deadline frees one). */
    if (!scan->stopping && scan->round_len && scan->in_flight < scan->probe_cap) {
        int64_t next = ps__rounds_next_us(scan);
        if (next <= now && scan->timing.max_rate > 0 && scan->tokens < 1)
            next = now + token_wait_us(scan);
        wait = min_wait(wait, next > now ? next - now : 0);
    }
    if (scan->stopping)
        wait = min_wait(wait, scan->stop_deadline_us > now
                                  ? scan->stop_deadline_us - now : 0);
    else if (now < scan->resource_wait_until_us)
        wait = min_wait(wait, scan->resource_wait_until_us - now);
    else if ((!scan->pairs_exhausted || scan->retries.count) &&
             window_open(scan, now) && scan->timing.max_rate > 0) {
        wait = min_wait(wait, token_wait_us(scan));
    }
    /* Never sleep long without looking at the stop flag: a signal may
     * arrive between the check and epoll_wait. */
    return min_wait(wait, 200000);
}

static int finished(const struct ps__scan *scan, int64_t now)
{
    if (scan->stopping)
        return scan->in_flight == 0 || now >= scan->stop_deadline_us;
    return scan->pairs_exhausted && scan->retries.count == 0 &&
           scan->in_flight == 0 && scan->held_total == 0;
}

/* Handles every answer that has arrived, so that none is mistaken for a
 * timeout just because the loop was busy (or descheduled) when it came. */
static int drain(struct ps__scan *scan, int64_t timeout_us)
{
    int rc = ps__loop_poll(scan->loop, timeout_us);

    while (rc == PS__LOOP_BATCH)
        rc = ps__loop_poll(scan->loop, 0);
    return rc < 0 ? PS_EIO : 0;
}

static int step(struct ps__scan *scan)
{
    int64_t now = ps__now_us();
    int rc;

    if ((scan->stop_requested || *scan->stop_shared) && !scan->stopping) {
        scan->stopping = 1;
        scan->stop_deadline_us = now + STOP_GRACE_US;
    }
    if ((rc = drain(scan, 0)) < 0)
        return rc;
    if (scan->deferred_rc < 0)
        return scan->deferred_rc;
    now = ps__now_us();
    if ((rc = expire(scan, now)) < 0)
        return rc;
    if (!scan->stopping && (rc = ps__rounds_run(scan, now)) < 0)
        return rc;
    if (!scan->stopping && (rc = fill(scan, now)) < 0)
        return rc;
    flush_modules(scan);
    publish(scan);
    if (finished(scan, now))
        return 0;
    if (scan->stopping || !window_open(scan, now) || scan->pairs_exhausted ||
        !ps__rate_allows(scan, now))
        return drain(scan, wait_us(scan, now)) < 0 ? PS_EIO : 1;
    return 1;
}

/* The modules' sockets and captures go as soon as this worker is done:
 * closing a packet socket waits for an RCU grace period (some 20 ms), and
 * each worker thread closing its own lets those waits overlap instead of
 * adding up in ps_scan_free(). */
static void close_modules(struct ps__scan *scan)
{
    for (unsigned m = 0; m < scan->module_count; m++) {
        if (scan->module_state[m])
            scan->modules[m]->close(scan->module_state[m]);
        scan->module_state[m] = NULL;
    }
}

int ps__engine_run(struct ps__scan *scan)
{
    int rc;

    if (scan->ran)
        return PS_ESTATE;
    scan->ran = 1;
    scan->start_us = scan->tokens_us = ps__now_us();
    while ((rc = step(scan)) > 0)
        ;
    if (rc < 0) {
        scan->failed = 1;
        if (!scan->error[0])
            snprintf(scan->error, sizeof scan->error, "%s", ps_strerror(rc));
    }
    ps__scan_abandon_in_flight(scan);
    if (scan->stopping || rc < 0)
        ps__hosts_flush(scan);
    if (scan->late_answers)
        ps__scan_log(scan, PS_LOG_DEBUG,
                     "%llu answers came after their probe timed out and still "
                     "counted (late answers)", (unsigned long long)scan->late_answers);
    close_modules(scan);
    publish(scan);
    scan->end_us = ps__wall_us();
    return rc;
}
