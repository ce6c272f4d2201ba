/* UDP probes (-sU): a datagram per probe (a protocol payload for the
 * well-known ports, from payloads.c; empty elsewhere) from one socket per
 * family, and the kernel's word on what came back.
 *
 * An ordinary UDP socket does all that a UDP scan needs, without raw
 * packets or privileges: an answer from the port arrives on it like any
 * datagram, and with IP_RECVERR (IPV6_RECVERR) the kernel queues every
 * ICMP error that quotes one of its datagrams, with the type, the code and
 * the address and port the datagram went to. So the states are nmap's:
 * any answer is open, port unreachable closed, another unreachable
 * filtered, silence after the retries open|filtered. The kernel has
 * already matched the quote to this socket's port; the engine's lookup
 * (lookup.c) finds the probe of the (address, port) pair. */
#include <errno.h>
#include <time.h> /* linux/errqueue.h needs struct timespec */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portscope/error.h"
#include "scan/engine.h"
#include "scan/ip_int.h"
#include "scan/payloads.h"
#include "scan/stateless.h"

#define NMAP_PAYLOADS "/usr/share/nmap/nmap-payloads"
#define RCVBUF (4 << 20) /* answers and queued ICMP errors of a burst */

struct udp_state {
    struct ps__scan *scan;
    struct ps__payloads *payloads;
    int fd[2]; /* IPv4, IPv6; -1 when that family is unavailable */
    struct ps__loop_handler handler[2];
};

static const uint8_t empty_datagram[1];

static int family_index(int family)
{
    return family == AF_INET6;
}

/* The answer goes to the older try when two are out: a late answer to the
 * first is likelier than a fast one to its early retry. */
static void answer(struct udp_state *st, const struct ps_ip *ip, uint16_t port,
                   enum ps_port_state state, enum ps_port_reason why, uint8_t ttl)
{
    struct ps__probe *p = ps__scan_find(st->scan, ip, PS_PROTO_UDP, port);

    if (p)
        ps__scan_answer(st->scan, p->twin ? p->twin : p, state, why, ttl);
    else
        ps__scan_late_answer(st->scan, ip, PS_PROTO_UDP, port, state, why, ttl);
}

static uint8_t cmsg_ttl(struct msghdr *m)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        int v;
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
            memcpy(&v, CMSG_DATA(c), sizeof v);
            return (uint8_t)v;
        }
    }
    return 0;
}

/* An error a socket reports once, on whatever call comes next, for an
 * ICMP error it has also queued in full: not about that call. */
static int stale_error(int err)
{
    return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH ||
           err == EHOSTDOWN || err == ENONET || err == EPROTO || err == EACCES;
}

static void read_answers(struct udp_state *st, int fd)
{
    uint8_t buf[1], ctl[128];
    struct sockaddr_storage from;

    for (;;) {
        struct iovec iov = {buf, sizeof buf};
        struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from,
                           .msg_iov = &iov, .msg_iovlen = 1,
                           .msg_control = ctl, .msg_controllen = sizeof ctl};
        ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0 && (errno == EINTR || stale_error(errno)))
            continue;
        if (n < 0)
            return;
        struct ps_ip ip;
        uint16_t port;
        if (ps__ip_from_sockaddr(&from, &ip, &port) == 0)
            answer(st, &ip, port, PS_PORT_OPEN, PS_REASON_UDP_RESPONSE, cmsg_ttl(&m));
    }
}

static const struct sock_extended_err *icmp_error(struct msghdr *m)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c))
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
            return (const struct sock_extended_err *)CMSG_DATA(c);
    return NULL;
}

static void read_errors(struct udp_state *st, int fd)
{
    uint8_t buf[1];
    uint8_t ctl[256] __attribute__((aligned(8)));
    struct sockaddr_storage to;

    for (;;) {
        struct iovec iov = {buf, sizeof buf};
        struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof to,
                           .msg_iov = &iov, .msg_iovlen = 1,
                           .msg_control = ctl, .msg_controllen = sizeof ctl};
        if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        const struct sock_extended_err *e = icmp_error(&m);
        struct ps_ip ip;
        uint16_t port;
        if (!e || ps__ip_from_sockaddr(&to, &ip, &port) < 0 ||
            (e->ee_origin != SO_EE_ORIGIN_ICMP && e->ee_origin != SO_EE_ORIGIN_ICMP6))
            continue;
        int family = e->ee_origin == SO_EE_ORIGIN_ICMP6 ? AF_INET6 : AF_INET;
        enum ps_port_reason why = ps__icmp_reason(family, e->ee_type, e->ee_code);
        if (why == PS_REASON_PORT_UNREACH)
            answer(st, &ip, port, PS_PORT_CLOSED, why, 0);
        else if (why != PS_REASON_NONE)
            answer(st, &ip, port, PS_PORT_FILTERED, why, 0);
    }
}

static void on_ready(struct ps__loop_handler *h, unsigned events)
{
    struct udp_state *st = h->ud;

    if (events & EPOLLERR)
        read_errors(st, h->fd);
    if (events & EPOLLIN)
        read_answers(st, h->fd);
}

/* One datagram to ip:port. Returns 0, PS_ELIMIT when the socket has no
 * room, or 1 when the datagram cannot go (answered as filtered). */
