/* The capture of answers (stateless.h), through libpcap: the kernel runs
 * the BPF filter compiled for the scan, so only answers to our probes
 * reach user space, and a memory-mapped ring carries them. Immediate
 * mode hands each frame over as it arrives: the engine times answers to
 * the microsecond and must not see them a buffer-timeout late. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "portscope/error.h"
#include "scan/stateless.h"

/* Room for the answers of a fast burst while the loop is sending. */
#define RING_BYTES (4 << 20)
#define SNAPLEN 256 /* headers, and the header an ICMP error quotes */

struct ps__capture {
    pcap_t *p;
    int dlt;
};

static int fail(pcap_t *p, const char *what, char *err, size_t errlen, int rc)
{
    snprintf(err, errlen, "%s: %s", what, p ? pcap_geterr(p) : "");
    if (p)
        pcap_close(p);
    return rc;
}

static int activate(pcap_t *p, char *err, size_t errlen)
{
    if (pcap_set_snaplen(p, SNAPLEN) || pcap_set_promisc(p, 0) ||
        pcap_set_immediate_mode(p, 1) || pcap_set_buffer_size(p, RING_BYTES))
        return fail(p, "capture setup", err, errlen, PS_EIO);
    int rc = pcap_activate(p);
    if (rc == PCAP_ERROR_PERM_DENIED)
        return fail(p, "capture", err, errlen, PS_EACCES);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
        return fail(p, "capture: no such interface", err, errlen, PS_ENOENT);
    if (rc < 0)
        return fail(p, "capture", err, errlen, PS_EIO);
    return 0;
}

int ps__capture_open(const char *ifname, const char *filter,
                     struct ps__capture **out, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    struct bpf_program prog;

    *out = NULL;
    pcap_t *p = pcap_create(ifname ? ifname : "any", ebuf);
    if (!p) {
        snprintf(err, errlen, "capture: %s", ebuf);
        return PS_EIO;
    }
    int rc = activate(p, err, errlen);
    if (rc < 0)
        return rc;
    /* Our own probes leave through the same interface (and come back on
     * loopback): incoming frames only. */
    if (pcap_setdirection(p, PCAP_D_IN) < 0)
        return fail(p, "capture direction", err, errlen, PS_EIO);
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
        return fail(p, "capture filter", err, errlen, PS_EIO);
    rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc < 0)
        return fail(p, "capture filter", err, errlen, PS_EIO);
    if (pcap_setnonblock(p, 1, ebuf) < 0 || pcap_get_selectable_fd(p) < 0)
        return fail(p, "capture non-blocking", err, errlen, PS_EIO);
    struct ps__capture *c = malloc(sizeof *c);
    if (!c) {
        pcap_close(p);
        return PS_ENOMEM;
    }
    c->p = p;
    c->dlt = pcap_datalink(p);
    *out = c;
    return 0;
}

int ps__capture_fd(const struct ps__capture *c)
{
    return pcap_get_selectable_fd(c->p);
}

int ps__capture_datalink(const struct ps__capture *c)
{
    return c->dlt;
}

struct relay {
    ps__capture_fn fn;
    void *ud;
};

static void relay(u_char *ud, const struct pcap_pkthdr *h, const u_char *bytes)
{
    const struct relay *r = (const struct relay *)ud;
    r->fn(r->ud, bytes, h->caplen);
}

int ps__capture_dispatch(struct ps__capture *c, ps__capture_fn fn, void *ud)
{
    struct relay r = {fn, ud};
    int total = 0, n;

    /* -1: everything in the ring now; non-blocking, so 0 means empty. */
    while ((n = pcap_dispatch(c->p, -1, relay, (u_char *)&r)) > 0)
        total += n;
    return n < 0 ? -1 : total;
}

unsigned ps__capture_drops(struct ps__capture *c)
{
    struct pcap_stat st;

    return pcap_stats(c->p, &st) == 0 ? st.ps_drop : 0;
}

void ps__capture_close(struct ps__capture *c)
{
    if (!c)
        return;
    pcap_close(c->p);
    free(c);
}
