/* Internals of the target list (portscope/targets.h), shared by
 * targets.c (the list), targets_parse.c (one spec), targets_exclude.c (the
 * exclusion ranges), targets_file.c (-iL files) and targets_iter.c (the
 * iterator). Never installed.
 *
 * Every spec names at most 2^32 addresses that share their upper 96 bits
 * (an IPv4 address has none; an IPv6 block is /96 or longer), so a block
 * is a "key" (family and upper 96 bits) plus a set of 32-bit low values.
 * All arithmetic on addresses is therefore 32-bit, done in uint64_t so that
 * hi + 1 never wraps. */
#ifndef PS_SCAN_TARGETS_INT_H
#define PS_SCAN_TARGETS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/internal.h"
#include "portscope/targets.h"

/* The longest spec accepted, in bytes. An octet list that names every
 * value of all four octets once is about 3,700 bytes. */
#define PS__TSPEC_MAX 4096u

/* How many separate ranges one octet-range exclusion may turn into
 * ("198.18.*.1" is 256; "*.*.*.1" would be 2^24 and is refused). */
#define PS__EXCL_SPLIT_MAX 65536u

/* How many ranges the exclusions may hold in all, before merging (24
 * bytes each: 384 MiB). */
#define PS__EXCL_MAX (1u << 24)

/* A run of addresses lo..hi (low 32 bits) under one key. */
struct ps__trange {
    uint32_t top[3]; /* upper 96 bits of an IPv6 address, host order; 0 for IPv4 */
    uint32_t lo, hi; /* low 32 bits, host order, lo <= hi */
    uint8_t family;  /* AF_INET or AF_INET6 */
};

/* nmap octet ranges: one 256-bit set per octet; the spec is their product. */
struct ps__octets {
    uint64_t map[4][4]; /* bit v of octet i: (map[i][v / 64] >> (v % 64)) & 1 */
};

enum ps__tspec_kind {
    PS__TSPEC_RANGE,  /* range.lo..range.hi */
    PS__TSPEC_OCTETS, /* the product oct; range holds its least and greatest */
    PS__TSPEC_HOST,   /* a hostname not yet resolved */
};

/* One parsed spec. */
struct ps__tspec {
    enum ps__tspec_kind kind;
    struct ps__trange range;
    struct ps__octets oct;
    int prefix;       /* HOST: the /prefix, or -1 for none */
    const char *name; /* HOST: the name, pointing into the parsed text */
};

/* ---- targets_parse.c ---------------------------------------------------- */

/* Parses text (NUL-terminated, no blanks) with the ps_targets_new() flags.
 * A hostname becomes PS__TSPEC_HOST (refused with PS_EUNSUPP under
 * PS_TARGETS_NO_RESOLVE); its prefix is checked against the family the
 * flags ask for. Returns 0 or PS_EPARSE / PS_ERANGE / PS_EUNSUPP, with
 * "SPEC: what is wrong" in err. */
int ps__tspec_parse(const char *text, unsigned flags, struct ps__tspec *out,
                    char *err, size_t errlen);

/* Makes the block of ip under prefix (-1 for the address alone) a RANGE
 * spec. Returns 0, or PS_ERANGE / PS_EPARSE when the prefix does not suit
 * ip's family, with "SPEC: what" in err (spec names the input). */
int ps__tspec_from_ip(const struct ps_ip *ip, int prefix, const char *spec,
                      struct ps__tspec *out, char *err, size_t errlen);

/* s[0..len) for a message: control and non-ASCII bytes as \xNN, cut with
 * "..." after 64 bytes. buf has at least PS__SHOW_CAP bytes. */
#define PS__SHOW_CAP 300u
const char *ps__tshow(char *buf, const char *s, size_t len);

/* snprintf into err when err and errlen are set. */
void ps__terr(char *err, size_t errlen, const char *fmt, ...) PS__PRINTF(3, 4);

/* ---- targets_set.c ------------------------------------------------------ */

/* Adds lo..hi (<= 255) to octet i (0-3). */
void ps__oct_add(struct ps__octets *o, int i, unsigned lo, unsigned hi);

/* Finishes an octet spec whose four octets are filled (none empty): sets
 * range to its least and greatest members, and makes it a RANGE when it is
 * one run, else OCTETS. */
void ps__tspec_octets_done(struct ps__tspec *out);

/* Addresses in a RANGE or OCTETS spec. */
uint64_t ps__tspec_size(const struct ps__tspec *s);

/* Addresses a HOST spec will name once resolved (1, or its block size for
 * the family the flags ask for). */
uint64_t ps__tspec_host_size(const struct ps__tspec *s, unsigned flags);

/* The least member of a RANGE or OCTETS spec that is >= v, or -1. */
int64_t ps__tspec_next(const struct ps__tspec *s, uint64_t v);

/* Members of a RANGE or OCTETS spec within lo..hi (both <= 2^32 - 1). */
uint64_t ps__tspec_count_in(const struct ps__tspec *s, uint64_t lo,
                            uint64_t hi);

/* Calls fn once per maximal run of consecutive members of a RANGE or
 * OCTETS spec, in ascending order, and stops at the first non-zero
 * return, which it passes back. */
int ps__tspec_runs(const struct ps__tspec *s,
                   int (*fn)(void *ud, const struct ps__trange *r), void *ud);

