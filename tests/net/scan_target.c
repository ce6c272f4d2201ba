/* ps-scan-target: the listening side of the network scan tests.
 *
 *   ps-scan-target SPEC...        SPEC: tcp:PORTS, udp:PORTS, dns:PORTS,
 *                                       mdns:PORTS or late:PORTS
 *
 * PORTS is a comma-separated list of ports and ranges ("22,80,8000-8010").
 * Every port is bound twice, on 0.0.0.0 and on :: (IPV6_V6ONLY=1 on the
 * IPv6 socket, so the two never clash). When every socket is bound it
 * prints "ready" on a line and then serves, with one epoll loop:
 *   - TCP: accepts every connection and closes it at once, so the backlog
 *     never fills however many scans run against it;
 *   - UDP: answers each datagram with a short reply ("ps-scan-target\n");
 *   - DNS (UDP too): answers only what a DNS server would, a request with
 *     a DNS header (12 bytes or more, QR clear), with that header turned
 *     into a response (QR set; NOTIMP for an opcode other than QUERY); an
 *     empty datagram, or any other payload, gets no answer. So a scanner
 *     finds it open only when it sends a DNS payload;
 *   - mDNS (UDP): answers only a standard query whose first question is
 *     _services._dns-sd._udp.local, as an mDNS responder answers a
 *     legacy unicast DNS-SD browse (RFC 6762 6.7, RFC 6763 9);
 *   - late (UDP): answers as udp: does, LATE_MS after the datagram came,
 *     so that the answer comes after a scanner's timeouts.
 * It exits 0 when its standard input reaches end of file (when stdin is a
 * pipe or FIFO; a terminal works too) or on SIGTERM or SIGINT, and 1 when
 * a port cannot be bound (message on stderr); 2 for bad arguments.
 * A few dozen ports per process is the intended use; the limit is
 * MAX_SOCKS sockets. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKS 4096
#define LATE_MS 150
#define MAX_LATE 4096 /* answers waiting */

enum kind { K_STDIN = -1, K_SIGNAL = -2 };
enum sock_kind { S_UDP, S_TCP, S_DNS, S_MDNS, S_LATE };

/* Answers of late: ports waiting for their time, in arrival order. */
struct late_answer {
    int fd;
    struct sockaddr_storage to;
    socklen_t len;
    long long due_ms;
};
static struct late_answer late[MAX_LATE];
static size_t late_head, late_count;

static int socks[MAX_SOCKS];
static enum sock_kind sock_kind[MAX_SOCKS];
static int nsocks;

static int open_one(int family, int tcp, unsigned port)
{
    int fd = socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        a->sin_port = htons((unsigned short)port);
        len = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_any;
        a->sin6_port = htons((unsigned short)port);
        len = sizeof *a;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || (tcp && listen(fd, SOMAXCONN) != 0)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int add_port(int ep, enum sock_kind kind, unsigned port)
{
    int tcp = kind == S_TCP;
    static const int families[2] = {AF_INET, AF_INET6};
    for (int f = 0; f < 2; f++) {
        if (nsocks >= MAX_SOCKS) {
            fprintf(stderr, "ps-scan-target: more than %d sockets\n", MAX_SOCKS);
            return -1;
        }
        int fd = open_one(families[f], tcp, port);
        if (fd < 0) {
            fprintf(stderr, "ps-scan-target: %s %s port %u: %s\n", tcp ? "tcp" : "udp",
                    families[f] == AF_INET ? "0.0.0.0" : "::", port, strerror(errno));
            return -1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)nsocks};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            perror("ps-scan-target: epoll_ctl");
            return -1;
        }
        socks[nsocks] = fd;
        sock_kind[nsocks] = kind;
        nsocks++;
    }
    return 0;
}

/* parse_spec: "tcp:22,80,100-110" -> sockets. Returns 0, or -1 (bind
 * failure, message printed) or -2 (bad spec). */
static int parse_spec(int ep, const char *spec)
{
    enum sock_kind kind;
    size_t skip = 4;
    if (strncmp(spec, "tcp:", 4) == 0)
        kind = S_TCP;
    else if (strncmp(spec, "udp:", 4) == 0)
        kind = S_UDP;
    else if (strncmp(spec, "dns:", 4) == 0)
        kind = S_DNS;
    else if (strncmp(spec, "mdns:", 5) == 0) {
        kind = S_MDNS;
        skip = 5;
    } else if (strncmp(spec, "late:", 5) == 0) {
        kind = S_LATE;
        skip = 5;
    }
    else
        return -2;
    const char *p = spec + skip;
    if (!*p)
        return -2;
    while (*p) {
        char *end;
        errno = 0;
        unsigned long lo = strtoul(p, &end, 10), hi;
        if (end == p || errno || lo < 1 || lo > 65535)
            return -2;
        hi = lo;
        p = end;
        if (*p == '-') {
            p++;
            hi = strtoul(p, &end, 10);
            if (end == p || errno || hi < lo || hi > 65535)
                return -2;
            p = end;
        }
        for (unsigned long port = lo; port <= hi; port++)
            if (add_port(ep, kind, (unsigned)port) != 0)
                return -1;
        if (*p == ',')
            p++;
        else if (*p)
            return -2;
    }
    return 0;
}

