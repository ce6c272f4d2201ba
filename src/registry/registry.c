/* Storage and merging of service records. Indexes live in index.c. */
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"

int ps_registry_new(struct ps_registry **out, const struct ps_logger *log)
{
    struct ps_registry *reg = calloc(1, sizeof *reg);

    if (!reg)
        return PS_ENOMEM;
    if (log)
        reg->log = *log;
    *out = reg;
    return 0;
}

void ps_registry_free(struct ps_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->buffer_count; i++)
        free(reg->buffers[i]);
    free(reg->buffers);
    free(reg->dedup);
    free(reg->ranges);
    if (reg->map) {
        ps__snapshot_unmap(reg);
    } else {
        free(reg->records);
        free(reg->freq);
        free(reg->port_head);
        free(reg->port_entries);
        free(reg->name_head);
        free(reg->name_groups);
        free(reg->name_recs);
        free(reg->name_folded);
        free(reg->order);
    }
    ps__arena_free(&reg->arena);
    free(reg);
}

int ps__registry_add_source(struct ps_registry *reg, const char *label,
                            const char *path, enum ps_format fmt)
{
    if (reg->sealed)
        return PS_ESTATE;
    if (reg->source_count == PS_SOURCES_MAX)
        return PS_ELIMIT;
    struct ps_source *s = &reg->sources[reg->source_count];
    memset(s, 0, sizeof *s);
    s->label = ps__arena_strndup(&reg->arena, label, strlen(label));
    s->path = path ? ps__arena_strndup(&reg->arena, path, strlen(path)) : NULL;
    if (!s->label || (path && !s->path))
        return PS_ENOMEM;
    s->format = fmt;
    return (int)reg->source_count++;
}

void ps__source_bad_line(struct ps_registry *reg, size_t src, size_t line,
                         const char *why)
{
    struct ps_source *s = &reg->sources[src];

    if (s->skipped++ == 0)
        s->first_bad_line = line;
    ps__log(&reg->log, PS_LOG_WARN, "%s:%zu: %s; line skipped",
            s->path ? s->path : s->label, line, why);
}

size_t ps__fold_name(const char *s, size_t len, char *out)
{
    if (len > PS_NAME_MAX)
        len = PS_NAME_MAX;
    size_t i = 0;
    for (; i < len; i++)
        out[i] = (char)ps__lower((unsigned char)s[i]);
    for (size_t pad = i + 8 - (i & 7); i < pad; i++)
        out[i] = '\0'; /* whole words for the hash and the compare */
    return len;
}

