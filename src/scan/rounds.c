/* A UDP scan that stays exact under the target's ICMP rate limit.
 *
 * The answers that call a UDP port closed (port unreachable) or filtered
 * (admin-prohibited) are ICMP errors, and every common system rate-limits
 * those: Linux sends one a second to each destination after a burst of
 * six (IPv6: one every quarter second on a /64 route). A probe that meets
 * the empty bucket gets no answer and looks just like an open|filtered
 * port. Two things keep such silence from deciding anything:
 *
 * Witnesses. A silent try counts toward its pair's retries only when a
 * later probe to the same host, sent at most WITNESS_US after it, drew an
 * error: the bucket had a token for that later probe, so it had one when
 * the silent probe arrived (short of a refill in those few microseconds),
 * and a closed port would have used it. A probe sent REFILL_US after the
 * host's previous one vouches for itself (the bucket has refilled). A try
 * that no one vouches for does not count, whatever the number of tries so
 * far. While a host has sent no error at all, a try counts once REFILL_US
 * has passed since its first probe: before that its bucket may still be
 * empty from an earlier scan.
 *
 * Rounds. Once a host has had a try that no one vouched for, its pairs
 * (retries and first tries alike) wait in its queue and go out in rounds:
 * up to round_size() of them, then a canary, a new probe of a port that
 * has already answered with an error, whose answer vouches for the whole
 * round (with no slot or no port for a canary, the next round waits
 * REFILL_US instead). A round starts no sooner than the last canary is
 * back (or timed out) and round_us after the one before, and within
 * --max-rate. round_us doubles after a round
 * that drew no error and halves after one that drew three or more: the
 * rounds settle near the rate at which the target's bucket refills, while
 * a host that answers three quarters of a round or more goes on at the
 * speed of its round trip, with rounds that double in size.
 * A host that stays wholly silent for IDLE_ROUNDS rounds at the longest
 * interval is given up: its waiting ports get the silent state, as after
 * the retries, with a warning. */
#include <stdlib.h>

#include "portscope/error.h"
#include "scan/engine.h"

#define MS 1000
#define WITNESS_US (1 * MS)
#define ROUND_MIN_US (64 * MS)
#define ROUND_MAX_US (2048 * MS)
#define ROUND_FAST_SIZE 256   /* first size while the host answers every round */
#define IDLE_ROUNDS 10
/* How long an empty bucket takes to earn a token back, at most, among the
 * limits hosts ship with (Linux: 1 s). A probe sent that long after the
 * host's previous one finds a token whatever came before. */
#define REFILL_US (1000 * MS)
#define RESOURCE_PAUSE_US (20 * MS) /* no buffer or descriptor to send with */

struct ps__host_rounds {
    struct ps__retry_queue held;  /* pairs waiting for a round */
    struct ps__probe *canary;     /* in flight */
    int64_t round_us;             /* least time between two rounds */
    int64_t next_us;              /* no round before */
    uint32_t errs, answers;       /* since the last round began */
    uint32_t sent;                /* by the last round, besides its canary */
    uint32_t last_errs;           /* drawn by the round before */
    uint32_t rounds_run;
    uint32_t fast_size;           /* round size while round_us is 0 */
    uint32_t heap_pos;            /* in scan->round_heap, + 1; 0: not there */
    uint8_t idle;                 /* rounds in a row without any answer */
};

/* --- the host's probes in flight, in send order ------------------------- */

void ps__flight_add(struct ps__host *h, struct ps__probe *p)
{
    p->hnext = NULL;
    p->hprev = h->fl_tail;
    if (h->fl_tail)
        h->fl_tail->hnext = p;
    else
        h->fl_head = p;
    h->fl_tail = p;
}

void ps__flight_del(struct ps__probe *p)
{
    struct ps__host *h = p->host;

    if (p->hprev)
        p->hprev->hnext = p->hnext;
    else if (h->fl_head == p)
        h->fl_head = p->hnext;
    if (p->hnext)
        p->hnext->hprev = p->hprev;
    else if (h->fl_tail == p)
        h->fl_tail = p->hprev;
    p->hprev = p->hnext = NULL;
}

/* --- witnesses ------------------------------------------------------------ */

static const struct ps__probe_module *module_of(const struct ps__scan *scan,
                                                uint32_t port_idx)
{
    return scan->modules[scan->pairs[port_idx].module];
}