static void serve_tcp(int fd)
{
    for (;;) {
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return; /* EAGAIN, or out of descriptors for a moment */
        }
        close(c);
    }
}

/* dns_reply: the answer to a DNS request in buf (n bytes), made in place;
 * its length, or 0 when buf is not a DNS request. */
static size_t dns_reply(unsigned char *buf, ssize_t n)
{
    if (n < 12 || (buf[2] & 0x80)) /* too short for a header, or a response */
        return 0;
    unsigned opcode = (buf[2] >> 3) & 0x0f;
    buf[2] |= 0x80;                                  /* QR: a response */
    buf[3] = (unsigned char)(opcode == 0 ? 0 : 4);   /* NOERROR, or NOTIMP */
    return (size_t)n;
}

/* mdns_browse: whether buf (n bytes) is a standard query whose first
 * question name is _services._dns-sd._udp.local (any case). */
static int mdns_browse(const unsigned char *buf, ssize_t n)
{
    static const char name[] = "\x09_services\x07_dns-sd\x04_udp\x05local";
    size_t len = sizeof name; /* with the root label's 0 */
    if (n < 12 + (ssize_t)len || (buf[2] & 0xf8) || !(buf[4] | buf[5]))
        return 0; /* short, a response or not QUERY, or no question */
    for (size_t i = 0; i < len; i++)
        if (tolower(buf[12 + i]) != tolower((unsigned char)name[i]))
            return 0;
    return 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char reply[] = "ps-scan-target\n";

/* Sends the late answers that are due; the time to the next, or -1. */
static int late_send_due(void)
{
    long long now = now_ms();
    while (late_count) {
        struct late_answer *a = &late[late_head];
        if (a->due_ms > now)
            return (int)(a->due_ms - now);
        sendto(a->fd, reply, sizeof reply - 1, MSG_DONTWAIT, (struct sockaddr *)&a->to, a->len);
        late_head = (late_head + 1) % MAX_LATE;
        late_count--;
    }
    return -1;
}

static void late_queue(int fd, const struct sockaddr_storage *from, socklen_t len)
{
    if (late_count == MAX_LATE)
        return;
    struct late_answer *a = &late[(late_head + late_count++) % MAX_LATE];
    a->fd = fd;
    a->to = *from;
    a->len = len;
    a->due_ms = now_ms() + LATE_MS;
}

static void serve_udp(int fd, enum sock_kind kind)
{
    unsigned char buf[2048];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (kind == S_DNS || kind == S_MDNS) {
            size_t r = kind == S_DNS || mdns_browse(buf, n) ? dns_reply(buf, n) : 0;
            if (r)
                sendto(fd, buf, r, MSG_DONTWAIT, (struct sockaddr *)&from, len);
            continue;
        }
        if (kind == S_LATE) {
            late_queue(fd, &from, len);
            continue;
        }
        sendto(fd, reply, sizeof reply - 1, MSG_DONTWAIT, (struct sockaddr *)&from, len);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ps-scan-target tcp:PORTS|udp:PORTS|dns:PORTS|mdns:PORTS|late:PORTS...\n");
        return 2;
    }
    /* Gone with the shell that started it, should that shell be killed. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGPIPE, SIG_IGN);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (sfd < 0 || ep < 0) {
        perror("ps-scan-target");
        return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)K_SIGNAL};
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    /* stdin: a pipe, FIFO or terminal can be watched for end of file; a
     * regular file or /dev/null cannot (EPERM), and is then ignored. */
    ev.events = EPOLLIN | EPOLLHUP;
    ev.data.u32 = (unsigned)K_STDIN;
    int watch_stdin = epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) == 0;

    for (int i = 1; i < argc; i++) {
        int r = parse_spec(ep, argv[i]);
        if (r == -2) {
            fprintf(stderr, "ps-scan-target: bad port spec '%s'\n", argv[i]);
            return 2;
        }
        if (r != 0)
            return 1;
    }
    printf("ready\n");
    fflush(stdout);

    struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(ep, evs, 64, late_send_due());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("ps-scan-target: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            int k = (int)evs[i].data.u32;
            if (k == K_SIGNAL)
                return 0;
            if (k == K_STDIN) {
                char buf[256];
                ssize_t r = read(0, buf, sizeof buf);
                if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
                    if (watch_stdin)
                        return 0;
                }
                continue;
            }
            if (sock_kind[k] == S_TCP)
                serve_tcp(socks[k]);
            else
                serve_udp(socks[k], sock_kind[k]);
        }
    }
}
