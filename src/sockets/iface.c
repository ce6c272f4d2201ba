/* The interfaces sockets are bound to. sock_diag reports only an index,
 * which is meaningful in the dump's own namespace alone, so the names are
 * looked up right after the dump, before a caller that entered the
 * namespace leaves it. The ioctls run on a socket of our own, which
 * belongs to the namespace current when it was made; it sends nothing. */
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockets/sock_internal.h"

struct iface {
    uint32_t index;
    char name[IF_NAMESIZE];
    bool loopback;
};

/* Name and loopback flag of interface index; name "" when the lookup
 * fails (the interface went away since the dump). */
static struct iface lookup(int fd, uint32_t index)
{
    struct iface f = {.index = index};
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = (int)index;
    if (fd < 0 || ioctl(fd, SIOCGIFNAME, &ifr) != 0)
        return f;
    memcpy(f.name, ifr.ifr_name, sizeof f.name - 1);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
        f.loopback = (ifr.ifr_flags & IFF_LOOPBACK) != 0;
    return f;
}

static int ioctl_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return fd >= 0 ? fd : socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

void ps__sockets_name_ifaces(struct ps_socket_list *list, size_t from)
{
    struct iface seen[8]; /* a host binds sockets to few interfaces */
    size_t nseen = 0;
    int fd = -1;

    for (size_t i = from; i < list->count; i++) {
        struct ps_socket *s = &list->v[i];
        if (!s->ifindex)
            continue;
        size_t k = 0;
        while (k < nseen && seen[k].index != s->ifindex)
            k++;
        if (k == nseen) {
            if (fd < 0)
                fd = ioctl_socket();
            struct iface f = lookup(fd, s->ifindex);
            k = nseen < 8 ? nseen++ : 7; /* past 8, the last slot turns over */
            seen[k] = f;
        }
        memcpy(s->ifname, seen[k].name, sizeof s->ifname);
        s->if_loopback = seen[k].loopback;
    }
    if (fd >= 0)
        close(fd);
}
