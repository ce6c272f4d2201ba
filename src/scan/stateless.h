/* What the stateless probe modules (probes/syn.c, and UDP later) share:
 * the keyed cookie that lets an answer prove it answers our probe, the
 * kernel's choice of source address, the raw sender and the capture.
 * Never installed. */
#ifndef PS_SCAN_STATELESS_H
#define PS_SCAN_STATELESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "portscope/scanres.h"
#include "portscope/targets.h"

/* cookie.c: SipHash-2-4 of (family, src, dst, sport, dport) under a
 * per-scan secret, folded to 32 bits. Nothing is stored per probe: an
 * answer is ours when the number it echoes matches the cookie of its own
 * addresses and ports. */
uint32_t ps__cookie(const uint8_t key[16], const struct ps_ip *src,
                    const struct ps_ip *dst, uint16_t sport, uint16_t dport);

/* icmp.c: the reason an ICMP (family AF_INET) or ICMPv6 (AF_INET6)
 * destination-unreachable gives, as nmap names it; PS_REASON_NONE for
 * other types and codes, which decide nothing. */
enum ps_port_reason ps__icmp_reason(int family, uint8_t type, uint8_t code);

/* route.c: the source address the kernel picks to reach a destination,
 * asked through an unsent UDP connect() and cached by destination. */
struct ps__route_cache;
struct ps__route_cache *ps__route_cache_new(void);
/* 0 with *src set, or a negative PS_E* code (no route: PS_EIO). */
int ps__route_source(struct ps__route_cache *c, const struct ps_ip *dst,
                     struct ps_ip *src);
void ps__route_cache_free(struct ps__route_cache *c);

/* rawsend.c: IPv4 and IPv6 raw sockets that take whole IP packets
 * (IPPROTO_RAW), and a queue sent with one sendmmsg() per flush. */
#define PS__RAW_QUEUE 64
#define PS__RAW_PKT_MAX 96 /* an IPv6 header and a TCP SYN with options */
struct ps__raw {
    int fd4, fd6;              /* -1 when that family could not be opened */
    int err4, err6;            /* the errno of a socket that failed */
    unsigned queued;
    uint64_t sent, failed;     /* packets the kernel took / refused */
    struct mmsghdr msgs[PS__RAW_QUEUE];
    struct iovec iov[PS__RAW_QUEUE];
    struct sockaddr_storage to[PS__RAW_QUEUE];
    uint8_t pkt[PS__RAW_QUEUE][PS__RAW_PKT_MAX];
    uint16_t len[PS__RAW_QUEUE];
};
/* Opens both sockets. 0 when at least one opened; PS_EACCES when neither
 * could for lack of privilege (CAP_NET_RAW); another PS_E* code else. */
int ps__raw_open(struct ps__raw *r);
/* The next free packet buffer, flushing a full queue first. */
uint8_t *ps__raw_slot(struct ps__raw *r);
/* Queues the len bytes written into the last slot for dst. Returns 0 or
 * PS_EAFNOSUPPORT-like PS_EUNSUPP when dst's family has no socket. */
int ps__raw_queue(struct ps__raw *r, const struct ps_ip *dst, size_t len);
/* Sends what is queued. Packets the kernel refuses (a full queue) are
 * counted in failed and dropped: the engine retries them as lost. */
void ps__raw_flush(struct ps__raw *r);
void ps__raw_close(struct ps__raw *r);

/* capture.c: libpcap on one interface (NULL: every interface), incoming
 * frames only, non-blocking, in immediate mode, through a BPF filter. */
struct ps__capture;
/* 0, or a negative PS_E* code with err (errlen bytes) saying why. */
int ps__capture_open(const char *ifname, const char *filter,
                     struct ps__capture **out, char *err, size_t errlen);
int ps__capture_fd(const struct ps__capture *c);
int ps__capture_datalink(const struct ps__capture *c);
typedef void (*ps__capture_fn)(void *ud, const uint8_t *frame, size_t len);
/* Hands every frame waiting to fn. Returns how many, or -1 on error. */
int ps__capture_dispatch(struct ps__capture *c, ps__capture_fn fn, void *ud);
/* Frames the kernel dropped for lack of buffer so far. */
unsigned ps__capture_drops(struct ps__capture *c);
void ps__capture_close(struct ps__capture *c);

#endif
