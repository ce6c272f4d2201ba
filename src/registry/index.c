/* The read-only indexes built by ps_registry_seal(): a per-port table in
 * compressed-row form and a chained hash over names and aliases. */
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"

#define SLOTS ((size_t)PS_PROTO_COUNT * 65536)

static size_t slot_of(unsigned proto, unsigned port)
{
    return (size_t)proto * 65536 + port;
}

static int build_port_index(struct ps_registry *reg)
{
    uint32_t *start = calloc(SLOTS + 1, sizeof *start);
    size_t total = 0;

    if (!start)
        return PS_ENOMEM;
    for (size_t i = 0; i < reg->count; i++) {
        const struct ps_service *r = &reg->records[i];
        for (unsigned p = r->port; p <= r->port_end; p++)
            start[slot_of(r->proto, p) + 1]++;
        total += (size_t)r->port_end - r->port + 1;
    }
    for (size_t s = 0; s < SLOTS; s++)
        start[s + 1] += start[s];

    const struct ps_service **recs = malloc((total ? total : 1) * sizeof *recs);
    uint32_t *fill = malloc(SLOTS * sizeof *fill);
    if (!recs || !fill) {
        free(start);
        free(recs);
        free(fill);
        return PS_ENOMEM;
    }
    memcpy(fill, start, SLOTS * sizeof *fill);
    for (size_t i = 0; i < reg->count; i++) {
        const struct ps_service *r = &reg->records[i];
        for (unsigned p = r->port; p <= r->port_end; p++)
            recs[fill[slot_of(r->proto, p)]++] = r;
    }
    free(fill);
    reg->port_start = start;
    reg->port_recs = recs;
    return 0;
}

static void name_link(struct ps_registry *reg, size_t *n, const char *name,
                      const struct ps_service *svc)
{
    struct ps__name_entry *e = &reg->name_entries[*n];
    e->hash = ps__hash_name(name, strlen(name));
    e->svc = svc;
    e->next = reg->name_head[e->hash & reg->name_mask];
    reg->name_head[e->hash & reg->name_mask] = (uint32_t)++*n;
}

static int build_name_index(struct ps_registry *reg)
{
    size_t names = 0, buckets = 64, n = 0;

    for (size_t i = 0; i < reg->count; i++)
        names += 1 + reg->records[i].alias_count;
    while (buckets < names * 2)
        buckets *= 2;
    reg->name_head = calloc(buckets, sizeof *reg->name_head);
    reg->name_entries = malloc((names ? names : 1) * sizeof *reg->name_entries);
    if (!reg->name_head || !reg->name_entries)
        return PS_ENOMEM;
    reg->name_mask = buckets - 1;
    /* Linked in reverse so each chain lists records in load order. */
    for (size_t i = reg->count; i-- > 0;) {
        const struct ps_service *r = &reg->records[i];
        if (r->name[0])
            name_link(reg, &n, r->name, r);
        for (unsigned k = 0; k < r->alias_count; k++)
            name_link(reg, &n, r->aliases[k], r);
    }
    return 0;
}

int ps_registry_seal(struct ps_registry *reg)
{
    if (reg->sealed)
        return PS_ESTATE;
    int rc = build_port_index(reg);
    if (rc == 0)
        rc = build_name_index(reg);
    if (rc)
        return rc;
    free(reg->dedup);
    reg->dedup = NULL;
    reg->dedup_cap = 0;
    reg->sealed = true;
    return 0;
}

size_t ps_registry_find_port(const struct ps_registry *reg,
                             enum ps_proto proto, unsigned port,
                             const struct ps_service **out, size_t max)
{
    if (!reg->sealed || port > PS_PORT_MAX || proto > PS_PROTO_ANY)
        return 0;
    unsigned first = proto == PS_PROTO_ANY ? 0 : proto;
    unsigned last = proto == PS_PROTO_ANY ? PS_PROTO_COUNT - 1 : proto;
    size_t total = 0;
    for (unsigned p = first; p <= last; p++) {
        size_t s = slot_of(p, port);
        for (uint32_t i = reg->port_start[s]; i < reg->port_start[s + 1]; i++) {
            if (total < max)
                out[total] = reg->port_recs[i];
            total++;
        }
    }
    return total;
}

static int svc_before(const struct ps_service *a, const struct ps_service *b)
{
    if (a->port != b->port)
        return a->port < b->port;
    return a->proto < b->proto;
}

/* Keeps out[0..kept) sorted and holding the smallest matches seen. */
static void insert_sorted(const struct ps_service **out, size_t kept,
                          size_t max, const struct ps_service *svc)
{
    size_t i = kept < max ? kept : max;
    if (i == max && (max == 0 || !svc_before(svc, out[max - 1])))
        return;
    if (i == max)
        i--;
    while (i > 0 && svc_before(svc, out[i - 1])) {
        out[i] = out[i - 1];
        i--;
    }
    out[i] = svc;
}

size_t ps_registry_find_name(const struct ps_registry *reg, const char *name,
                             enum ps_proto proto,
                             const struct ps_service **out, size_t max)
{
    if (!reg->sealed || !name[0] || proto > PS_PROTO_ANY)
        return 0;
    uint32_t h = ps__hash_name(name, strlen(name));
    size_t total = 0;
    for (uint32_t i = reg->name_head[h & reg->name_mask]; i;
         i = reg->name_entries[i - 1].next) {
        const struct ps__name_entry *e = &reg->name_entries[i - 1];
        if (e->hash != h || (proto != PS_PROTO_ANY && e->svc->proto != proto))
            continue;
        bool hit = ps__strcaseeq(e->svc->name, name);
        for (unsigned k = 0; !hit && k < e->svc->alias_count; k++)
            hit = ps__strcaseeq(e->svc->aliases[k], name);
        if (!hit)
            continue;
        insert_sorted(out, total, max, e->svc);
        total++;
    }
    return total;
}

const struct ps_service *ps_registry_next(const struct ps_registry *reg,
                                          struct ps_registry_iter *it)
{
    if (!reg->sealed)
        return NULL;
    for (; it->port <= PS_PORT_MAX; it->port++, it->proto = 0) {
        for (; it->proto < PS_PROTO_COUNT; it->proto++, it->pos = 0) {
            size_t s = slot_of(it->proto, it->port);
            size_t n = reg->port_start[s + 1] - reg->port_start[s];
            while (it->pos < n) {
                const struct ps_service *r =
                    reg->port_recs[reg->port_start[s] + it->pos++];
                if (r->port == it->port)
                    return r;
            }
        }
    }
    return NULL;
}
