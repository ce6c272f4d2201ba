/* The read-only indexes built by ps_registry_seal(): a chained hash by
 * (proto, port), a chained hash over names and aliases, and the records in
 * port order for iteration. Their size follows the number of records, not
 * the port space, so sealing a small registry stays cheap. */
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"

static uint32_t port_key(unsigned proto, unsigned port)
{
    return (uint32_t)proto << 16 | port;
}

static uint32_t port_hash(uint32_t key)
{
    return key * 0x9e3779b1u;
}

static size_t buckets_for(size_t n)
{
    size_t b = 64;
    while (b < n * 2)
        b *= 2;
    return b;
}

/* Links entries in reverse record order so each chain lists records in
 * load order. */
static void link_entry(uint32_t *head, size_t mask, struct ps__index_entry *e,
                       size_t *n, uint32_t key, uint32_t hash, size_t rec)
{
    struct ps__index_entry *x = &e[*n];
    x->key = key;
    x->rec = (uint32_t)rec;
    x->next = head[hash & mask];
    head[hash & mask] = (uint32_t)++*n;
}

static int build_port_index(struct ps_registry *reg)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; i < reg->count; i++)
        total += (size_t)reg->records[i].port_end - reg->records[i].port + 1;
    size_t buckets = buckets_for(total);
    reg->port_head = calloc(buckets, sizeof *reg->port_head);
    reg->port_entries = malloc((total ? total : 1) * sizeof *reg->port_entries);
    if (!reg->port_head || !reg->port_entries)
        return PS_ENOMEM;
    reg->port_mask = buckets - 1;
    for (size_t i = reg->count; i-- > 0;) {
        const struct ps_service *r = &reg->records[i];
        for (unsigned p = r->port_end + 1u; p-- > r->port;) {
            uint32_t key = port_key(r->proto, p);
            link_entry(reg->port_head, reg->port_mask, reg->port_entries, &n,
                       key, port_hash(key), i);
        }
    }
    reg->port_entry_count = n;
    return 0;
}

static int build_name_index(struct ps_registry *reg)
{
    size_t names = 0, n = 0;
    for (size_t i = 0; i < reg->count; i++)
        names += 1 + reg->records[i].alias_count;
    size_t buckets = buckets_for(names);
    reg->name_head = calloc(buckets, sizeof *reg->name_head);
    reg->name_entries = malloc((names ? names : 1) * sizeof *reg->name_entries);
    if (!reg->name_head || !reg->name_entries)
        return PS_ENOMEM;
    reg->name_mask = buckets - 1;
    for (size_t i = reg->count; i-- > 0;) {
        const struct ps_service *r = &reg->records[i];
        for (unsigned k = r->alias_count; k-- > 0;) {
            uint32_t h = ps__hash_name(r->aliases[k], strlen(r->aliases[k]));
            link_entry(reg->name_head, reg->name_mask, reg->name_entries, &n,
                       h, h, i);
        }
        if (r->name[0]) {
            uint32_t h = ps__hash_name(r->name, strlen(r->name));
            link_entry(reg->name_head, reg->name_mask, reg->name_entries, &n,
                       h, h, i);
        }
    }
    reg->name_entry_count = n;
    return 0;
}

/* LSD radix sort on (port << 3 | proto) in two stable passes: O(n), and
 * records with equal keys keep their load order. */
static int build_order(struct ps_registry *reg)
{
    size_t n = reg->count;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    uint32_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!order || !tmp) {
        free(order);
        free(tmp);
        return PS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        tmp[i] = (uint32_t)i;
    uint32_t *src = tmp, *dst = order;
    for (int shift = 0; shift < 20; shift += 10) {
        size_t count[1025] = {0};
        for (size_t i = 0; i < n; i++) {
            const struct ps_service *r = &reg->records[src[i]];
            count[(((uint32_t)r->port << 3 | r->proto) >> shift & 1023) + 1]++;
        }
        for (size_t b = 0; b < 1024; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) {
            const struct ps_service *r = &reg->records[src[i]];
            dst[count[((uint32_t)r->port << 3 | r->proto) >> shift & 1023]++] = src[i];
        }
        uint32_t *swap = src;
        src = dst;
        dst = swap;
    }
    /* After an even number of passes the result is back in tmp. */
    free(order);
    reg->order = src;
    return 0;
}

int ps_registry_seal(struct ps_registry *reg)
{
    if (reg->sealed)
        return PS_ESTATE;
    int rc = build_port_index(reg);
    if (rc == 0)
        rc = build_name_index(reg);
    if (rc == 0)
        rc = build_order(reg);
    if (rc)
        return rc;
    free(reg->dedup);
    reg->dedup = NULL;
    reg->dedup_cap = 0;
    free(reg->ranges);
    reg->ranges = NULL;
    reg->range_count = reg->range_cap = 0;
    reg->sealed = true;
    return 0;
}

/* Chain links are checked as they are followed rather than all at once
 * when a snapshot is opened, so a short command touches only the pages it
 * needs. A link must name an existing entry, and (below) each entry may only
 * point to an earlier one, so a damaged snapshot cannot make a chain loop. */
static bool link_ok(uint32_t i, size_t entries)
{
    return i != 0 && i <= entries;
}

/* The link after entry i, or 0 (the end) if it does not point backwards. */
static uint32_t next_link(const struct ps__index_entry *entries, uint32_t i)
{
    uint32_t next = entries[i - 1].next;
    return next < i ? next : 0;
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
        uint32_t key = port_key(p, port);
        uint32_t i = reg->port_head[port_hash(key) & reg->port_mask];
        for (; link_ok(i, reg->port_entry_count); i = next_link(reg->port_entries, i)) {
            const struct ps__index_entry *e = &reg->port_entries[i - 1];
            if (e->key != key || e->rec >= reg->count)
                continue;
            if (total < max)
                out[total] = &reg->records[e->rec];
            total++;
        }
    }
    return total;
}

static int svc_before(const struct ps_service *a, const struct ps_service *b)
{
    if (a->port != b->port)
        return a->port < b->port;
    if (a->proto != b->proto)
        return a->proto < b->proto;
    return a < b;
}

/* Keeps out[0..min(kept, max)) sorted and holding the smallest matches. */
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
    if (!reg->sealed || !name || !name[0] || proto > PS_PROTO_ANY)
        return 0;
    uint32_t h = ps__hash_name(name, strlen(name));
    size_t total = 0;
    for (uint32_t i = reg->name_head[h & reg->name_mask];
         link_ok(i, reg->name_entry_count); i = next_link(reg->name_entries, i)) {
        const struct ps__index_entry *e = &reg->name_entries[i - 1];
        if (e->key != h || e->rec >= reg->count)
            continue;
        const struct ps_service *svc = &reg->records[e->rec];
        if (proto != PS_PROTO_ANY && svc->proto != proto)
            continue;
        bool hit = ps__strcaseeq(svc->name, name);
        for (unsigned k = 0; !hit && k < svc->alias_count; k++)
            hit = ps__strcaseeq(svc->aliases[k], name);
        if (!hit)
            continue;
        insert_sorted(out, total, max, svc);
        total++;
    }
    return total;
}

const struct ps_service *ps_registry_next(const struct ps_registry *reg,
                                          struct ps_registry_iter *it)
{
    while (reg->sealed && it->pos < reg->count) {
        uint32_t rec = reg->order[it->pos++];
        if (rec < reg->count) /* a damaged snapshot's order is skipped */
            return &reg->records[rec];
    }
    return NULL;
}