/* Each probe is marked once, so the walk costs O(1) a probe. */
static void vouch_before(struct ps__probe *p)
{
    for (struct ps__probe *q = p->hprev;
         q && !q->witnessed && p->wire_us - q->wire_us <= WITNESS_US;
         q = q->hprev)
        q->witnessed = 1;
}

/* A probe that left a refill period after the host's previous one found a
 * token: it vouches for itself. */
void ps__rounds_probe_sent(const struct ps__scan *scan, struct ps__probe *p)
{
    struct ps__host *h = p->host;

    if (!module_of(scan, p->port_idx)->errors_limited)
        return;
    p->wire_us = ps__now_us();
    if (h->last_wire_us && p->wire_us - h->last_wire_us >= REFILL_US)
        p->witnessed = 1;
    h->last_wire_us = p->wire_us;
}

/* While the host has sent no error, its bucket may still be empty from
 * before the scan (another scan of it, say): silence counts only once a
 * refill period has passed since the first probe. */
int ps__rounds_counts(const struct ps__scan *scan, const struct ps__probe *p)
{
    const struct ps__host *h = p->host;

    if (!module_of(scan, p->port_idx)->errors_limited || p->witnessed)
        return 1;
    return h->err_answers == 0 && p->sent_us - h->first_send_us >= REFILL_US;
}

int ps__rounds_wanted(const struct ps__scan *scan, const struct ps__host *h,
                      uint32_t port_idx)
{
    return h->rounds && module_of(scan, port_idx)->errors_limited;
}

int ps__rounds_on_answer(struct ps__scan *scan, struct ps__probe *p,
                         enum ps_port_state state)
{
    struct ps__host *h = p->host;
    struct ps__host_rounds *rd = h->rounds;
    /* An error our own host made up in send() (a local firewall, no
     * route) says nothing about the target's bucket. */
    int error = state != PS_PORT_OPEN && !scan->sending;

    if (!module_of(scan, p->port_idx)->errors_limited)
        return 0;
    if (rd)
        rd->answers++;
    if (error) {
        h->err_answers++;
        if (rd)
            rd->errs++;
        /* With a twin out, the error may be the newer probe's, whose token
         * says nothing of what went before it. */
        if (!p->twin)
            vouch_before(p);
    }
    if (!p->canary) {
        if (error)
            h->canary_pair = p->port_idx + 1;
        return 0;
    }
    if (!error) /* the port changed: it answers now */
        h->canary_pair = 0;
    ps__probe_release(scan, p, 0);
    ps__rounds_canary_gone(scan, h);
    return 1;
}

/* --- the heap of hosts by the time of their next round -------------------- */

static void heap_place(struct ps__scan *scan, unsigned pos, struct ps__host *h)
{
    scan->round_heap[pos] = h;
    h->rounds->heap_pos = pos + 1;
}

static void heap_up(struct ps__scan *scan, unsigned pos)
{
    struct ps__host *h = scan->round_heap[pos];

    while (pos > 0) {
        unsigned parent = (pos - 1) / 2;
        if (scan->round_heap[parent]->rounds->next_us <= h->rounds->next_us)
            break;
        heap_place(scan, pos, scan->round_heap[parent]);
        pos = parent;
    }
    heap_place(scan, pos, h);
}

static void heap_down(struct ps__scan *scan, unsigned pos)
{
    struct ps__host *h = scan->round_heap[pos];

    for (;;) {
        unsigned c = 2 * pos + 1;
        if (c >= scan->round_len)
            break;
        if (c + 1 < scan->round_len &&
            scan->round_heap[c + 1]->rounds->next_us < scan->round_heap[c]->rounds->next_us)
            c++;
        if (scan->round_heap[c]->rounds->next_us >= h->rounds->next_us)
            break;
        heap_place(scan, pos, scan->round_heap[c]);
        pos = c;
    }
    heap_place(scan, pos, h);
}

static void heap_remove(struct ps__scan *scan, struct ps__host *h)
{
    unsigned pos = h->rounds->heap_pos - 1;
    struct ps__host *last = scan->round_heap[--scan->round_len];

    h->rounds->heap_pos = 0;
    if (pos == scan->round_len)
        return;
    heap_place(scan, pos, last);
    heap_up(scan, pos);
    heap_down(scan, last->rounds->heap_pos - 1);
}

static int heap_push(struct ps__scan *scan, struct ps__host *h)
{
    if (scan->round_len == scan->round_cap) {
        unsigned cap = scan->round_cap ? scan->round_cap * 2 : 64;
        struct ps__host **n = realloc(scan->round_heap, cap * sizeof *n);
        if (!n)
            return PS_ENOMEM;
        scan->round_heap = n;
        scan->round_cap = cap;
    }
    heap_place(scan, scan->round_len++, h);
    heap_up(scan, scan->round_len - 1);
    return 0;
}