/* The number of runs ps__tspec_runs() would produce, saturated at
 * limit + 1. */
uint64_t ps__tspec_run_count(const struct ps__tspec *s, uint64_t limit);

/* Writes the address (key of r, low value v) into out. */
void ps__trange_ip(const struct ps__trange *r, uint32_t v, struct ps_ip *out);

/* -1, 0, 1 as the keys (family, upper 96 bits) of a and b compare. */
int ps__trange_keycmp(const struct ps__trange *a, const struct ps__trange *b);

/* ---- targets_exclude.c -------------------------------------------------- */

/* Exclusions: ranges sorted by key then lo, disjoint and not adjacent
 * once normalised. */
struct ps__excl {
    struct ps__trange *r;
    size_t n, cap;
};

/* Appends the runs of a RANGE or OCTETS spec (unsorted until normalised).
 * Returns 0, PS_ENOMEM, or PS_ELIMIT when an octet spec splits into more
 * than PS__EXCL_SPLIT_MAX runs or e would pass PS__EXCL_MAX (message in
 * err). */
int ps__excl_add(struct ps__excl *e, const struct ps__tspec *s,
                 const char *spec, char *err, size_t errlen);

/* Sorts and merges overlapping and adjacent ranges. */
void ps__excl_normalize(struct ps__excl *e);

/* A copy of src into dst (dst empty). 0 or PS_ENOMEM. */
int ps__excl_copy(struct ps__excl *dst, const struct ps__excl *src);

void ps__excl_free(struct ps__excl *e);

/* Index of the first range whose key is above that of key, or equal with
 * hi >= v; e->n when none. e must be normalised. */
size_t ps__excl_find(const struct ps__excl *e, const struct ps__trange *key,
                     uint64_t v);

/* Members of a RANGE or OCTETS spec that e excludes. */
uint64_t ps__excl_overlap(const struct ps__excl *e, const struct ps__tspec *s);

/* ---- targets_file.c ----------------------------------------------------- */

/* Reads blank-separated specs from a descriptor or from memory, skipping
 * '#' comments, with the line number of each. */
struct ps__treader {
    int fd;               /* -1 when reading mem */
    const char *mem;      /* in-memory text (not owned) */
    size_t mem_len;
    char *buf;            /* read buffer (fd only) */
    size_t pos, len;
    unsigned long line;   /* line of the next character, from 1 */
    const char *why;      /* after an error: what was wrong */
    int in_comment;
};

void ps__treader_mem(struct ps__treader *r, const char *mem, size_t len);
/* Takes ownership of fd. 0 or PS_ENOMEM (fd closed). */
int ps__treader_fd(struct ps__treader *r, int fd);
void ps__treader_close(struct ps__treader *r);

/* The next spec, NUL-terminated in tok (PS__TSPEC_MAX + 1 bytes), and its
 * line. Returns 1, 0 at the end, PS_EPARSE for a NUL byte or an over-long
 * spec, or PS_EIO / another code for a read error (r->why says which). */
int ps__treader_next(struct ps__treader *r, char *tok, unsigned long *line);

/* An -iL file as checked: a regular file is identified by its status and
 * read again by the iterator; standard input and other non-regular files
 * (pipes, /dev/stdin) are read once and kept in mem. */
struct ps__tsource {
    char *path;         /* as given ("-" for standard input) */
    char *mem;          /* whole text when in memory, else NULL */
    size_t mem_len;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
};

/* Opens path for its first reading and fills src (path copied). Returns 0
 * or a PS_E* code with "file PATH: what" in err. On success the caller
 * owns src (ps__tsource_free) and the reader (ps__treader_close). */
int ps__tsource_open(const char *path, struct ps__tsource *src,
                     struct ps__treader *r, char *err, size_t errlen);

/* Opens src again. Returns 0, PS_ESTALE when the file is no longer the one
 * checked, or the open error; msg gets "file PATH: what". */
int ps__tsource_reopen(const struct ps__tsource *src, struct ps__treader *r,
                       char *msg, size_t msglen);

void ps__tsource_free(struct ps__tsource *src);

/* ---- targets.c ---------------------------------------------------------- */

enum ps__tentry_kind { PS__TENTRY_SPEC, PS__TENTRY_FILE };

/* One ps_targets_add() or ps_targets_add_file() call, in order. */
struct ps__tentry {
    enum ps__tentry_kind kind;
    struct ps__tspec spec;      /* SPEC: RANGE or OCTETS */
    char *name;                 /* SPEC: hostname, or NULL */
    struct ps__tsource *src;    /* FILE */
    uint64_t count;             /* addresses after exclusions */
};

struct ps_targets {
    unsigned flags;
    const struct ps_logger *log;
    ps_resolve_fn resolve;
    void *resolve_ud;
    struct ps__tentry *e;
    size_t n, cap;
    struct ps__excl excl;
    uint64_t count;
};

/* 1 when t reads an -iL file: its host names are resolved by each
 * iterator, so iterators running side by side could disagree. */
int ps__targets_has_files(const struct ps_targets *t);

/* Resolves name through t's resolver into a RANGE spec with prefix. 0, or
 * a PS_E* code with "SPEC: what" in err. */
int ps__targets_resolve(const struct ps_targets *t, const char *spec,
                        const char *name, int prefix, struct ps__tspec *out,
                        char *err, size_t errlen);

#endif
