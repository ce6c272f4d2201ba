/* TCP connect probes (-sT): a non-blocking connect() per probe, decided
 * by how the kernel completes it. Needs no privileges. The kernel does the
 * handshake, so an open port costs a whole connection, which is reset at
 * once (SO_LINGER 0) rather than left in TIME_WAIT on either side. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portscope/error.h"
#include "scan/engine.h"
#include "scan/ip_int.h"

/* Sockets kept for reuse, per family (descriptors within the engine's
 * reserve). */
#define POOL_SIZE 16

struct connect_state {
    struct ps__scan *scan;
    /* Whether to look for an answer right after connect(): on loopback
     * and veth paths the kernel has usually handled the reset before
     * connect() returns, which saves registering the socket with epoll.
     * Re-decided every PEEK_WINDOW probes from how often it paid off. */
    int peek;
    unsigned peeked, peek_hits;
    /* A socket whose connect() failed, once connect() has reported the
     * failure, is unconnected again and may connect anew (Linux resets
     * it); reusing it saves a socket() and a close() per closed port. */
    int pool[2][POOL_SIZE];
    unsigned pooled[2];
};

#define PEEK_WINDOW 1024

static int connect_open(struct ps__scan *scan, void **state)
{
    struct connect_state *st = calloc(1, sizeof *st);

    if (!st)
        return PS_ENOMEM;
    st->scan = scan;
    st->peek = 1;
    *state = st;
    return 0;
}

static void connect_close(void *state)
{
    struct connect_state *st = state;

    for (int f = 0; f < 2; f++)
        while (st->pooled[f])
            close(st->pool[f][--st->pooled[f]]);
    free(st);
}

static int pool_index(int family)
{
    return family == AF_INET6;
}

