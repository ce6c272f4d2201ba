/* Not built: the program that recorded tests/data/sockets/ (see the
 * README.txt there). It opens a few sockets on 127.0.0.1 and ::1, then
 * saves every datagram of a sock_diag dump and the /proc/net tables while
 * they are open. Nothing leaves loopback.
 *
 *   cc -o capture tests/sockets/capture.c && ./capture OUTDIR   (as root,
 *   ports 47001-47004 free) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static FILE *man;

static unsigned long ino(int fd) { struct stat st; fstat(fd, &st); return st.st_ino; }

static int sock_at(int fam, int type, const char *addr, int port, const char *dev)
{
    int fd = socket(fam, type, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev)) < 0)
        perror("bindtodevice");
    if (fam == AF_INET) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        inet_pton(AF_INET, addr, &a.sin_addr);
        if (bind(fd, (void *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
    } else {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
        inet_pton(AF_INET6, addr, &a.sin6_addr);
        if (bind(fd, (void *)&a, sizeof a) < 0) { perror("bind6"); exit(1); }
    }
    return fd;
}

static int local_port(int fd)
{
    struct sockaddr_storage ss; socklen_t l = sizeof ss;
    getsockname(fd, (void *)&ss, &l);
    return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                                   : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void dump(const char *out, int fam, int proto)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    struct { struct nlmsghdr h; struct inet_diag_req_v2 r; } req = {0};
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = 1;
    req.r.sdiag_family = fam;
    req.r.sdiag_protocol = proto;
    req.r.idiag_states = 0xfff;
    struct sockaddr_nl k = {.nl_family = AF_NETLINK};
    if (sendto(fd, &req, sizeof req, 0, (void *)&k, sizeof k) < 0) { perror("sendto"); exit(1); }
    static char buf[65536];
    for (int i = 0;; i++) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) { perror("recv"); exit(1); }
        char path[256];
        snprintf(path, sizeof path, "%s.%d.bin", out, i);
        FILE *f = fopen(path, "wb"); fwrite(buf, 1, n, f); fclose(f);
        fprintf(man, "# %s: %zd bytes\n", path, n);
        struct nlmsghdr *h = (void *)buf;
        int done = 0;
        for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) done = 1;
        if (done) break;
    }
    close(fd);
}

static void copy(const char *src, const char *dst)
{
    char buf[1 << 16]; FILE *i = fopen(src, "r"), *o = fopen(dst, "w");
    size_t n; while ((n = fread(buf, 1, sizeof buf, i)) > 0) fwrite(buf, 1, n, o);
    fclose(i); fclose(o);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char p[512];
    snprintf(p, sizeof p, "%s/manifest.txt", dir);
    man = fopen(p, "w");
    int tl4 = sock_at(AF_INET, SOCK_STREAM, "127.0.0.1", 47001, NULL); listen(tl4, 16);
    int tl6 = sock_at(AF_INET6, SOCK_STREAM, "::1", 47002, NULL); listen(tl6, 16);
    int u4 = sock_at(AF_INET, SOCK_DGRAM, "127.0.0.1", 47003, "lo");
    int u6 = sock_at(AF_INET6, SOCK_DGRAM, "::1", 47004, NULL);
    /* an established pair over 127.0.0.1 */
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(47001)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(c4, (void *)&a, sizeof a) < 0) { perror("connect"); return 1; }
    int s4 = accept(tl4, NULL, NULL);
    /* a connected UDP socket over ::1 */
    int uc6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 b = {.sin6_family = AF_INET6, .sin6_port = htons(47004)};
    inet_pton(AF_INET6, "::1", &b.sin6_addr);
    connect(uc6, (void *)&b, sizeof b);
    /* queue some bytes on the server side so rqueue is non-zero */
    if (write(c4, "hello", 5) != 5) return 1;
    usleep(100000);
    fprintf(man, "tcp4 listen 127.0.0.1:47001 inode %lu\n", ino(tl4));
    fprintf(man, "tcp6 listen ::1:47002 inode %lu\n", ino(tl6));
    fprintf(man, "udp4 unconn 127.0.0.1:47003 dev lo(%u) inode %lu\n",
            if_nametoindex("lo"), ino(u4));
    fprintf(man, "udp6 unconn ::1:47004 inode %lu\n", ino(u6));
    fprintf(man, "tcp4 estab client 127.0.0.1:%d -> 47001 inode %lu\n", local_port(c4), ino(c4));
    fprintf(man, "tcp4 estab server 127.0.0.1:47001 <- %d inode %lu (5 bytes queued)\n",
            local_port(c4), ino(s4));
    fprintf(man, "udp6 estab ::1:%d -> ::1:47004 inode %lu\n", local_port(uc6), ino(uc6));
    fprintf(man, "uid %u\n", getuid());
    snprintf(p, sizeof p, "%s/diag-tcp4", dir); dump(p, AF_INET, IPPROTO_TCP);
    snprintf(p, sizeof p, "%s/diag-tcp6", dir); dump(p, AF_INET6, IPPROTO_TCP);
    snprintf(p, sizeof p, "%s/diag-udp4", dir); dump(p, AF_INET, IPPROTO_UDP);
    snprintf(p, sizeof p, "%s/diag-udp6", dir); dump(p, AF_INET6, IPPROTO_UDP);
    const char *t[] = {"tcp", "tcp6", "udp", "udp6"};
    for (int i = 0; i < 4; i++) {
        char src[64], dst[512];
        snprintf(src, sizeof src, "/proc/net/%s", t[i]);
        snprintf(dst, sizeof dst, "%s/proc-net-%s.txt", dir, t[i]);
        copy(src, dst);
    }
    fclose(man);
    return 0;
}
