/* The scanner's event loop (loop.h). */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "scan/loop.h"

struct ps__loop {
    int epfd;
    unsigned max_events;
    struct epoll_event *events;
};

struct ps__loop *ps__loop_new(unsigned max_events)
{
    struct ps__loop *loop = calloc(1, sizeof *loop);

    if (!loop)
        return NULL;
    (void)max_events;
    loop->max_events = PS__LOOP_BATCH;
    loop->events = calloc(loop->max_events, sizeof *loop->events);
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!loop->events || loop->epfd < 0) {
        int saved = errno;
        ps__loop_free(loop);
        errno = saved;
        return NULL;
    }
    return loop;
}

void ps__loop_free(struct ps__loop *loop)
{
    if (!loop)
        return;
    if (loop->epfd >= 0)
        close(loop->epfd);
    free(loop->events);
    free(loop);
}

int ps__loop_add(struct ps__loop *loop, struct ps__loop_handler *h,
                 unsigned events)
{
    struct epoll_event ev = {.events = events, .data.ptr = h};

    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, h->fd, &ev) < 0)
        return -errno;
    return 0;
}

int ps__loop_del(struct ps__loop *loop, struct ps__loop_handler *h)
{
    if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, h->fd, NULL) < 0)
        return -errno;
    return 0;
}

/* epoll_wait takes milliseconds; round up so that a deadline 300 us away
 * does not turn into a busy loop of zero-length waits. */
static int timeout_ms(int64_t timeout_us)
{
    if (timeout_us < 0)
        return -1;
    if (timeout_us > (int64_t)1000 * 60 * 60 * 1000)
        return 60 * 60 * 1000;
    return (int)((timeout_us + 999) / 1000);
}

int ps__loop_poll(struct ps__loop *loop, int64_t timeout_us)
{
    int n = epoll_wait(loop->epfd, loop->events, (int)loop->max_events,
                       timeout_ms(timeout_us));

    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        struct ps__loop_handler *h = loop->events[i].data.ptr;
        h->fn(h, loop->events[i].events);
    }
    return n;
}
