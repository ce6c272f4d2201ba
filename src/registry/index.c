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
    return ps__hash_mix(key);
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

/* Follows a group chain link; it must point to an earlier group. */
static uint32_t next_group(const struct ps_registry *reg, uint32_t i)
{
    uint32_t next = reg->name_groups[i - 1].next;
    return next < i ? next : 0;
}

/* The group of a folded name, or NULL. Bounds are checked because the
 * index may come from a snapshot file. */
/* Folded names are stored NUL-padded to whole 8-byte words, so two of
 * them compare a word at a time. */
static bool same_words(const char *a, const char *b, size_t words)
{
    for (size_t i = 0; i < words; i++) {
        uint64_t x, y;
        memcpy(&x, a + 8 * i, 8);
        memcpy(&y, b + 8 * i, 8);
        if (x != y)
            return false;
    }
    return true;
}

static struct ps__name_group *group_find(const struct ps_registry *reg,
                                         const char *folded, size_t len,
                                         uint32_t h)
{
    size_t words = len / 8 + 1;
    for (uint32_t i = reg->name_head[h & reg->name_mask];
         i && i <= reg->name_group_count; i = next_group(reg, i)) {
        struct ps__name_group *g = &reg->name_groups[i - 1];
        if (g->key == h && g->len == len && g->folded <= reg->name_folded_len &&
            words <= (reg->name_folded_len - g->folded) / 8 &&
            same_words(reg->name_folded + g->folded, folded, words))
            return g;
    }
    return NULL;
}

/* Calls fn for every (record, name string) pair, records in port order. */
static int each_name(struct ps_registry *reg,
                     int (*fn)(struct ps_registry *, uint32_t rec, const char *s))
{
    for (size_t k = 0; k < reg->count; k++) {
        uint32_t i = reg->order[k];
        const struct ps_service *r = &reg->records[i];
        int rc = r->name[0] ? fn(reg, i, r->name) : 0;
        for (unsigned a = 0; rc == 0 && a < r->alias_count; a++)
            rc = fn(reg, i, r->aliases[a]);
        if (rc)
            return rc;
    }
    return 0;
}

static int add_folded(struct ps_registry *reg, const char *folded, size_t len,
                      uint32_t *off)
{
    static const size_t chunk = 64 * 1024;
    size_t words = len / 8 + 1; /* as ps__fold_name pads it */
    if (reg->name_folded_len + words * 8 > reg->name_folded_cap) {
        size_t cap = reg->name_folded_cap + chunk;
        char *grown = realloc(reg->name_folded, cap);
        if (!grown)
            return PS_ENOMEM;
        reg->name_folded = grown;
        reg->name_folded_cap = cap;
    }
    *off = (uint32_t)reg->name_folded_len;
    memcpy(reg->name_folded + reg->name_folded_len, folded, words * 8);
    reg->name_folded_len += words * 8;
    return 0;
}

/* First pass: one group per distinct name, with its counts. */
static int count_name(struct ps_registry *reg, uint32_t rec, const char *s)
{
    char folded[PS__FOLD_CAP];
    size_t len = ps__fold_name(s, strlen(s), folded);
    uint32_t h = ps__hash_folded(folded, len);
    struct ps__name_group *g = group_find(reg, folded, len, h);
    if (!g) {
        g = &reg->name_groups[reg->name_group_count];
        memset(g, 0, sizeof *g);
        if (add_folded(reg, folded, len, &g->folded))
            return PS_ENOMEM;
        reg->name_group_count++;
        g->key = h;
        g->len = (uint32_t)len;
        g->next = reg->name_head[h & reg->name_mask];
        reg->name_head[h & reg->name_mask] = (uint32_t)reg->name_group_count;
    }
    g->count++;
    g->per_proto[reg->records[rec].proto]++;
    return 0;
}

/* Second pass: list the records of each group; count is the fill level. */
static int list_name(struct ps_registry *reg, uint32_t rec, const char *s)
{
    char folded[PS__FOLD_CAP];
    size_t len = ps__fold_name(s, strlen(s), folded);
    struct ps__name_group *g = group_find(reg, folded, len, ps__hash_folded(folded, len));
    reg->name_recs[g->first + g->count++] = rec;
    return 0;
}

