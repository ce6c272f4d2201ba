/* The way back from an answer to its probe, for stateless probe modules
 * (SYN, UDP): their answers arrive on one shared socket or capture, name
 * only an address and a port, and must find the probe in flight for that
 * pair. Three steps, each O(1): the address to the live host (a chained
 * hash over the live hosts), the port to the pair (a table per protocol),
 * and the pair to its newest probe (host->inflight). Connect probes do not
 * need any of it: each has a descriptor of its own. */
#include <stdlib.h>
#include <string.h>

#include "portscope/error.h"
#include "scan/engine.h"
#include "scan/ip_int.h"

#define MAP_MIN 1024

static int map_grow(struct ps__scan *scan)
{
    size_t n = scan->host_map ? (scan->host_map_mask + 1) * 2 : MAP_MIN;
    struct ps__host **m = calloc(n, sizeof *m);

    if (!m)
        return PS_ENOMEM;
    for (size_t i = 0; scan->host_map && i <= scan->host_map_mask; i++) {
        struct ps__host *h = scan->host_map[i], *next;
        for (; h; h = next) {
            next = h->map_next;
            size_t b = ps__ip_hash(&h->ip) & (n - 1);
            h->map_next = m[b];
            m[b] = h;
        }
    }
    free(scan->host_map);
    scan->host_map = m;
    scan->host_map_mask = n - 1;
    return 0;
}

int ps__lookup_host_add(struct ps__scan *scan, struct ps__host *h)
{
    if (!scan->stateless)
        return 0;
    if ((!scan->host_map || scan->host_map_count > scan->host_map_mask) &&
        map_grow(scan) < 0)
        return PS_ENOMEM;
    h->inflight = calloc(scan->pair_count, sizeof *h->inflight);
    if (!h->inflight)
        return PS_ENOMEM;
    size_t b = ps__ip_hash(&h->ip) & scan->host_map_mask;
    h->map_next = scan->host_map[b];
    scan->host_map[b] = h;
    scan->host_map_count++;
    return 0;
}

void ps__lookup_host_del(struct ps__scan *scan, struct ps__host *h)
{
    if (!scan->stateless || !scan->host_map)
        return;
    struct ps__host **pp = &scan->host_map[ps__ip_hash(&h->ip) & scan->host_map_mask];
    for (; *pp; pp = &(*pp)->map_next) {
        if (*pp == h) {
            *pp = h->map_next;
            scan->host_map_count--;
            break;
        }
    }
    free(h->inflight);
    h->inflight = NULL;
}

int ps__lookup_pairs_build(struct ps__scan *scan)
{
    if (!scan->stateless)
        return 0;
    scan->pair_by_port = calloc(2 * 65536, sizeof *scan->pair_by_port);
    if (!scan->pair_by_port)
        return PS_ENOMEM;
    for (uint32_t i = 0; i < scan->pair_count; i++) {
        const struct ps__pair_port *pp = &scan->pairs[i];
        size_t row = pp->proto == PS_PROTO_UDP ? 65536 : 0;
        scan->pair_by_port[row + pp->port] = i + 1;
    }
    return 0;
}

static uint32_t probe_number(const struct ps__scan *scan, const struct ps__probe *p)
{
    return (uint32_t)(p - scan->probes) + 1;
}

void ps__lookup_probe_sent(struct ps__scan *scan, struct ps__probe *p)
{
    if (p->host->inflight)
        p->host->inflight[p->port_idx] = probe_number(scan, p);
}

/* p is being released: its pair now points at its twin, if one is still
 * out, else at nothing. */
void ps__lookup_probe_gone(struct ps__scan *scan, struct ps__probe *p)
{
    uint32_t *slot;

    if (!p->host || !p->host->inflight)
        return;
    slot = &p->host->inflight[p->port_idx];
    if (*slot == probe_number(scan, p))
        *slot = p->twin ? probe_number(scan, p->twin) : 0;
}

/* The pair number (index + 1) of (proto, port), or 0 when not scanned. */
static uint32_t pair_of(const struct ps__scan *scan, uint8_t proto, uint16_t port)
{
    if (!scan->host_map || !scan->pair_by_port)
        return 0;
    return scan->pair_by_port[(proto == PS_PROTO_UDP ? 65536 : 0) + port];
}

/* The live host of ip whose pair has a probe in flight (busy) or has none
 * (!busy), or NULL. The same address may be listed twice. */
static struct ps__host *host_of(struct ps__scan *scan, const struct ps_ip *ip,
                                uint32_t pair, int busy)
{
    struct ps__host *h = scan->host_map[ps__ip_hash(ip) & scan->host_map_mask];

    for (; h; h = h->map_next)
        if (h->ip.family == ip->family && memcmp(h->ip.bytes, ip->bytes, 16) == 0 &&
            (h->inflight[pair - 1] != 0) == busy)
            return h;
    return NULL;
}

struct ps__probe *ps__scan_find(struct ps__scan *scan, const struct ps_ip *ip,
                                uint8_t proto, uint16_t port)
{
    uint32_t pair = pair_of(scan, proto, port);
    struct ps__host *h = pair ? host_of(scan, ip, pair, 1) : NULL;

    return h ? &scan->probes[h->inflight[pair - 1] - 1] : NULL;
}

void ps__scan_late_answer(struct ps__scan *scan, const struct ps_ip *ip,
                          uint8_t proto, uint16_t port, enum ps_port_state state,
                          enum ps_port_reason reason, uint8_t ttl)
{
    uint32_t pair = pair_of(scan, proto, port);
    struct ps__host *h = pair ? host_of(scan, ip, pair, 0) : NULL;

    if (!h)
        return;
    struct ps_port_result *r = &h->res[pair - 1];
    /* A pair between two tries keeps the answer until its next try is
     * due, which then decides it (ps__host_take_answer); of a decided
     * pair, only silence gives way. */
    if (r->state != PS_PORT_UNKNOWN && r->reason != PS_REASON_NO_RESPONSE)
        return;
    r->state = (uint8_t)state;
    r->reason = (uint8_t)reason;
    r->ttl = ttl;
    scan->late_answers++;
}

void ps__lookup_free(struct ps__scan *scan)
{
    free(scan->host_map);
    scan->host_map = NULL;
    free(scan->pair_by_port);
    scan->pair_by_port = NULL;
}
