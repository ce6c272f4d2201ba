/* Private to src/registry: the registry's layout and the parser contract. */
#ifndef PS_REGISTRY_INTERNAL_H
#define PS_REGISTRY_INTERNAL_H

#include <stdbool.h>
#include "common/internal.h"
#include "portscope/registry.h"

struct ps_registry {
    struct ps_logger log;
    struct ps__arena arena;         /* strings, alias arrays */
    char **buffers;                 /* file contents the records point into */
    size_t buffer_count;

    struct ps_source sources[PS_SOURCES_MAX];
    size_t source_count;

    struct ps_service *records;     /* load order; stable once sealed */
    size_t count, cap;

    uint32_t *dedup;                /* open addressing: record index + 1 */
    size_t dedup_cap;               /* power of two */

    uint32_t *freq;                 /* [proto][port]: frequency*1e6+1, 0 none */

    bool sealed;
    /* Port index (CSR): records of (proto, port) are
     * port_recs[port_start[proto*65536+port] .. port_start[...+1]). */
    uint32_t *port_start;
    const struct ps_service **port_recs;
    /* Name index: chained hash over names and aliases. */
    uint32_t *name_head;            /* bucket -> entry index + 1 */
    struct ps__name_entry *name_entries;
    size_t name_mask;
};

struct ps__name_entry {
    uint32_t hash;
    uint32_t next;                  /* entry index + 1, 0 ends */
    const struct ps_service *svc;
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

#endif