uint32_t ps__hash_folded(const char *folded, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w;
        memcpy(&w, folded + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    return ps__hash_mix((uint32_t)(h ^ (h >> 32)));
}

uint32_t ps__hash_name(const char *s, size_t len)
{
    char folded[PS__FOLD_CAP];
    len = ps__fold_name(s, len, folded);
    return ps__hash_folded(folded, len);
}

static uint32_t entry_hash(const char *name, size_t len, unsigned proto,
                           unsigned port, unsigned port_end)
{
    uint32_t h = ps__hash_name(name, len);
    h ^= (proto * 0x9e3779b1u) ^ (port * 0x85ebca6bu) ^ (port_end * 0xc2b2ae35u);
    return h ^ (h >> 15);
}

static bool name_eq(const char *stored, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (stored[i] == '\0' ||
            ps__lower((unsigned char)stored[i]) != ps__lower((unsigned char)s[i]))
            return false;
    return stored[len] == '\0';
}

static const char *slot_name(const struct ps_registry *reg,
                             const struct ps__dedup_slot *slot)
{
    const struct ps_service *r = &reg->records[slot->rec - 1];
    return slot->alias ? r->aliases[slot->alias - 1] : r->name;
}

static uint32_t slot_hash(const struct ps_registry *reg,
                          const struct ps__dedup_slot *slot)
{
    const struct ps_service *r = &reg->records[slot->rec - 1];
    const char *name = slot_name(reg, slot);
    return entry_hash(name, strlen(name), r->proto, r->port, r->port_end);
}

static int dedup_grow(struct ps_registry *reg)
{
    size_t cap = reg->dedup_cap ? reg->dedup_cap * 2 : 4096;
    struct ps__dedup_slot *tab = calloc(cap, sizeof *tab);

    if (!tab)
        return PS_ENOMEM;
    for (size_t i = 0; i < reg->dedup_cap; i++) {
        if (!reg->dedup[i].rec)
            continue;
        size_t slot = slot_hash(reg, &reg->dedup[i]) & (cap - 1);
        while (tab[slot].rec)
            slot = (slot + 1) & (cap - 1);
        tab[slot] = reg->dedup[i];
    }
    free(reg->dedup);
    reg->dedup = tab;
    reg->dedup_cap = cap;
    return 0;
}

/* Returns the slot whose record has name (or an alias) for e's transport
 * and ports, or the free slot where such a key would go. */
static size_t dedup_find(const struct ps_registry *reg,
                         const struct ps__entry *e, const char *name,
                         size_t len)
{
    size_t mask = reg->dedup_cap - 1;
    size_t slot = entry_hash(name, len, e->proto, e->port, e->port_end) & mask;
    for (; reg->dedup[slot].rec; slot = (slot + 1) & mask) {
        const struct ps_service *r = &reg->records[reg->dedup[slot].rec - 1];
        if (r->proto == e->proto && r->port == e->port &&
            r->port_end == e->port_end &&
            name_eq(slot_name(reg, &reg->dedup[slot]), name, len))
            break;
    }
    return slot;
}

/* Makes name (record rec's name, or alias number alias) findable. */
static int dedup_insert(struct ps_registry *reg, const struct ps__entry *e,
                        size_t rec, unsigned alias)
{
    if ((reg->dedup_used + 1) * 2 > reg->dedup_cap && dedup_grow(reg))
        return PS_ENOMEM;
    struct ps__dedup_slot s = {.rec = (uint32_t)rec + 1, .alias = alias};
    const char *name = slot_name(reg, &s);
    size_t slot = dedup_find(reg, e, name, strlen(name));
    if (!reg->dedup[slot].rec) {
        reg->dedup[slot] = s;
        reg->dedup_used++;
    }
    return 0;
}

static const char *keep(struct ps_registry *reg, const struct ps__entry *e,
                        const char *s, size_t len)
{
    if (e->stable && s[len] == '\0')
        return s;
    return ps__arena_strndup(&reg->arena, s, len);
}

/* Alias arrays hold a power-of-two capacity, so growth needs no extra field:
 * a full array is one whose count is a power of two. */
static int alias_add(struct ps_registry *reg, struct ps_service *r,
                     const struct ps__entry *e, size_t i)
{
    const char *a = e->aliases[i];
    size_t len = e->alias_lens[i];

    if (name_eq(r->name, a, len))
        return 0;
    for (unsigned k = 0; k < r->alias_count; k++)
        if (name_eq(r->aliases[k], a, len))
            return 0;
    unsigned n = r->alias_count;
    if (n == 0 || (n & (n - 1)) == 0) {
        const char **grown = ps__arena_alloc(&reg->arena,
                                             sizeof *grown * (n ? n * 2 : 2));
        if (!grown)
            return PS_ENOMEM;
        if (n)
            memcpy(grown, r->aliases, sizeof *grown * n);
        r->aliases = grown;
    }
    const char *copy = keep(reg, e, a, len);
    if (!copy)
        return PS_ENOMEM;
    ((const char **)r->aliases)[n] = copy;
    r->alias_count = n + 1;
    return dedup_insert(reg, e, (size_t)(r - reg->records), n + 1);
}

static int merge_into(struct ps_registry *reg, struct ps_service *r, size_t src,
                      const struct ps__entry *e)
{
    r->sources |= 1u << src;
    if (r->description[0] == '\0' && e->desc_len > 0) {
        r->description = keep(reg, e, e->desc, e->desc_len);
        if (!r->description)
            return PS_ENOMEM;
    }
    if (r->frequency < 0)
        r->frequency = e->frequency;
    for (size_t i = 0; i < e->alias_count; i++) {
        int rc = alias_add(reg, r, e, i);
        if (rc)
            return rc;
    }
    return 0;
}

static struct ps_service *record_new(struct ps_registry *reg)
{
    struct ps_service *grown = ps__grow_array(reg->records, &reg->cap,
                                              reg->count + 1, sizeof *grown);
    if (!grown)
        return NULL;
    reg->records = grown;
    return &reg->records[reg->count];
}

/* A single port that a range record of the same name already covers is
 * that service (/etc/services lists "x11 6000/tcp" where the built-in table
 * has x11 on 6000-6063). Ranges are few, so a scan is enough. */
static struct ps_service *covering_range(struct ps_registry *reg,
                                         const struct ps__entry *e)
{
    if (e->port != e->port_end || e->name_len == 0)
        return NULL;
    for (size_t i = 0; i < reg->range_count; i++) {
        struct ps_service *r = &reg->records[reg->ranges[i]];
        if (r->proto != e->proto || e->port < r->port || e->port > r->port_end)
            continue;
        if (name_eq(r->name, e->name, e->name_len))
            return r;
        for (unsigned k = 0; k < r->alias_count; k++)
            if (name_eq(r->aliases[k], e->name, e->name_len))
                return r;
    }
    return NULL;
}

static int remember_range(struct ps_registry *reg, size_t rec)
{
    if (reg->range_count == reg->range_cap) {
        size_t cap = reg->range_cap ? reg->range_cap * 2 : 64;
        uint32_t *grown = realloc(reg->ranges, cap * sizeof *grown);
        if (!grown)
            return PS_ENOMEM;
        reg->ranges = grown;
        reg->range_cap = cap;
    }
    reg->ranges[reg->range_count++] = (uint32_t)rec;
    return 0;
}

int ps__registry_put(struct ps_registry *reg, size_t src,
                     const struct ps__entry *e)
{
    if (!reg->dedup_cap && dedup_grow(reg))
        return PS_ENOMEM;
    reg->sources[src].records++;
    size_t slot = dedup_find(reg, e, e->name, e->name_len);
    if (reg->dedup[slot].rec)
        return merge_into(reg, &reg->records[reg->dedup[slot].rec - 1], src, e);
    struct ps_service *range = covering_range(reg, e);
    if (range)
        return merge_into(reg, range, src, e);

    struct ps_service *r = record_new(reg);
    if (!r)
        return PS_ENOMEM;
    memset(r, 0, sizeof *r);
    r->name = keep(reg, e, e->name, e->name_len);
    r->description = "";
    r->port = (uint16_t)e->port;
    r->port_end = (uint16_t)e->port_end;
    r->proto = e->proto;
    r->frequency = -1;
    if (!r->name)
        return PS_ENOMEM;
    size_t rec = reg->count++;
    int rc = dedup_insert(reg, e, rec, 0);
    if (rc == 0 && e->port != e->port_end)
        rc = remember_range(reg, rec);
    return rc ? rc : merge_into(reg, &reg->records[rec], src, e);
}

static uint32_t freq_key(unsigned proto, unsigned port)
{
    return ((uint32_t)proto << 16 | port) + 1;
}

/* The probe is bounded by the table size: a table from a damaged snapshot
 * may have no free slot, and must not hang the lookup. Returns cap when
 * the key is neither present nor insertable. */
static size_t freq_slot(const struct ps__freq_slot *tab, size_t cap,
                        uint32_t key)
{
    size_t slot = (key * 0x9e3779b1u) & (cap - 1);
    for (size_t probes = 0; probes < cap; probes++) {
        if (!tab[slot].key || tab[slot].key == key)
            return slot;
        slot = (slot + 1) & (cap - 1);
    }
    return cap;
}

static int freq_grow(struct ps_registry *reg)
{
    size_t cap = reg->freq_cap ? reg->freq_cap * 2 : 4096;
    struct ps__freq_slot *tab = calloc(cap, sizeof *tab);
    if (!tab)
        return PS_ENOMEM;
    for (size_t i = 0; i < reg->freq_cap; i++)
        if (reg->freq[i].key)
            tab[freq_slot(tab, cap, reg->freq[i].key)] = reg->freq[i];
    free(reg->freq);
    reg->freq = tab;
    reg->freq_cap = cap;
    return 0;
}

int ps__registry_put_frequency(struct ps_registry *reg, enum ps_proto proto,
                               unsigned port, float freq)
{
    if ((reg->freq_count + 1) * 2 > reg->freq_cap && freq_grow(reg))
        return PS_ENOMEM;
    uint32_t key = freq_key(proto, port);
    uint32_t v = (uint32_t)(freq * 1e6f + 0.5f);
    /* Never full: the table grows at half load. */
    struct ps__freq_slot *slot = &reg->freq[freq_slot(reg->freq, reg->freq_cap, key)];
    if (!slot->key) {
        slot->key = key;
        slot->value = v;
        reg->freq_count++;
    } else if (v > slot->value) {
        slot->value = v;
    }
    return 0;
}

float ps_registry_frequency(const struct ps_registry *reg, enum ps_proto proto,
                            unsigned port)
{
    if (!reg->freq_cap || proto >= PS_PROTO_COUNT || port > PS_PORT_MAX)
        return -1;
    size_t at = freq_slot(reg->freq, reg->freq_cap, freq_key(proto, port));
    if (at == reg->freq_cap || !reg->freq[at].key)
        return -1;
    return (float)reg->freq[at].value / 1e6f;
}

size_t ps_registry_source_count(const struct ps_registry *reg)
{
    return reg->source_count;
}

const struct ps_source *ps_registry_source(const struct ps_registry *reg,
                                           size_t i)
{
    return i < reg->source_count ? &reg->sources[i] : NULL;
}

const char *ps_service_source(const struct ps_registry *reg,
                              const struct ps_service *svc)
{
    for (size_t i = 0; i < reg->source_count; i++)
        if (svc->sources & (1u << i))
            return reg->sources[i].label;
    return "";
}

size_t ps_registry_count(const struct ps_registry *reg)
{
    return reg->count;
}
