/* TCP SYN probes (-sS): crafted SYNs through a raw socket, answers from a
 * capture, matched without any per-probe state on the wire side.
 *
 * Each SYN's sequence number is a keyed cookie of its addresses and ports
 * (stateless.h) with the try number in its low bits; a SYN-ACK or RST
 * echoes it plus one in its acknowledgement, and an ICMP error quotes it.
 * An answer that does not carry the cookie of its own addresses is not an
 * answer to us and is dropped, so the capture filter can stay simple and
 * nothing on the path can forge results without the per-scan secret. The
 * engine keeps the pair's probe in flight (lookup.c), so the answer then
 * decides it exactly as a connect() result would.
 *
 * The kernel knows nothing of these half-open connections: a SYN-ACK
 * reaches no socket of ours and the kernel answers it with a reset, which
 * is what nmap relies on too. Needs CAP_NET_RAW (raw socket, capture). */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "portscope/error.h"
#include "scan/engine.h"
#include "scan/pkt.h"
#include "scan/stateless.h"

/* The try number rides in the low bits of the sequence number, so that
 * an answer names the probe it answers (max_retries is capped at 50). */
#define TRY_BITS 6
#define TRY_MASK ((1u << TRY_BITS) - 1)
#define SYN_TTL 64

struct syn_state {
    struct ps__scan *scan;
    uint8_t key[16];
    uint16_t sport;
    int dlt;
    struct ps_ip source;            /* -S, or family 0 */
    struct ps__route_cache *routes;
    struct ps__raw raw;
    struct ps__capture *cap;
    struct ps__loop_handler handler; /* the capture's descriptor */
};

static uint32_t seq_for(const struct syn_state *st, const struct ps_ip *src,
                        const struct ps_ip *dst, uint16_t dport, unsigned tryno)
{
    uint32_t c = ps__cookie(st->key, src, dst, st->sport, dport);
    return (c & ~TRY_MASK) | (tryno & TRY_MASK);
}

/* The probe of the pair that try number tryno was; p is the newest. An
 * answer to a try that has already timed out goes to the newest. */
static struct ps__probe *probe_of_try(struct ps__probe *p, unsigned tryno)
{
    if (p->tryno != tryno && p->twin && p->twin->tryno == tryno)
        return p->twin;
    return p;
}

static void on_tcp(struct syn_state *st, const struct ps__pkt *k)
{
    if (k->dport != st->sport)
        return;
    uint32_t echoed = k->ack - 1;
    uint32_t want = seq_for(st, &k->dst, &k->src, k->sport, 0);
    if ((echoed & ~TRY_MASK) != want)
        return;
    enum ps_port_state state;
    enum ps_port_reason why;
    if ((k->tcp_flags & (PS__TCP_SYN | PS__TCP_ACK)) == (PS__TCP_SYN | PS__TCP_ACK))
        state = PS_PORT_OPEN, why = PS_REASON_SYN_ACK;
    else if (k->tcp_flags & PS__TCP_RST)
        state = PS_PORT_CLOSED, why = PS_REASON_RESET;
    else
        return;
    struct ps__probe *p = ps__scan_find(st->scan, &k->src, PS_PROTO_TCP, k->sport);
    if (p)
        ps__scan_answer(st->scan, probe_of_try(p, echoed & TRY_MASK), state, why, k->ttl);
    else /* a duplicate, or late: after the last try timed out */
        ps__scan_late_answer(st->scan, &k->src, PS_PROTO_TCP, k->sport, state, why, k->ttl);
}

static void on_icmp(struct syn_state *st, const struct ps__pkt *k)
{
    enum ps_port_reason why = ps__icmp_reason(k->src.family, k->icmp_type, k->icmp_code);

    if (why == PS_REASON_NONE || k->orig_proto != IPPROTO_TCP ||
        k->orig_sport != st->sport || !k->has_orig_seq)
        return;
    uint32_t want = seq_for(st, &k->orig_src, &k->orig_dst, k->orig_dport, 0);
    if ((k->orig_seq & ~TRY_MASK) != want)
        return;
    struct ps__probe *p = ps__scan_find(st->scan, &k->orig_dst, PS_PROTO_TCP,
                                        k->orig_dport);
    if (p)
        ps__scan_answer(st->scan, probe_of_try(p, k->orig_seq & TRY_MASK),
                        PS_PORT_FILTERED, why, k->ttl);
    else
        ps__scan_late_answer(st->scan, &k->orig_dst, PS_PROTO_TCP, k->orig_dport,
                             PS_PORT_FILTERED, why, k->ttl);
}

static void on_frame(void *ud, const uint8_t *frame, size_t len)
{
    struct syn_state *st = ud;
    struct ps__pkt k;

    if (ps__pkt_parse_frame(st->dlt, frame, len, &k) != 0)
        return;
    if (k.kind == PS__PKT_TCP)
        on_tcp(st, &k);
    else if (k.kind == PS__PKT_ICMP_ERR)
        on_icmp(st, &k);
}

static void on_readable(struct ps__loop_handler *h, unsigned events)
{
    struct syn_state *st = h->ud;

    (void)events;
    if (ps__capture_dispatch(st->cap, on_frame, st) < 0)
        ps__scan_log(st->scan, PS_LOG_WARN, "SYN scan: reading the capture failed");
}