static int get_socket(struct connect_state *st, int family)
{
    int f = pool_index(family);

    if (st->pooled[f])
        return st->pool[f][--st->pooled[f]];
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* fd has just reported its failed connect() through connect() itself. */
static void put_socket(struct connect_state *st, int family, int fd)
{
    int f = pool_index(family);

    if (st->pooled[f] < POOL_SIZE)
        st->pool[f][st->pooled[f]++] = fd;
    else
        close(fd);
}

/* What a finished connect() says about the port, as nmap reads it. */
static void classify(int err, enum ps_port_state *state,
                     enum ps_port_reason *reason)
{
    *state = PS_PORT_FILTERED;
    switch (err) {
    case 0:
        *state = PS_PORT_OPEN;
        *reason = PS_REASON_SYN_ACK;
        break;
    case ECONNREFUSED:
        *state = PS_PORT_CLOSED;
        *reason = PS_REASON_CONN_REFUSED;
        break;
    case ECONNRESET:
        *state = PS_PORT_CLOSED;
        *reason = PS_REASON_RESET;
        break;
    case EHOSTUNREACH:
        *reason = PS_REASON_HOST_UNREACH;
        break;
    case ENETUNREACH:
        *reason = PS_REASON_NET_UNREACH;
        break;
    case ENOPROTOOPT:
        *reason = PS_REASON_PROTO_UNREACH;
        break;
    case EACCES:
    case EPERM:
        *reason = PS_REASON_ADMIN_PROHIBITED;
        break;
    default: /* ETIMEDOUT and anything stranger: nothing usable came back */
        *reason = PS_REASON_NO_RESPONSE;
        break;
    }
}

static void report(struct connect_state *st, struct ps__probe *p, int err)
{
    enum ps_port_state state;
    enum ps_port_reason reason;

    p->handler.fd = -1;
    classify(err, &state, &reason);
    ps__scan_answer(st->scan, p, state, reason, 0);
}

static void finish(struct connect_state *st, struct ps__probe *p, int err)
{

    if (err == 0) {
        /* Reset the connection on close rather than leave TIME_WAIT
         * behind: only open ports need this, so it is set only here. */
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(p->handler.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(p->handler.fd);
    report(st, p, err);
}

static void on_ready(struct ps__loop_handler *h, unsigned events)
{
    struct ps__probe *p = (struct ps__probe *)h; /* handler is first */
    int err = 0;
    socklen_t len = sizeof err;

    (void)events;
    /* A probe withdrawn earlier in the same batch of events (its twin
     * answered first) has no descriptor any more: its event is stale. */
    if (h->fd < 0 || !p->in_use)
        return;
    if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    finish(h->ud, p, err);
}

/* Out of descriptors, buffers or local ports: the engine waits and
 * retries with a smaller window. */
static int is_resource_error(int err)
{
    return err == EMFILE || err == ENFILE || err == ENOBUFS ||
           err == ENOMEM || err == EADDRNOTAVAIL || err == EAGAIN;
}

/* Asks the socket how its connect() went by calling connect() again, as
 * a blocking caller would: EALREADY while it is under way (returned as
 * EINPROGRESS), 0 once connected, else the error, after which the socket
 * is unconnected and reusable. Keeps the peek only while it pays. */
static int peek_error(struct connect_state *st, int fd,
                      const struct sockaddr_storage *ss, socklen_t len)
{
    int err = 0;

    if (connect(fd, (const struct sockaddr *)ss, len) < 0)
        err = errno == EALREADY ? EINPROGRESS : errno;
    if (err == EISCONN)
        err = 0;
    st->peek_hits += err != EINPROGRESS;
    if (++st->peeked == PEEK_WINDOW) {
        st->peek = st->peek_hits * 4 >= PEEK_WINDOW; /* a quarter or more */
        st->peeked = st->peek_hits = 0;
    }
    return err;
}

/* While peeking does not pay, try it again now and then: the path may
 * change (another target, a loaded target answering later). */
static int should_peek(struct connect_state *st)
{
    if (st->peek)
        return 1;
    if (++st->peeked < 16 * PEEK_WINDOW)
        return 0;
    st->peek = 1;
    st->peeked = 0;
    return 1;
}

static int connect_send(void *state, struct ps__probe *p,
                        const struct ps_ip *ip, uint16_t port)
{
    struct connect_state *st = state;
    struct sockaddr_storage ss;
    socklen_t len = ps__ip_sockaddr(ip, port, &ss);
    int fd = get_socket(st, ip->family);

    if (fd < 0)
        return is_resource_error(errno) ? PS_ELIMIT : PS_EIO;
    p->handler = (struct ps__loop_handler){.fd = fd, .fn = on_ready, .ud = st};
    if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
        finish(st, p, 0);
        return 0;
    }
    int err = errno;
    if (err == EINPROGRESS && should_peek(st)) {
        err = peek_error(st, fd, &ss, len);
        if (err != 0 && err != EINPROGRESS && !is_resource_error(err)) {
            int family = ip->family; /* the answer may free the host */
            report(st, p, err);
            put_socket(st, family, fd);
            return 0;
        }
    }
    if (err == EINPROGRESS) {
        int rc = ps__loop_add(ps__scan_loop(st->scan), &p->handler, EPOLLOUT);
        if (rc == 0)
            return 0;
        err = -rc;
    }
    if (is_resource_error(err)) {
        close(fd);
        p->handler.fd = -1;
        return PS_ELIMIT;
    }
    finish(st, p, err);  /* refused or unreachable at once */
    return 0;
}

static void connect_abandon(void *state, struct ps__probe *p)
{
    (void)state;
    if (p->handler.fd >= 0)
        close(p->handler.fd);
    p->handler.fd = -1;
}

const struct ps__probe_module ps__probe_connect = {
    .name = "connect",
    .nmap_type = "connect",
    .type_bit = PS_SCAN_CONNECT,
    .proto = PS_PROTO_TCP,
    .open = connect_open,
    .send = connect_send,
    .abandon = connect_abandon,
    .close = connect_close,
};
