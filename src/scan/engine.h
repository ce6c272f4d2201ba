/* Internals of the scan engine shared by its files and its probe modules.
 *
 * A probe module implements one probe type (connect, and later SYN and
 * UDP) behind struct ps__probe_module; the engine decides what to send and
 * when, and the module only sends a probe and reports what came back.
 * Adding a probe type is one new file in probes/ plus one line in the
 * module table (probes/modules.c). */
#ifndef PS_SCAN_ENGINE_H
#define PS_SCAN_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include "common/internal.h"
#include "portscope/scan.h"
#include "scan/loop.h"
#include "scan/permute.h"

struct ps__scan;

/* One in-flight probe. Modules may use handler (fd-based probes) and
 * priv; the engine owns the rest. */
struct ps__probe {
    struct ps__loop_handler handler;
    uintptr_t priv;
    struct ps__host *host;
    uint32_t port_idx;      /* into scan->pairs */
    uint8_t tryno;          /* 0 for the first probe of the pair */
    uint8_t in_use;
    uint8_t early_done;     /* the early look (see run.c) is behind it */
    int64_t sent_us;
    int64_t deadline_us;    /* heap key: the early look, then the timeout */
    int64_t final_us;       /* the timeout */
    struct ps__probe *twin; /* the other probe of the same pair, if any */
    uint32_t heap_pos;      /* position in the timeout heap */
    struct ps__probe *next_free;
    /* The host's probes in flight, oldest first (rounds.c walks back
     * from an answer to vouch for the silent probes just before it). */
    struct ps__probe *hprev, *hnext;
    int64_t wire_us;        /* when it left, to the microsecond (rounds.c) */
    uint8_t valid;          /* tries of the pair that count (rounds.c) */
    uint8_t witnessed;      /* a later error answer vouches for its silence */
    uint8_t canary;         /* a probe of a decided pair (rounds.c) */
};

struct ps__probe_module {
    const char *name;       /* "connect" */
    const char *nmap_type;  /* nmap's scaninfo type: "connect" */
    unsigned type_bit;      /* PS_SCAN_* */
    uint8_t proto;          /* enum ps_proto the module scans */
    /* Sets up (privileged sockets, capture); *state is the module's. */
    int (*open)(struct ps__scan *scan, void **state);
    /* Sends one probe. Returns 0 when sent (or answered at once through
     * ps__scan_answer), PS_ELIMIT when a local resource ran out (no file
     * descriptor, no ephemeral port): the engine retries later with a
     * smaller window, and the attempt does not count as a try. */
    int (*send)(void *state, struct ps__probe *p, const struct ps_ip *ip,
                uint16_t port);
    /* The probe timed out or the scan stops: release what it holds. */
    void (*abandon)(void *state, struct ps__probe *p);
    void (*close)(void *state);
    /* Optional: called after each burst of sends, so that a module may
     * queue probes and send them in one system call. */
    void (*flush)(void *state);
    /* The answers that decide closed (and filtered) are ICMP errors,
     * which hosts rate-limit: silence may mean an empty bucket rather than
     * an open|filtered port (UDP; see rounds.c). */
    uint8_t errors_limited;
    /* A stateless module (SYN, UDP) gets its answers on one shared socket
     * or capture that names only an address and a port: the engine then
     * keeps the way back to the probe (ps__scan_find), and the number of
     * probes in flight is not bounded by the open-file limit. */
    uint8_t stateless;
    /* The state of a port that never answered: 0 means filtered (TCP);
     * UDP says open|filtered, since an open port need not answer. */
    uint8_t silent_state;
};

extern const struct ps__probe_module ps__probe_connect;
extern const struct ps__probe_module ps__probe_syn;
extern const struct ps__probe_module ps__probe_udp;
/* Every module built in, NULL-terminated (probes/modules.c). */
extern const struct ps__probe_module *const ps__probe_modules[];

