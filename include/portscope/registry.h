/* The port registry: one view over every source of port knowledge.
 *
 * Sources are loaded in order (built-in table, /etc/services, nmap-services,
 * IANA CSV, user files). Records naming the same service for the same
 * transport and port are merged: the first source keeps the name and the
 * first non-empty description, aliases are united, and the record remembers
 * every source that listed it. After ps_registry_seal() the registry is
 * read-only, lookups are O(1), and it may be shared between threads. */
#ifndef PORTSCOPE_REGISTRY_H
#define PORTSCOPE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "portscope/log.h"

enum ps_proto {
    PS_PROTO_TCP,
    PS_PROTO_UDP,
    PS_PROTO_SCTP,
    PS_PROTO_DCCP,
    PS_PROTO_DDP,  /* AppleTalk; /etc/services still lists a few */
    PS_PROTO_COUNT,
    PS_PROTO_ANY = PS_PROTO_COUNT, /* lookup wildcard, never in a record */
};

/* RFC 6335 section 6 port number ranges. */
enum ps_port_class {
    PS_CLASS_SYSTEM,  /* 0-1023 */
    PS_CLASS_USER,    /* 1024-49151 */
    PS_CLASS_DYNAMIC, /* 49152-65535 */
};

enum ps_format {
    PS_FORMAT_AUTO,     /* detect from the content */
    PS_FORMAT_SERVICES, /* /etc/services syntax */
    PS_FORMAT_NMAP,     /* nmap-services: services syntax plus a frequency */
    PS_FORMAT_IANA,     /* IANA service-names-port-numbers CSV */
};

#define PS_PORT_MAX 65535u
#define PS_NAME_MAX 63u       /* longest service name or alias kept */
#define PS_SOURCES_MAX 32u    /* sources one registry can hold */

/* One loaded source and what became of its lines. */
struct ps_source {
    const char *label;       /* "builtin", "services", "nmap", "iana", or path */
    const char *path;        /* NULL for the built-in table */
    enum ps_format format;   /* never PS_FORMAT_AUTO once loaded */
    size_t lines;            /* lines (CSV: rows) read */
    size_t records;          /* records it contributed, merged ones included */
    size_t skipped;          /* malformed lines passed over */
    size_t first_bad_line;   /* 1-based line of the first of them, or 0 */
};

/* One service record. Every pointer is owned by the registry and lives as
 * long as it does. */
struct ps_service {
    const char *name;           /* "" when the source names none (reserved) */
    const char *description;    /* "" when no source describes it */
    const char *const *aliases; /* alias_count names, none equal to name */
    unsigned alias_count;
    uint16_t port;              /* first port */
    uint16_t port_end;          /* last port; equal to port unless a range */
    enum ps_proto proto;
    uint32_t sources;           /* bit i: ps_registry_source(reg, i) lists it */
    float frequency;            /* nmap open frequency 0..1, or -1 if unknown */
};

struct ps_registry;

/* Creates an empty registry. log may be NULL; it is copied. Returns 0, or
 * PS_ENOMEM. */
int ps_registry_new(struct ps_registry **out, const struct ps_logger *log);

/* Frees the registry and every record; NULL is ignored. */
void ps_registry_free(struct ps_registry *reg);

/* Adds the table compiled into the library as source "builtin". Returns 0,
 * PS_ESTATE after ps_registry_seal(), PS_ELIMIT or PS_ENOMEM. */
int ps_registry_add_builtin(struct ps_registry *reg);

/* Loads a registry file. fmt may be PS_FORMAT_AUTO. label names the source in
 * records; NULL picks "iana" for the IANA CSV and the path otherwise.
 * Malformed lines are skipped, counted in the source and logged as warnings.
 * Returns 0; PS_ENOENT, PS_EACCES or PS_EIO when the file cannot be read;
 * PS_EPARSE when nothing in it is a registry line at all; PS_ESTATE,
 * PS_ELIMIT or PS_ENOMEM. */
int ps_registry_load_file(struct ps_registry *reg, const char *path,
                          enum ps_format fmt, const char *label);

/* As ps_registry_load_file() for bytes in memory (need not be terminated).
 * label must not be NULL. */
int ps_registry_load_buffer(struct ps_registry *reg, const char *data,
                            size_t len, enum ps_format fmt, const char *label);

/* Guesses the format of registry text from its first lines. */
enum ps_format ps_format_detect(const char *data, size_t len);

/* Builds the lookup indexes and makes the registry read-only. Returns 0,
 * PS_ESTATE if already sealed, or PS_ENOMEM. */
int ps_registry_seal(struct ps_registry *reg);

size_t ps_registry_source_count(const struct ps_registry *reg);
const struct ps_source *ps_registry_source(const struct ps_registry *reg,
                                           size_t i);
/* Label of the first source that lists svc. */
const char *ps_service_source(const struct ps_registry *reg,
                              const struct ps_service *svc);

/* Number of records (after merging). */
size_t ps_registry_count(const struct ps_registry *reg);

/* Records covering port for proto (ranges included), in source order. Writes
 * up to max of them to out and returns how many there are in all. proto may
 * be PS_PROTO_ANY (then in proto order). O(1) per record. Returns 0 before
 * ps_registry_seal(). */
