/* Timing: nmap's -T templates, round-trip estimates and timeouts, and the
 * window that limits probes in flight. */
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>

#include "portscope/error.h"
#include "scan/engine.h"

#define MS 1000ll
#define SEC 1000000ll

int64_t ps__now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * SEC + ts.tv_nsec / 1000;
}

int64_t ps__wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * SEC + ts.tv_nsec / 1000;
}

/* The values nmap documents for its templates (nmap(1), "Timing and
 * performance"). Paranoid and sneaky send one probe at a time with a long
 * pause between probes; polite pauses 0.4 s; the others differ in their
 * timeouts and retries. */
int ps_scan_timing_template(int level, struct ps_scan_timing *t)
{
    static const struct ps_scan_timing table[6] = {
        {0, 10, 0, 300 * SEC, 100 * MS, 10 * SEC, 300 * SEC, 0, 0, 1, 1},
        {1, 10, 0, 15 * SEC, 100 * MS, 10 * SEC, 15 * SEC, 0, 0, 1, 1},
        {2, 10, 0, 1 * SEC, 100 * MS, 10 * SEC, 400 * MS, 0, 0, 1, 0},
        {3, 10, 0, 1 * SEC, 100 * MS, 10 * SEC, 0, 0, 0, 1, 0},
        {4, 6, 0, 500 * MS, 100 * MS, 1250 * MS, 0, 0, 0, 1, 0},
        {5, 2, 15 * 60 * SEC, 250 * MS, 50 * MS, 300 * MS, 0, 0, 0, 1, 0},
    };
    if (!t)
        return PS_EINVAL;
    if (level < 0 || level > 5)
        return PS_ERANGE;
    *t = table[level];
    return 0;
}

/* How many descriptors probes may hold: the soft limit minus those open
 * now minus a reserve for output files, the resolver and the like. */
unsigned ps__fd_budget(unsigned reserve)
{
    struct rlimit rl;
    unsigned open_now = 0;
    DIR *dir = opendir("/proc/self/fd");

    if (dir) {
        while (readdir(dir))
            open_now++;
        closedir(dir);
    } else {
        open_now = 64;
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
        rl.rlim_cur = 1024;
    if (rl.rlim_cur > 1000000)
        rl.rlim_cur = 1000000;
    if (rl.rlim_cur <= (rlim_t)open_now + reserve + 1)
        return 1;
    return (unsigned)(rl.rlim_cur - open_now - reserve);
}

void ps__window_init(struct ps__window *w, const struct ps_scan_timing *t,
                     unsigned hard_cap)
{
    unsigned cap = hard_cap;

    if (t->max_parallelism && t->max_parallelism < cap)
        cap = t->max_parallelism;
    w->cap = cap ? cap : 1;
    w->floor = t->min_parallelism ? t->min_parallelism : 1;
    if (w->floor > w->cap)
        w->floor = w->cap;
    /* Start small and let slow start find the path's capacity within a
     * few round trips, as TCP does. */
    w->cwnd = t->template_level >= 4 ? 64 : 32;
    if (w->cwnd > w->cap)
        w->cwnd = w->cap;
    if (w->cwnd < w->floor)
        w->cwnd = w->floor;
    w->ssthresh = w->cap;
    w->last_cut_us = 0;
}

void ps__window_on_answer(struct ps__window *w)
{
    if (w->cwnd < w->ssthresh)
        w->cwnd += 1;            /* slow start: doubles per round trip */
    else
        w->cwnd += 1 / w->cwnd;  /* congestion avoidance */
    if (w->cwnd > w->cap)
        w->cwnd = w->cap;
}

/* An answer came only on a retry: a probe was lost. Halve the window, at
 * most once per round trip, so one burst of losses counts once. */
void ps__window_on_loss(struct ps__window *w, int64_t now_us, int64_t rtt_us)
{
    if (now_us - w->last_cut_us < rtt_us)
        return;
    w->last_cut_us = now_us;
    w->ssthresh = w->cwnd / 2;
    if (w->ssthresh < w->floor)
        w->ssthresh = w->floor;
    w->cwnd = w->ssthresh;
}

/* The system refused a descriptor or a port: the window must not exceed
 * what is in flight now. */
void ps__window_on_resource(struct ps__window *w, unsigned in_flight)
{
    double limit = in_flight > 1 ? in_flight - 1 : 1;

    if (w->cwnd > limit)
        w->cwnd = limit;
    if (w->ssthresh > limit)
        w->ssthresh = limit;
    if (w->cwnd < w->floor)
        w->cwnd = w->floor;
}

/* RFC 6298: srtt += (r - srtt)/8, rttvar += (|r - srtt| - rttvar)/4. */
void ps__rtt_sample(int64_t *srtt, int64_t *rttvar, int64_t rtt_us)
{
    if (rtt_us < 1)
        rtt_us = 1;
    if (*srtt == 0) {
        *srtt = rtt_us;
        *rttvar = rtt_us / 2 > 1 ? rtt_us / 2 : 1;
        return;
    }
    int64_t delta = rtt_us - *srtt;
    *srtt += delta / 8;
    *rttvar += ((delta < 0 ? -delta : delta) - *rttvar) / 4;
    if (*srtt < 1)
        *srtt = 1;
}

/* A probe's timeout: the host's estimate (or the scan's, for a host with
 * no answer yet), clamped to the template's bounds. */
int64_t ps__probe_timeout(const struct ps__scan *scan,
                          const struct ps__host *host)
{
    const struct ps_scan_timing *t = &scan->timing;
    int64_t to;

    if (host->srtt_us)
        to = host->srtt_us + 4 * host->rttvar_us;
    else if (scan->global_srtt_us)
        to = scan->global_srtt_us + 4 * scan->global_rttvar_us;
    else
        return t->initial_rtt_timeout_us;
    if (to < t->min_rtt_timeout_us)
        to = t->min_rtt_timeout_us;
    if (to > t->max_rtt_timeout_us)
        to = t->max_rtt_timeout_us;
    return to;
}
