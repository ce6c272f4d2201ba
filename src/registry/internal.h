/* Private to src/registry: the registry's layout and the parser contract. */
#ifndef PS_REGISTRY_INTERNAL_H
#define PS_REGISTRY_INTERNAL_H

#include <stdbool.h>
#include "common/internal.h"
#include "portscope/registry.h"

/* Identity of a source file when it was read; all zero for no file. */
struct ps__stamp {
    uint64_t dev, ino, size;
    int64_t mtime_sec, mtime_nsec;
};

struct ps_registry {
    struct ps_logger log;
    struct ps__arena arena;         /* strings, alias arrays */
    char **buffers;                 /* file contents the records point into */
    size_t buffer_count;

    struct ps_source sources[PS_SOURCES_MAX];
    struct ps__stamp stamps[PS_SOURCES_MAX]; /* files as they were read */
    size_t source_count;

    struct ps_service *records;     /* load order; stable once sealed */
    size_t count, cap;

    /* While loading: (proto, port range, name or alias) -> record, so a
     * source that names a service by another source's alias merges. */
    struct ps__dedup_slot *dedup;   /* open addressing */
    size_t dedup_cap, dedup_used;   /* cap is a power of two */
    uint32_t *ranges;               /* indices of range records, while loading */
    size_t range_count, range_cap;

    /* nmap open frequencies by (proto, port): open addressing, key + 1 so
     * that 0 marks a free slot; value is frequency * 1e6. */
    struct ps__freq_slot *freq;
    size_t freq_cap, freq_count;

    bool sealed;
    /* The indexes hold record indices, never pointers, so that a snapshot
     * (snapshot.c) can map them from a file unchanged. */
    uint32_t *port_head;            /* bucket -> port entry index + 1 */
    struct ps__index_entry *port_entries;
    size_t port_mask, port_entry_count;
    uint32_t *name_head;            /* bucket -> name group index + 1 */
    struct ps__name_group *name_groups;
    size_t name_mask, name_group_count;
    uint32_t *name_recs;            /* record indices, by group */
    size_t name_rec_count;
    char *name_folded;              /* folded group names, each NUL-ended */
    size_t name_folded_len, name_folded_cap;
    uint32_t *order;                /* record indices by port, proto, load */

    /* Set when the records and indexes live in a mapped snapshot. */
    void *map;
    size_t map_len;
    /* A snapshot mapped at its preferred address is used without reading
     * it through first; its records are checked as they are handed out. */
    struct {
        bool on;
        uintptr_t strings, strings_len;   /* the strings section */
        uintptr_t aliases;                /* the alias table */
        size_t alias_count;
    } guard;
};

struct ps__dedup_slot {
    uint32_t rec;                   /* record index + 1; 0 = free */
    uint32_t alias;                 /* alias index + 1; 0 = the name */
};

/* One chain link of a hash index: key is (proto << 16 | port) in the port
 * index and the name hash in the name index. */
struct ps__index_entry {
    uint32_t key;
    uint32_t next;                  /* entry index + 1, 0 ends the chain */
    uint32_t rec;                   /* index into records */
};

/* One distinct name (any case) in the name index, with the records that
 * carry it as their name or an alias, listed in name_recs[first ..
 * first + count) in port, proto order, and how many there are per proto:
 * a lookup finds the name once and never walks records it will not use. */
struct ps__name_group {
    uint32_t key;                   /* ps__hash_name of the name */
    uint32_t folded, len;           /* the folded name in name_folded */
    uint32_t next;                  /* group index + 1 in the bucket, 0 ends */
    uint32_t first, count;
    uint32_t per_proto[PS_PROTO_COUNT];
};

struct ps__freq_slot {
    uint32_t key;                   /* (proto << 16 | port) + 1; 0 = free */
    uint32_t value;                 /* frequency * 1e6 */
};

/* What a parser hands over for one line; strings need not be terminated
 * and are copied only if the record is new (merging keeps the first). */
struct ps__entry {
    const char *name;
    size_t name_len;
    const char *desc;
    size_t desc_len;
    const char *aliases[16];
    size_t alias_lens[16];
    size_t alias_count;
    unsigned port, port_end;
    enum ps_proto proto;
    float frequency;                /* -1 when the source has none */
    bool stable;                    /* strings outlive the registry (builtin,
                                       owned buffers): no copy needed */
};

/* Adds or merges one entry from source src. Returns 0 or PS_ENOMEM. */
int ps__registry_put(struct ps_registry *reg, size_t src,
                     const struct ps__entry *e);

/* Records an nmap open frequency for (proto, port). Returns 0/PS_ENOMEM. */
int ps__registry_put_frequency(struct ps_registry *reg, enum ps_proto proto,
                               unsigned port, float freq);

/* Opens a new source slot. Returns its index or a negative PS_E* code. */
int ps__registry_add_source(struct ps_registry *reg, const char *label,
                            const char *path, enum ps_format fmt);

/* Parsers. data is NUL-terminated, owned by the registry, and may be
 * modified in place; they fill the source's counters. */
int ps__parse_services(struct ps_registry *reg, size_t src, char *data,
                       size_t len, bool nmap);
int ps__parse_iana(struct ps_registry *reg, size_t src, const char *data,
                   size_t len);

/* Warns once per malformed line, and counts it. */
void ps__source_bad_line(struct ps_registry *reg, size_t src, size_t line,
                         const char *why);

uint32_t ps__hash_name(const char *s, size_t len);

/* Name folding for the hashes: ASCII lower case. out must hold
 * PS__FOLD_CAP bytes; the bytes after the name are zeroed up to the next
 * multiple of 8 (at least one), so hashing and comparing read whole words. Names longer
 * than PS_NAME_MAX are folded up to that length only (no registry name is
 * longer, so they match nothing). Returns the folded length. */
#define PS__FOLD_CAP (PS_NAME_MAX + 1 + 8)
size_t ps__fold_name(const char *s, size_t len, char *out);
/* Hash of a folded name (as ps__fold_name left it). */
uint32_t ps__hash_folded(const char *folded, size_t len);

/* MurmurHash3's finaliser. Tables use the low bits of a hash as the bucket,
 * and plain FNV-1a leaves those poorly mixed for service names that differ
 * only near their end: 12,600 names fell into 6,200 of 32,768 buckets. */
static inline uint32_t ps__hash_mix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

/* Whether a record may be handed out: always, except for a record of a
 * mapped snapshot whose pointers lead outside their sections. */
bool ps__record_valid(const struct ps_registry *reg, const struct ps_service *r);

/* Releases a mapped snapshot's memory (snapshot.c). */
void ps__snapshot_unmap(struct ps_registry *reg);

#endif
