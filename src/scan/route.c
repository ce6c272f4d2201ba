/* Source addresses by destination (stateless.h). A raw packet carries its
 * own source address, and the TCP and UDP checksums cover it, so the
 * module must know which address the kernel will route from. connect() on
 * a UDP socket asks the routing table without sending anything. A scan
 * sends many probes to each host in random order, so the answers are
 * cached, direct-mapped by destination. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portscope/error.h"
#include "scan/ip_int.h"
#include "scan/stateless.h"

#define CACHE_SLOTS 4096

struct route_entry {
    struct ps_ip dst, src; /* dst.family 0: empty */
};

struct ps__route_cache {
    int fd[2]; /* UDP sockets for IPv4 and IPv6, opened when first needed */
    struct route_entry slot[CACHE_SLOTS];
};

struct ps__route_cache *ps__route_cache_new(void)
{
    struct ps__route_cache *c = calloc(1, sizeof *c);

    if (c)
        c->fd[0] = c->fd[1] = -1;
    return c;
}

void ps__route_cache_free(struct ps__route_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < 2; i++)
        if (c->fd[i] >= 0)
            close(c->fd[i]);
    free(c);
}

static int ask_kernel(struct ps__route_cache *c, const struct ps_ip *dst,
                      struct ps_ip *src)
{
    int v6 = dst->family == AF_INET6;
    struct sockaddr_storage ss;
    socklen_t len;

    if (c->fd[v6] < 0)
        c->fd[v6] = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (c->fd[v6] < 0)
        return errno == EMFILE || errno == ENFILE ? PS_ELIMIT : PS_EIO;
    len = ps__ip_sockaddr(dst, 9, &ss); /* any port: nothing is sent */
    if (connect(c->fd[v6], (struct sockaddr *)&ss, len) < 0)
        return PS_EIO;
    len = sizeof ss;
    if (getsockname(c->fd[v6], (struct sockaddr *)&ss, &len) < 0)
        return PS_EIO;
    if (ps__ip_from_sockaddr(&ss, src, NULL) < 0)
        return PS_EIO;
    return 0;
}

int ps__route_source(struct ps__route_cache *c, const struct ps_ip *dst,
                     struct ps_ip *src)
{
    struct route_entry *e = &c->slot[ps__ip_hash(dst) % CACHE_SLOTS];

    if (e->dst.family == dst->family && memcmp(e->dst.bytes, dst->bytes, 16) == 0) {
        *src = e->src;
        return 0;
    }
    int rc = ask_kernel(c, dst, src);
    if (rc == 0)
        *e = (struct route_entry){*dst, *src};
    return rc;
}