static int source_for(struct syn_state *st, const struct ps_ip *dst, struct ps_ip *src)
{
    if (st->source.family == dst->family) {
        *src = st->source;
        return 0;
    }
    if (st->source.family) { /* -S of the other family: no packet can carry it */
        char a[46], b[46];
        ps__scan_log(st->scan, PS_LOG_ERROR, "-S %s cannot be the source of a probe to %s",
                     ps_ip_format(&st->source, a, sizeof a), ps_ip_format(dst, b, sizeof b));
        return PS_EINVAL;
    }
    return ps__route_source(st->routes, dst, src);
}

static int syn_send(void *state, struct ps__probe *p, const struct ps_ip *ip,
                    uint16_t port)
{
    struct syn_state *st = state;
    struct ps_ip src;
    int rc = source_for(st, ip, &src);

    if (rc == PS_ELIMIT || rc == PS_EINVAL)
        return rc;
    if (rc < 0) { /* no route: nothing can reach the port from here */
        ps__scan_answer(st->scan, p, PS_PORT_FILTERED, PS_REASON_NET_UNREACH, 0);
        return 0;
    }
    uint32_t seq = seq_for(st, &src, ip, port, p->tryno);
    uint8_t *buf = ps__raw_slot(&st->raw);
    size_t len = ps__pkt_build_syn(buf, PS__RAW_PKT_MAX, &src, ip, st->sport, port,
                                   seq, SYN_TTL, (uint16_t)(seq >> 16));
    if (len == 0 || ps__raw_queue(&st->raw, ip, len) < 0) {
        ps__scan_log(st->scan, PS_LOG_ERROR, "SYN scan: no raw socket for %s targets",
                     ip->family == AF_INET6 ? "IPv6" : "IPv4");
        return PS_EUNSUPP;
    }
    return 0;
}

static void syn_flush(void *state)
{
    struct syn_state *st = state;
    ps__raw_flush(&st->raw);
}

static void syn_abandon(void *state, struct ps__probe *p)
{
    (void)state;
    (void)p; /* nothing held: a late answer finds no probe and is dropped */
}

static void syn_close(void *state)
{
    struct syn_state *st = state;

    ps__raw_close(&st->raw);
    ps__capture_close(st->cap);
    ps__route_cache_free(st->routes);
    free(st);
}

/* -e: the raw sockets send through that interface only. */
static int bind_device(struct syn_state *st, const char *ifname)
{
    int fds[2] = {st->raw.fd4, st->raw.fd6};

    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_BINDTODEVICE, ifname,
                                      (socklen_t)strlen(ifname) + 1) < 0) {
            ps__scan_log(st->scan, PS_LOG_ERROR, "interface %s: %s", ifname,
                         strerror(errno));
            return PS_EINVAL;
        }
    return 0;
}

static int open_capture(struct syn_state *st)
{
    const struct ps_scan_config *cfg = st->scan->cfg;
    char filter[256], err[320];

    /* Answers to our source port, and the unreachables that may quote a
     * probe; the cookie sorts out the rest. */
    snprintf(filter, sizeof filter,
             "(tcp and dst port %u) or (icmp and icmp[icmptype] == icmp-unreach)"
             " or (icmp6 and icmp6[icmp6type] == icmp6-destinationunreach)",
             (unsigned)st->sport);
    int rc = ps__capture_open(cfg->interface, filter, &st->cap, err, sizeof err);
    if (rc < 0) {
        ps__scan_log(st->scan, PS_LOG_ERROR, "SYN scan: %s", err);
        return rc;
    }
    st->dlt = ps__capture_datalink(st->cap);
    st->handler = (struct ps__loop_handler){ps__capture_fd(st->cap), on_readable, st};
    rc = ps__loop_add(ps__scan_loop(st->scan), &st->handler, EPOLLIN);
    return rc < 0 ? PS_EIO : 0;
}

static void explain_privilege(struct ps__scan *scan)
{
    ps__scan_log(scan, PS_LOG_ERROR,
                 "a SYN scan (-sS) needs raw sockets: run it as root, or give the "
                 "binary the capability (setcap cap_net_raw+ep); a connect scan "
                 "(-sT) needs no privilege");
}

static int syn_open(struct ps__scan *scan, void **state)
{
    const struct ps_scan_config *cfg = scan->cfg;
    struct syn_state *st = calloc(1, sizeof *st);
    int rc;

    if (!st)
        return PS_ENOMEM;
    st->scan = scan;
    st->raw.fd4 = st->raw.fd6 = -1;
    *state = st;
    if (getrandom(st->key, sizeof st->key, 0) != sizeof st->key)
        return PS_EIO;
    st->sport = (uint16_t)cfg->source_port;
    st->source = cfg->source_ip;
    st->routes = ps__route_cache_new();
    if (!st->routes)
        return PS_ENOMEM;
    if ((rc = ps__raw_open(&st->raw)) < 0) {
        if (rc == PS_EACCES)
            explain_privilege(scan);
        return rc;
    }
    if (cfg->interface && (rc = bind_device(st, cfg->interface)) < 0)
        return rc;
    rc = open_capture(st);
    if (rc == PS_EACCES)
        explain_privilege(scan);
    return rc;
}

const struct ps__probe_module ps__probe_syn = {
    .name = "syn",
    .nmap_type = "syn",
    .type_bit = PS_SCAN_SYN,
    .proto = PS_PROTO_TCP,
    .open = syn_open,
    .send = syn_send,
    .abandon = syn_abandon,
    .close = syn_close,
    .flush = syn_flush,
    .stateless = 1,
};
