/* A small epoll event loop for the scanner, in the spirit of Redis's ae:
 * file events only (the engine keeps its own timer heap), one callback per
 * registered descriptor. Handlers live inside the caller's objects (a probe
 * embeds its own), so the loop allocates nothing per descriptor. */
#ifndef PS_SCAN_LOOP_H
#define PS_SCAN_LOOP_H

#include <stdint.h>

struct ps__loop;
struct ps__loop_handler;

/* events is the epoll mask that fired (EPOLLIN, EPOLLOUT, EPOLLERR...). */
typedef void (*ps__loop_fn)(struct ps__loop_handler *h, unsigned events);

struct ps__loop_handler {
    int fd;
    ps__loop_fn fn;
    void *ud;
};

/* Events one poll returns at most; a poll that returns this many may
 * have left more ready. */
#define PS__LOOP_BATCH 256

/* A loop returning at most PS__LOOP_BATCH events per poll; max_events is
 * ignored (kept for callers). NULL on failure
 * (errno set). */
struct ps__loop *ps__loop_new(unsigned max_events);
void ps__loop_free(struct ps__loop *loop);

/* Watches h->fd for events (EPOLLIN/EPOLLOUT; errors are always
 * reported). h must stay valid until removed or its fd closed. Returns 0
 * or -errno. */
int ps__loop_add(struct ps__loop *loop, struct ps__loop_handler *h,
                 unsigned events);
/* Stops watching h->fd. Closing the descriptor does the same for free
 * (when it has no duplicates), which is what probes do. */
int ps__loop_del(struct ps__loop *loop, struct ps__loop_handler *h);

/* Waits up to timeout_us (0: poll, negative: forever) and calls each
 * ready handler. Handlers may close their own descriptor but must not
 * open new ones: a reused descriptor number could receive an event meant
 * for the old one from the same batch. Returns the number of events, or
 * -errno (EINTR is returned as 0). */
int ps__loop_poll(struct ps__loop *loop, int64_t timeout_us);

#endif