static int build_name_index(struct ps_registry *reg)
{
    size_t names = 0;
    for (size_t i = 0; i < reg->count; i++)
        names += (reg->records[i].name[0] != '\0') + reg->records[i].alias_count;
    size_t buckets = buckets_for(names);
    reg->name_head = calloc(buckets, sizeof *reg->name_head);
    reg->name_groups = malloc((names ? names : 1) * sizeof *reg->name_groups);
    reg->name_recs = malloc((names ? names : 1) * sizeof *reg->name_recs);
    if (!reg->name_head || !reg->name_groups || !reg->name_recs)
        return PS_ENOMEM;
    reg->name_mask = buckets - 1;
    reg->name_rec_count = names;
    int rc = each_name(reg, count_name);
    if (rc)
        return rc;
    uint32_t first = 0;
    for (size_t i = 0; i < reg->name_group_count; i++) {
        reg->name_groups[i].first = first;
        first += reg->name_groups[i].count;
        reg->name_groups[i].count = 0;
    }
    return each_name(reg, list_name);
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
        rc = build_order(reg); /* the name index lists records in this order */
    if (rc == 0)
        rc = build_name_index(reg);
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
            if (e->key != key || e->rec >= reg->count ||
                !ps__record_valid(reg, &reg->records[e->rec]))
                continue;
            if (total < max)
                out[total] = &reg->records[e->rec];
            total++;
        }
    }
    return total;
}

/* Walks a whole group, counting only records that exist. */
static size_t count_valid(const struct ps_registry *reg, const struct ps__name_group *g,
                          enum ps_proto proto, const struct ps_service **out, size_t max)
{
    size_t total = 0;
    for (uint32_t i = g->first; i < g->first + g->count; i++) {
        uint32_t rec = reg->name_recs[i];
        if (rec < reg->count && ps__record_valid(reg, &reg->records[rec]) &&
            (proto == PS_PROTO_ANY || reg->records[rec].proto == proto)) {
            if (total < max)
                out[total] = &reg->records[rec];
            total++;
        }
    }
    return total;
}

size_t ps_registry_find_name(const struct ps_registry *reg, const char *name,
                             enum ps_proto proto,
                             const struct ps_service **out, size_t max)
{
    if (!reg->sealed || !name || !name[0] || proto > PS_PROTO_ANY)
        return 0;
    char folded[PS__FOLD_CAP];
    size_t len = 0;
    for (; name[len]; len++) {
        if (len == PS_NAME_MAX)
            return 0; /* no registry name is that long */
        folded[len] = (char)ps__lower((unsigned char)name[len]);
    }
    for (size_t i = len, pad = len + 8 - (len & 7); i < pad; i++)
        folded[i] = '\0';
    const struct ps__name_group *g = group_find(reg, folded, len, ps__hash_folded(folded, len));
    if (!g || g->first > reg->name_rec_count || g->count > reg->name_rec_count - g->first)
        return 0;
    /* The stored counts give the answer at once when the list is sound;
     * a damaged snapshot's list is counted record by record instead, so the
     * total never exceeds what a caller can be handed. */
    if (reg->guard.on) /* records of a mapped snapshot are checked one by one */
        return count_valid(reg, g, proto, out, max);
    size_t expect = proto == PS_PROTO_ANY ? g->count : g->per_proto[proto], total = 0;
    uint32_t i = g->first, end = g->first + g->count;
    for (; i < end && (total < max || total < expect); i++) {
        uint32_t rec = reg->name_recs[i];
        if (rec >= reg->count)
            return count_valid(reg, g, proto, out, max);
        if (proto == PS_PROTO_ANY || reg->records[rec].proto == proto) {
            if (total < max)
                out[total] = &reg->records[rec];
            total++;
        }
    }
    return total < expect && i == end ? total : expect;
}

const struct ps_service *ps_registry_next(const struct ps_registry *reg,
                                          struct ps_registry_iter *it)
{
    while (reg->sealed && it->pos < reg->count) {
        uint32_t rec = reg->order[it->pos++];
        /* A damaged snapshot's order or records are skipped. */
        if (rec < reg->count && ps__record_valid(reg, &reg->records[rec]))
            return &reg->records[rec];
    }
    return NULL;
}
