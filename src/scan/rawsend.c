/* The raw sender (stateless.h). IPPROTO_RAW sockets take the whole IP
 * packet as written (the kernel still routes it, resolves the neighbour
 * and, for IPv4, fills in the header checksum), so one socket per family
 * sends every probe of the scan. Probes are queued and handed over with
 * one sendmmsg() per burst: at the rates a SYN scan reaches on a local
 * path, one system call per packet would cost more than the packet. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portscope/error.h"
#include "scan/ip_int.h"
#include "scan/stateless.h"

/* A send buffer large enough for the bursts of a fast scan; raising it
 * beyond the system's limit needs CAP_NET_ADMIN, which root has. */
#define SNDBUF (4 << 20)

static int open_one(int family, int *err)
{
    int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
    int size = SNDBUF;

    if (fd < 0) {
        *err = errno;
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    *err = 0;
    return fd;
}

int ps__raw_open(struct ps__raw *r)
{
    memset(r, 0, sizeof *r);
    r->fd4 = open_one(AF_INET, &r->err4);
    r->fd6 = open_one(AF_INET6, &r->err6);
    if (r->fd4 >= 0 || r->fd6 >= 0)
        return 0;
    if (r->err4 == EPERM || r->err4 == EACCES)
        return PS_EACCES;
    return r->err4 == EMFILE || r->err4 == ENFILE ? PS_ELIMIT : PS_EIO;
}

uint8_t *ps__raw_slot(struct ps__raw *r)
{
    if (r->queued == PS__RAW_QUEUE)
        ps__raw_flush(r);
    return r->pkt[r->queued];
}

int ps__raw_queue(struct ps__raw *r, const struct ps_ip *dst, size_t len)
{
    unsigned i = r->queued;
    struct sockaddr_storage *to = &r->to[i];
    socklen_t tolen;

    if ((dst->family == AF_INET6 ? r->fd6 : r->fd4) < 0)
        return PS_EUNSUPP;
    tolen = ps__ip_sockaddr(dst, 0, to);
    r->len[i] = (uint16_t)len;
    r->iov[i] = (struct iovec){r->pkt[i], len};
    r->msgs[i].msg_hdr = (struct msghdr){.msg_name = to, .msg_namelen = tolen,
                                         .msg_iov = &r->iov[i], .msg_iovlen = 1};
    r->queued++;
    return 0;
}

/* Sends msgs[from..to) of one family through fd. */
static void send_run(struct ps__raw *r, int fd, unsigned from, unsigned to)
{
    while (from < to) {
        int n = sendmmsg(fd, &r->msgs[from], to - from, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* A full queue (EAGAIN, ENOBUFS) or an unroutable packet:
             * skip one and go on; the engine retries it as a loss. */
            r->failed++;
            from++;
            continue;
        }
        r->sent += (unsigned)n;
        from += (unsigned)n;
    }
}

void ps__raw_flush(struct ps__raw *r)
{
    unsigned i = 0;

    /* Consecutive packets of one family go in one call. */
    while (i < r->queued) {
        int v6 = r->to[i].ss_family == AF_INET6;
        unsigned j = i + 1;
        while (j < r->queued && (r->to[j].ss_family == AF_INET6) == v6)
            j++;
        send_run(r, v6 ? r->fd6 : r->fd4, i, j);
        i = j;
    }
    r->queued = 0;
}

void ps__raw_close(struct ps__raw *r)
{
    if (r->fd4 >= 0)
        close(r->fd4);
    if (r->fd6 >= 0)
        close(r->fd6);
    r->fd4 = r->fd6 = -1;
}