/* Called by a module when its probe got an answer that decides the port. */
void ps__scan_answer(struct ps__scan *scan, struct ps__probe *p,
                     enum ps_port_state state, enum ps_port_reason reason,
                     uint8_t ttl);
struct ps__loop *ps__scan_loop(struct ps__scan *scan);
/* For stateless modules: the newest probe in flight to ip for (proto,
 * port), or NULL (an answer to a decided pair, or not ours). Its twin, if
 * any, is the older probe of the same pair. */
struct ps__probe *ps__scan_find(struct ps__scan *scan, const struct ps_ip *ip,
                                uint8_t proto, uint16_t port);
/* For stateless modules: an answer that validated but found no probe in
 * flight. When silence decided the pair (the answer came after the last
 * try's timeout) and the host has not been handed out yet, the answer
 * decides it after all. */
void ps__scan_late_answer(struct ps__scan *scan, const struct ps_ip *ip,
                          uint8_t proto, uint16_t port, enum ps_port_state state,
                          enum ps_port_reason reason, uint8_t ttl);
/* Logs through the caller's logger (common/internal.h). */
#define ps__scan_log(scan, level, ...)                                       \
    ps__log((scan)->cfg->log, (level), __VA_ARGS__)

/* A (proto, port) to scan, in output order: TCP then UDP, by port. */
struct ps__pair_port {
    uint16_t port;
    uint8_t proto;
    uint8_t module;          /* index into scan->modules */
};

/* One target being scanned. */
struct ps__host {
    struct ps_ip ip;
    char *name;
    uint64_t index;          /* position in the target list */
    struct ps_port_result *res;  /* one per scan->pairs entry */
    uint32_t assigned;       /* pairs of this shard */
    uint32_t remaining;      /* assigned pairs not decided yet */
    int64_t start_us, end_us;  /* wall clock, for output */
    int64_t first_send_us, last_answer_us; /* monotonic */
    int64_t srtt_us, rttvar_us; /* 0 until the first sample */
    uint8_t max_answered_try;
    uint8_t timed_out;
    struct ps__host *prev, *next; /* live hosts */
    /* Stateless scans (lookup.c): per pair, the number (index + 1) of its
     * newest probe in flight, 0 for none; the next host in the map. */
    uint32_t *inflight;
    struct ps__host *map_next;
    /* Probes in flight to the host, oldest first. */
    struct ps__probe *fl_head, *fl_tail;
    /* Rounds (rounds.c), for a module whose errors are rate-limited. */
    struct ps__host_rounds *rounds;  /* NULL until the host needs them */
    uint32_t err_answers;            /* error answers so far */
    int64_t last_wire_us;            /* the last probe's wire_us */
    uint32_t canary_pair;            /* pair + 1 last decided by an error */
    uint8_t pinned;                  /* not freed when its last pair is decided */
};

/* Pairs waiting for another try. */
struct ps__retry {
    struct ps__host *host;
    uint32_t port_idx;
    uint8_t tryno;
    uint8_t valid;           /* tries that count (rounds.c) */
};

struct ps__retry_queue {
    struct ps__retry *items;
    size_t head, count, cap;
};

/* Timing state (timing.c). */
struct ps__window {
    double cwnd, ssthresh;
    unsigned floor, cap;
    int64_t last_cut_us;
};

struct ps__scan {
    const struct ps_scan_config *cfg;
    struct ps_scan_timing timing;      /* template merged with overrides */
    const struct ps__probe_module *modules[4];
    void *module_state[4];
    unsigned module_count;
    int stateless;                     /* some module is (lookup.c) */
    struct ps__loop *loop;

    struct ps__pair_port *pairs;
    uint32_t pair_count;               /* per host */
    uint64_t rng;

    /* Targets and the current batch. */
    struct ps_target_iter *iter;
    uint64_t next_host_index;
    int targets_done;
    struct ps__host **batch;
    uint64_t *batch_index;             /* host number of each batch slot */
    uint32_t batch_hosts;
    struct ps__perm perm;
    struct ps__host *live;             /* hosts not yet handed out */
    struct ps__host **host_map;        /* live hosts by address (lookup.c) */
    size_t host_map_mask, host_map_count;
    uint32_t *pair_by_port;            /* [udp * 65536 + port]: pair + 1 */