/* Puts h in the heap when it has pairs waiting and no canary out (the
 * canary's return reschedules it). */
static int schedule(struct ps__scan *scan, struct ps__host *h)
{
    struct ps__host_rounds *rd = h->rounds;

    if (!rd->held.count || rd->canary || rd->heap_pos)
        return 0;
    return heap_push(scan, h);
}

/* --- holding pairs and running rounds ------------------------------------- */

int ps__rounds_hold(struct ps__scan *scan, const struct ps__retry *r)
{
    struct ps__host *h = r->host;
    int rc;

    if (!h->rounds) {
        h->rounds = calloc(1, sizeof *h->rounds);
        if (!h->rounds)
            return PS_ENOMEM;
        h->rounds->fast_size = ROUND_FAST_SIZE;
    }
    if ((rc = ps__retry_push(&h->rounds->held, r)) < 0)
        return rc;
    scan->held_total++;
    return schedule(scan, h);
}

void ps__rounds_probe_gone(struct ps__probe *p)
{
    struct ps__host_rounds *rd = p->host->rounds;

    ps__flight_del(p);
    if (p->canary && rd && rd->canary == p)
        rd->canary = NULL;
}

void ps__rounds_canary_gone(struct ps__scan *scan, struct ps__host *h)
{
    int rc;

    if (h->rounds && (rc = schedule(scan, h)) < 0)
        scan->deferred_rc = rc; /* out of memory: the loop fails the scan */
}

/* What the last round drew sets the pace of the next. */
static void adapt(struct ps__host_rounds *rd)
{
    if (rd->rounds_run == 0)
        return;
    if (rd->errs == 0)
        rd->round_us = rd->round_us ? rd->round_us * 2 : ROUND_MIN_US;
    else if (rd->round_us == 0 && 4 * rd->answers < 3 * rd->sent)
        rd->round_us = ROUND_MIN_US; /* a quarter unanswered: a limit */
    else if (rd->errs >= 3)
        rd->round_us /= 2;
    if (rd->round_us > ROUND_MAX_US)
        rd->round_us = ROUND_MAX_US;
    if (rd->round_us < ROUND_MIN_US && rd->errs >= 3)
        rd->round_us = 0;
    /* A host that answers every round at once: the rounds double, as a
     * window in slow start does, so that a long scan of it is not held to
     * a few hundred probes a round trip. */
    if (rd->round_us == 0 && rd->errs > 0)
        rd->fast_size = rd->fast_size < 65536 ? 2 * rd->fast_size : 65536;
    else
        rd->fast_size = ROUND_FAST_SIZE;
    rd->idle = rd->answers ? 0 : (uint8_t)(rd->idle + 1);
    rd->last_errs = rd->errs;
}

/* A round sends a few more probes than the errors the last one drew:
 * more would only meet the empty bucket. */
static unsigned round_size(const struct ps__host_rounds *rd)
{
    return rd->round_us == 0 ? rd->fast_size : 4 + 2 * rd->last_errs;
}

/* Decides every waiting pair of h: host timeout, or given up. The host
 * is pinned by the caller. */
static void settle_held(struct ps__scan *scan, struct ps__host *h,
                        enum ps_port_state state, enum ps_port_reason why)
{
    struct ps__retry r;

    while (ps__retry_pop(&h->rounds->held, &r)) {
        scan->held_total--;
        ps__host_decide(scan, h, r.port_idx, state, why, r.tryno, -1, 0);
    }
}

static int give_up(struct ps__scan *scan, struct ps__host *h)
{
    struct ps__host_rounds *rd = h->rounds;
    struct ps__retry r;
    char ip[64];

    ps_ip_format(&h->ip, ip, sizeof ip);
    ps__scan_log(scan, PS_LOG_WARN,
                 "%s: no answer at all for %u rounds; %zu waiting ports "
                 "called silent (open|filtered for UDP)",
                 ip, (unsigned)rd->idle, rd->held.count);
    while (ps__retry_pop(&rd->held, &r)) {
        scan->held_total--;
        if (!ps__host_take_answer(scan, &r))
            ps__host_decide(scan, h, r.port_idx, ps__silent_state(module_of(scan, r.port_idx)),
                            PS_REASON_NO_RESPONSE, r.tryno, -1, 0);
    }
    return 0;
}