size_t ps_registry_find_port(const struct ps_registry *reg,
                             enum ps_proto proto, unsigned port,
                             const struct ps_service **out, size_t max);

/* Records whose name or an alias equals name, case-insensitively, for proto
 * (or PS_PROTO_ANY), ordered by port then proto. Same out/max/return
 * contract as ps_registry_find_port(). */
size_t ps_registry_find_name(const struct ps_registry *reg, const char *name,
                             enum ps_proto proto,
                             const struct ps_service **out, size_t max);

/* Highest nmap open frequency recorded for (proto, port), or -1. */
float ps_registry_frequency(const struct ps_registry *reg, enum ps_proto proto,
                            unsigned port);

/* Snapshots: a sealed registry written to a file and mapped back in one
 * step, so a short command does not parse its sources again.
 *
 * key is the caller's description of what it loaded (source paths, options);
 * a snapshot is only used for the same key, the same library build, and
 * source files whose device, inode, size and modification time are still
 * those they had when they were read. */

/* Writes a sealed registry to path atomically (a temporary file renamed
 * over it). Returns 0, PS_ESTATE if not sealed, or PS_EIO/PS_EACCES/
 * PS_ENOENT/PS_ENOMEM. */
int ps_registry_save(const struct ps_registry *reg, const char *path,
                     const char *key);

/* Opens a snapshot as a new sealed registry. Returns 0; PS_ENOENT when there
 * is none; PS_ESTALE when it was made for another key, another build, or
 * from sources that changed since; PS_EPARSE when it is damaged; PS_ENOMEM
 * or PS_EIO. The file is checked before use, so a damaged or hostile one
 * fails cleanly. */
int ps_registry_open_snapshot(struct ps_registry **out, const char *path,
                              const char *key, const struct ps_logger *log);

/* Walks every record once, ordered by first port, then proto, then source
 * order. Zero the iterator to start; returns NULL at the end. */
struct ps_registry_iter {
    unsigned port;
    unsigned proto;
    size_t pos;
};
const struct ps_service *ps_registry_next(const struct ps_registry *reg,
                                          struct ps_registry_iter *it);

/* A search hit; score is higher for better matches. */
struct ps_match {
    const struct ps_service *service;
    int score;
};

/* Finds records matching every word (case-insensitive) in name, aliases or
 * description, best first (then by port, proto). *out is malloc'd and must
 * be freed with free(); it is NULL when *count is 0. Returns 0, PS_EINVAL
 * for no words, PS_ESTATE before sealing, or PS_ENOMEM. */
int ps_registry_search(const struct ps_registry *reg, const char *const *words,
                       size_t word_count, struct ps_match **out,
                       size_t *count);

/* Names of the enums, for output ("tcp", "system"). Never NULL. */
const char *ps_proto_name(enum ps_proto proto);
const char *ps_port_class_name(enum ps_port_class cls);
const char *ps_format_name(enum ps_format fmt);
enum ps_port_class ps_port_class_of(unsigned port);

/* Parses "tcp", "UDP", "sctp", "dccp", "ddp" (len bytes, any case).
 * Returns 0 or PS_EINVAL. */
int ps_proto_parse(const char *text, size_t len, enum ps_proto *out);

/* A lookup key as typed by a person: "22", "6881-6999", "ssh", "53/udp",
 * "udp/53", "domain/udp". */
enum ps_key_kind { PS_KEY_PORT, PS_KEY_NAME };

struct ps_key {
    enum ps_key_kind kind;
    enum ps_proto proto;       /* PS_PROTO_ANY when the key names none */
    uint16_t port, port_end;   /* PS_KEY_PORT: the range (equal if one) */
    char name[PS_NAME_MAX + 1];/* PS_KEY_NAME */
    /* A name key that may be a typo ("22x", "xyz/53"): valid only if a
     * service is really called that; otherwise report suspect_msg. */
    int suspect;
    char suspect_msg[96];
};

/* Parses text into key. On PS_EPARSE or PS_ERANGE, err (errlen bytes) says
 * what is wrong, naming the offending part. Never reads past the string. */
int ps_key_parse(const char *text, struct ps_key *key, char *err,
                 size_t errlen);

/* Export formats for the whole merged registry. */
enum ps_export_format {
    PS_EXPORT_SERVICES, /* /etc/services syntax; ranges expanded per port */
    PS_EXPORT_CSV,      /* RFC 4180 CSV with a header row */
    PS_EXPORT_JSON,     /* JSON Lines, one record per line */
};

/* Parses "services", "csv", "json". Returns 0 or PS_EINVAL. */
int ps_export_format_parse(const char *text, enum ps_export_format *out);

/* Writes every record to out. Returns 0, PS_ESTATE before sealing, PS_EIO on
 * a write error, or PS_ENOMEM. */
int ps_registry_export(const struct ps_registry *reg,
                       enum ps_export_format fmt, FILE *out);

/* Writes one record as a single JSON object and a newline. Keys: port,
 * port_end (ranges only), proto, name, aliases, description, source,
 * sources, class, frequency (when known). Returns 0, PS_EIO or PS_ENOMEM. */
int ps_service_write_json(const struct ps_registry *reg,
                          const struct ps_service *svc, FILE *out);

#endif
