/* Scan progress on stderr: a redrawn bar when stderr is a terminal,
 * otherwise a plain line per report (--stats-every). */
#include <stdio.h>
#include <unistd.h>

#include "cli/scan_cli.h"

struct progress_state {
    bool tty;
    bool drawn;
};

static struct progress_state progress_state;

static void clock_text(int64_t us, char *buf, size_t len)
{
    if (us < 0) {
        snprintf(buf, len, "--:--");
        return;
    }
    long s = (long)(us / 1000000);
    if (s >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

void scan_progress_report(void *ud, const struct ps_scan_progress *p)
{
    const struct scan_opts *o = ((const struct scan_run *)ud)->opts;
    double frac = p->pairs_total ? (double)p->pairs_done / (double)p->pairs_total
                                 : 0;
    char eta[32], elapsed[32], bar[31];

    if (frac > 1)
        frac = 1;
    clock_text(p->eta_us, eta, sizeof eta);
    clock_text(p->elapsed_us, elapsed, sizeof elapsed);
    if (!o->progress) {
        fprintf(stderr,
                "Stats: %s elapsed; %.1f%% done; %llu/%llu ports; "
                "%.0f probes/s; ETA %s\n",
                elapsed, frac * 100, (unsigned long long)p->pairs_done,
                (unsigned long long)p->pairs_total, p->rate, eta);
        return;
    }
    int fill = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %5.1f%% %llu/%llu %.0f/s ETA %s \033[K", bar,
            frac * 100, (unsigned long long)p->pairs_done,
            (unsigned long long)p->pairs_total, p->rate, eta);
    progress_state.drawn = true;
}

void scan_progress_clear(void)
{
    if (!progress_state.drawn)
        return;
    fputs("\r\033[K", stderr);
    progress_state.drawn = false;
}