static int send_datagram(struct udp_state *st, struct ps__probe *p, int fd,
                         const struct sockaddr_storage *to, socklen_t tolen,
                         const uint8_t *data, size_t len)
{
    for (int tries = 0; tries < 4; tries++) {
        if (sendto(fd, data, len, 0, (const struct sockaddr *)to, tolen) >= 0)
            return 0;
        if (errno == EAGAIN || errno == ENOBUFS)
            return PS_ELIMIT;
        if (errno == EPERM) { /* our own firewall refused it */
            ps__scan_answer(st->scan, p, PS_PORT_FILTERED, PS_REASON_ADMIN_PROHIBITED, 0);
            return 1;
        }
        if (errno != EINTR && !stale_error(errno))
            break;
    }
    /* No route, or an error that keeps coming: nothing reaches the port. */
    ps__scan_answer(st->scan, p, PS_PORT_FILTERED, PS_REASON_NET_UNREACH, 0);
    return 1;
}

/* Every payload the port has, each try: a service may answer only one of
 * them (an mDNS responder only the DNS-SD query, say), and nmap sends
 * them all. */
static int udp_send(void *state, struct ps__probe *p, const struct ps_ip *ip,
                    uint16_t port)
{
    struct udp_state *st = state;
    int fd = st->fd[family_index(ip->family)];
    const struct ps__payload *pl;
    size_t n = ps__payloads_for(st->payloads, port, &pl);
    struct sockaddr_storage to;
    socklen_t tolen;

    if (fd < 0) {
        ps__scan_log(st->scan, PS_LOG_ERROR, "UDP scan: no %s socket",
                     ip->family == AF_INET6 ? "IPv6" : "IPv4");
        return PS_EUNSUPP;
    }
    tolen = ps__ip_sockaddr(ip, port, &to);
    if (n == 0) {
        int rc = send_datagram(st, p, fd, &to, tolen, empty_datagram, 0);
        return rc < 0 ? rc : 0;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = send_datagram(st, p, fd, &to, tolen, pl[i].data, pl[i].len);
        if (rc == PS_ELIMIT && i > 0)
            return 0; /* the rest next try */
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    return 0;
}

static void udp_abandon(void *state, struct ps__probe *p)
{
    (void)state;
    (void)p;
}

static void udp_close(void *state)
{
    struct udp_state *st = state;

    for (int i = 0; i < 2; i++)
        if (st->fd[i] >= 0)
            close(st->fd[i]);
    ps__payloads_free(st->payloads);
    free(st);
}

static void set_int(int fd, int level, int name, int value)
{
    (void)setsockopt(fd, level, name, &value, sizeof value);
}

/* One socket of family, bound to the scan's source port (and -S, -e). */
static int open_socket(struct udp_state *st, int family)
{
    const struct ps_scan_config *cfg = st->scan->cfg;
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_storage ss;
    socklen_t len;
    struct ps_ip any = {.family = (uint8_t)family};

    if (fd < 0)
        return -errno;
    if (family == AF_INET6) {
        set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
        set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
        set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
    } else {
        set_int(fd, IPPROTO_IP, IP_RECVERR, 1);
        set_int(fd, IPPROTO_IP, IP_RECVTTL, 1);
    }
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){RCVBUF}, sizeof(int)) < 0)
        set_int(fd, SOL_SOCKET, SO_RCVBUF, RCVBUF);
    if (cfg->interface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cfg->interface,
                                     (socklen_t)strlen(cfg->interface) + 1) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    len = ps__ip_sockaddr(cfg->source_ip.family == family ? &cfg->source_ip : &any,
                          (uint16_t)cfg->source_port, &ss);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

static int udp_open(struct ps__scan *scan, void **state)
{
    struct udp_state *st = calloc(1, sizeof *st);
    int err4, err6;

    if (!st)
        return PS_ENOMEM;
    st->scan = scan;
    st->fd[0] = st->fd[1] = -1;
    *state = st;
    st->payloads = ps__payloads_builtin();
    if (!st->payloads)
        return PS_ENOMEM;
    int rc = ps__payloads_load_file(st->payloads, NMAP_PAYLOADS, scan->cfg->log);
    if (rc < 0 && rc != PS_ENOENT)
        ps__scan_log(scan, PS_LOG_WARN, "UDP scan: %s not used; built-in payloads only",
                     NMAP_PAYLOADS);
    err4 = st->fd[0] = open_socket(st, AF_INET);
    err6 = st->fd[1] = open_socket(st, AF_INET6);
    if (st->fd[0] < 0 && st->fd[1] < 0) {
        int err = err4 == -EAFNOSUPPORT ? -err6 : -err4;
        ps__scan_log(scan, PS_LOG_ERROR, "UDP scan: cannot open a socket on port %d: %s",
                     scan->cfg->source_port, strerror(err));
        return err == EADDRINUSE || err == EACCES ? PS_EINVAL : PS_EIO;
    }
    for (int i = 0; i < 2; i++) {
        if (st->fd[i] < 0)
            continue;
        st->handler[i] = (struct ps__loop_handler){st->fd[i], on_ready, st};
        if (ps__loop_add(ps__scan_loop(scan), &st->handler[i], EPOLLIN) < 0)
            return PS_EIO;
    }
    return 0;
}

const struct ps__probe_module ps__probe_udp = {
    .name = "udp",
    .nmap_type = "udp",
    .type_bit = PS_SCAN_UDP,
    .proto = PS_PROTO_UDP,
    .open = udp_open,
    .send = udp_send,
    .abandon = udp_abandon,
    .close = udp_close,
    .stateless = 1,
    .errors_limited = 1,
    .silent_state = PS_PORT_OPEN_FILTERED,
};