    /* Probes. */
    struct ps__probe *probes;
    unsigned probe_cap;
    struct ps__probe *free_probes;
    struct ps__probe **heap;
    unsigned heap_len;
    unsigned in_flight;
    struct ps__retry_queue retries;
    struct ps__window window;
    /* Hosts whose next round is due, by time (rounds.c). */
    struct ps__host **round_heap;
    unsigned round_len, round_cap;
    uint64_t held_total;             /* pairs waiting in hosts' rounds */
    int sending;                     /* inside a module's send() */
    int deferred_rc;                 /* an error met where none can be returned */

    /* Rates. */
    double tokens;
    int64_t tokens_us;
    int64_t resource_wait_until_us;   /* see RESOURCE_PAUSE_US */
    int64_t global_srtt_us, global_rttvar_us;

    /* Totals. */
    uint64_t pairs_total, pairs_done, probes_sent, hosts_up, hosts_total;
    uint64_t late_answers;             /* ps__scan_late_answer's */
    int64_t start_us, end_us;
    /* Copies of the totals for the monitoring thread (atomic access). */
    struct {
        uint64_t pairs_done, probes_sent;
        unsigned in_flight, window;
    } pub;

    volatile sig_atomic_t stop_requested;
    const volatile sig_atomic_t *stop_shared; /* the whole scan's flag */
    unsigned fd_share;
    unsigned host_mod, host_rem; /* scan only hosts numbered rem mod mod */
    int stopping, failed, ran, pairs_exhausted;
    int64_t stop_deadline_us;
    char error[160];
};

int64_t ps__now_us(void);       /* CLOCK_MONOTONIC */
int64_t ps__wall_us(void);      /* CLOCK_REALTIME */

/* timing.c */
void ps__window_init(struct ps__window *w, const struct ps_scan_timing *t,
                     unsigned hard_cap);
void ps__window_on_answer(struct ps__window *w);
void ps__window_on_loss(struct ps__window *w, int64_t now_us,
                        int64_t rtt_us);
void ps__window_on_resource(struct ps__window *w, unsigned in_flight);
void ps__rtt_sample(int64_t *srtt, int64_t *rttvar, int64_t rtt_us);
int64_t ps__probe_timeout(const struct ps__scan *scan,
                          const struct ps__host *host);
unsigned ps__fd_budget(unsigned reserve);

/* hosts.c */
int ps__hosts_next_pair(struct ps__scan *scan, struct ps__host **host,
                        uint32_t *port_idx);
void ps__host_decide(struct ps__scan *scan, struct ps__host *host,
                     uint32_t port_idx, enum ps_port_state state,
                     enum ps_port_reason reason, uint8_t tries, float rtt_ms,
                     uint8_t ttl);
void ps__hosts_flush(struct ps__scan *scan);
void ps__hosts_free(struct ps__scan *scan);
int ps__pairs_build(struct ps__scan *scan);

/* hosts.c: a pair due for its next try that got an answer while it
 * waited (ps__scan_late_answer) is decided by it instead: 1 when so (the
 * host may be gone), 0 when the try should go out. */
int ps__host_take_answer(struct ps__scan *scan, const struct ps__retry *r);
/* hosts.c: hands out and frees a host whose pairs are all decided (after
 * it was pinned). */
void ps__host_finish(struct ps__scan *scan, struct ps__host *host);

/* run.c: releases probes in flight without deciding their ports. */
void ps__scan_abandon_in_flight(struct ps__scan *scan);
/* run.c: sends a probe for r (a canary when canary is set). Returns 1
 * when sent, 0 when a local resource ran out (the caller keeps r), or a
 * negative code. */
int ps__scan_send(struct ps__scan *scan, const struct ps__retry *r,
                  int64_t now, int canary);