static int send_round(struct ps__scan *scan, struct ps__host *h, int64_t now)
{
    struct ps__host_rounds *rd = h->rounds;
    unsigned size = round_size(rd), sent = 0;
    struct ps__retry r;
    int rc = 0;

    /* A slot stays for the canary, unless one probe is all there is. */
    while (sent < size && rd->held.count && ps__rate_allows(scan, now) &&
           (scan->in_flight + 1 < scan->probe_cap ||
            (sent == 0 && scan->in_flight < scan->probe_cap))) {
        ps__retry_pop(&rd->held, &r);
        scan->held_total--;
        if (ps__host_take_answer(scan, &r))
            continue; /* answered while it waited */
        if ((rc = ps__scan_send(scan, &r, now, 0)) < 0)
            return rc;
        if (rc == 0) { /* out of a local resource: r waits, so do we */
            if ((rc = ps__retry_push(&rd->held, &r)) < 0)
                return rc;
            scan->held_total++;
            rd->next_us = now + RESOURCE_PAUSE_US;
            break;
        }
        sent++;
    }
    rd->sent = sent;
    if (sent && h->canary_pair && !rd->canary && scan->in_flight < scan->probe_cap) {
        r = (struct ps__retry){.host = h, .port_idx = h->canary_pair - 1};
        if ((rc = ps__scan_send(scan, &r, now, 1)) < 0)
            return rc;
    }
    /* No canary: the next round's first probe vouches for itself only a
     * refill period after this round; while the host has sent no error,
     * a refill period after its first probe is enough. */
    if (sent && !rd->canary) {
        int64_t floor = h->err_answers ? now + REFILL_US : h->first_send_us + REFILL_US;
        if (rd->next_us < floor)
            rd->next_us = floor;
    }
    return 0;
}

void ps__rounds_canary_sent(struct ps__host *h, struct ps__probe *p)
{
    p->canary = 1;
    p->early_done = 1;
    h->rounds->canary = p;
}

static int run_one(struct ps__scan *scan, struct ps__host *h, int64_t now)
{
    struct ps__host_rounds *rd = h->rounds;
    int rc = 0;

    adapt(rd);
    rd->next_us = now + rd->round_us;
    h->pinned = 1;
    if (ps__host_expired(scan, h, now)) {
        settle_held(scan, h, PS_PORT_UNKNOWN, PS_REASON_HOST_TIMEOUT);
    } else if (rd->idle >= IDLE_ROUNDS && rd->round_us >= ROUND_MAX_US) {
        rc = give_up(scan, h);
    } else {
        char ip[64];
        ps__scan_log(scan, PS_LOG_DEBUG,
                     "%s: round %u, %zu ports waiting, every %lld ms; the last drew %u errors",
                     ps_ip_format(&h->ip, ip, sizeof ip), (unsigned)rd->rounds_run,
                     rd->held.count, (long long)(rd->round_us / MS), (unsigned)rd->last_errs);
        rc = send_round(scan, h, now);
    }
    rd->rounds_run++;
    rd->errs = rd->answers = 0;
    h->pinned = 0;
    if (h->remaining == 0) {
        ps__host_finish(scan, h);
        return rc;
    }
    return rc < 0 ? rc : schedule(scan, h);
}

int ps__rounds_run(struct ps__scan *scan, int64_t now)
{
    while (scan->round_len) {
        struct ps__host *h = scan->round_heap[0];
        if (h->rounds->next_us > now)
            break;
        if (scan->in_flight >= scan->probe_cap || !ps__rate_allows(scan, now))
            break; /* wait for probes to come back, or for the rate */
        heap_remove(scan, h);
        int rc = run_one(scan, h, now);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int64_t ps__rounds_next_us(const struct ps__scan *scan)
{
    return scan->round_len ? scan->round_heap[0]->rounds->next_us : -1;
}

/* h is being freed (or the scan is stopped). */
void ps__rounds_forget(struct ps__scan *scan, struct ps__host *h)
{
    struct ps__host_rounds *rd = h->rounds;

    if (!rd)
        return;
    if (rd->heap_pos)
        heap_remove(scan, h);
    if (rd->canary)
        ps__probe_release(scan, rd->canary, 1);
    scan->held_total -= rd->held.count;
    ps__retry_free(&rd->held);
    free(rd);
    h->rounds = NULL;
}

void ps__rounds_free(struct ps__scan *scan)
{
    free(scan->round_heap);
    scan->round_heap = NULL;
    scan->round_len = scan->round_cap = 0;
}