/* run.c: whether host's --host-timeout has passed (and marks it so). */
int ps__host_expired(const struct ps__scan *scan, struct ps__host *host, int64_t now);
/* run.c: the state of a port of module m that never answered. */
enum ps_port_state ps__silent_state(const struct ps__probe_module *m);
/* run.c: whether --max-rate (or --scan-delay) allows a probe now. */
int ps__rate_allows(struct ps__scan *scan, int64_t now);
/* run.c: takes p out of flight without deciding anything; abandon tells
 * the module to release what p holds. */
void ps__probe_release(struct ps__scan *scan, struct ps__probe *p,
                       int abandon);

/* rounds.c: tries that nobody vouches for, and rounds with canaries for
 * hosts whose errors are rate-limited (see there). */
void ps__flight_add(struct ps__host *h, struct ps__probe *p);
void ps__flight_del(struct ps__probe *p);
/* An answer arrived for p: counts and vouches; 1 when p was a canary
 * (released, nothing to decide). */
int ps__rounds_on_answer(struct ps__scan *scan, struct ps__probe *p,
                         enum ps_port_state state);
int ps__rounds_counts(const struct ps__scan *scan, const struct ps__probe *p);
int ps__rounds_wanted(const struct ps__scan *scan, const struct ps__host *h,
                      uint32_t port_idx);
int ps__rounds_hold(struct ps__scan *scan, const struct ps__retry *r);
void ps__rounds_canary_sent(struct ps__host *h, struct ps__probe *p);
void ps__rounds_probe_sent(const struct ps__scan *scan, struct ps__probe *p);
void ps__rounds_probe_gone(struct ps__probe *p);
void ps__rounds_canary_gone(struct ps__scan *scan, struct ps__host *h);
int ps__rounds_run(struct ps__scan *scan, int64_t now);
int64_t ps__rounds_next_us(const struct ps__scan *scan);
void ps__rounds_forget(struct ps__scan *scan, struct ps__host *h);
void ps__rounds_free(struct ps__scan *scan);

/* One worker: an engine with its own event loop over its share of the
 * pairs (engine.c, run.c). multi.c runs one per thread. fd_share divides
 * the descriptor budget among the workers; with host_mod > 1 the worker
 * scans only the hosts whose number is host_rem modulo host_mod. */
int ps__engine_new(const struct ps_scan_config *cfg, unsigned fd_share,
                   const volatile sig_atomic_t *stop_shared,
                   unsigned host_mod, unsigned host_rem,
                   struct ps__scan **out);
int ps__engine_run(struct ps__scan *scan);
int ps__check_config(const struct ps_scan_config *cfg);
void ps__engine_free(struct ps__scan *scan);

/* Pairs of host number index that shard k of n holds (k 1-based; n 0 or
 * 1: all of them). */
uint32_t ps__shard_share(uint32_t pair_count, uint64_t index, unsigned k,
                         unsigned n);

/* lookup.c: what ps__scan_find needs, kept only when scan->stateless. */
int ps__lookup_pairs_build(struct ps__scan *scan);
int ps__lookup_host_add(struct ps__scan *scan, struct ps__host *h);
void ps__lookup_host_del(struct ps__scan *scan, struct ps__host *h);
void ps__lookup_probe_sent(struct ps__scan *scan, struct ps__probe *p);
void ps__lookup_probe_gone(struct ps__scan *scan, struct ps__probe *p);
void ps__lookup_free(struct ps__scan *scan);

/* heap.c: the timeout heap of in-flight probes, by deadline. */
void ps__heap_push(struct ps__scan *scan, struct ps__probe *p);
void ps__heap_remove(struct ps__scan *scan, struct ps__probe *p);
struct ps__probe *ps__heap_top(const struct ps__scan *scan);

/* retry.c */
int ps__retry_push(struct ps__retry_queue *q, const struct ps__retry *r);
int ps__retry_pop(struct ps__retry_queue *q, struct ps__retry *out);
void ps__retry_free(struct ps__retry_queue *q);

#endif
