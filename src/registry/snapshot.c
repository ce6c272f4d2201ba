/* Registry snapshots: the merged, sealed registry in one file that is
 * mapped back with a single mmap and a pass of pointer fix-ups.
 *
 * The indexes already hold record indices rather than pointers, so they are
 * used in place. Records, aliases and source labels hold string offsets in
 * the file and become pointers after checking. Everything read from the
 * file is bounds-checked first: a snapshot lives in a user-writable cache
 * and must never crash the reader. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "portscope/version.h"
#include "registry/builtin.h"
#include "registry/internal.h"

extern const char ps__build_id[]; /* generated: tools/build-id.cmake */

#define SNAP_MAGIC "PSSNAP1\n"
#define SNAP_VERSION 1u
#define SNAP_ENDIAN 0x01020304u

_Static_assert(sizeof(uint64_t) == sizeof(const char *),
               "alias offsets are rewritten into pointers in place");

enum { SEC_KEY, SEC_SOURCES, SEC_RECORDS, SEC_ALIASES, SEC_STRINGS,
       SEC_PORT_HEAD, SEC_PORT_ENTRIES, SEC_NAME_HEAD, SEC_NAME_GROUPS,
       SEC_NAME_RECS, SEC_NAME_FOLDED, SEC_ORDER, SEC_FREQ, SEC_COUNT };

struct snap_header {
    char magic[8];
    uint32_t endian, version, builtin_hash, record_size;
    char build_id[40];   /* ps__build_id of the library that wrote it */
    uint64_t base; /* address the pointers in records and aliases assume */
    uint64_t file_size, source_count, record_count, alias_count;
    uint64_t port_buckets, port_entries, name_buckets, name_groups, name_recs;
    uint64_t freq_cap, freq_count;
    uint64_t off[SEC_COUNT], len[SEC_COUNT]; /* bytes */
};

_Static_assert(sizeof(struct snap_header) % 8 == 0, "sections stay aligned");

struct snap_source {
    uint64_t label, path; /* string offset + 1; 0 for none */
    uint64_t format, lines, records, skipped, first_bad_line;
    struct ps__stamp stamp;
};

/* ---- writing ---- */

struct blob {
    char *data;
    size_t len, cap;
    int error;
};

static uint64_t blob_add(struct blob *b, const void *p, size_t n)
{
    if (b->len + n + 8 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n + 8)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            b->error = PS_ENOMEM;
            return 0;
        }
        b->data = grown;
        b->cap = cap;
    }
    uint64_t at = b->len;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    while (b->len % 8)
        b->data[b->len++] = '\0';
    return at;
}

static uint64_t str_add(struct blob *strings, const char *s)
{
    return blob_add(strings, s, strlen(s) + 1);
}

static void fill_sources(const struct ps_registry *reg, struct blob *out,
                         struct blob *strings)
{
    for (size_t i = 0; i < reg->source_count; i++) {
        const struct ps_source *s = &reg->sources[i];
        struct snap_source ss = {
            .label = str_add(strings, s->label) + 1,
            .path = s->path ? str_add(strings, s->path) + 1 : 0,
            .format = s->format, .lines = s->lines, .records = s->records,
            .skipped = s->skipped, .first_bad_line = s->first_bad_line,
            .stamp = reg->stamps[i]};
        blob_add(out, &ss, sizeof ss);
    }
}

static void fill_records(const struct ps_registry *reg, struct blob *recs,
                         struct blob *aliases, struct blob *strings)
{
    for (size_t i = 0; i < reg->count; i++) {
        struct ps_service r = reg->records[i];
        if (!ps__record_valid(reg, &r)) /* from a damaged snapshot */
            r = (struct ps_service){.name = "", .description = "", .frequency = -1};
        uint64_t first_alias = aliases->len / 8;
        for (unsigned k = 0; k < r.alias_count; k++) {
            uint64_t off = str_add(strings, r.aliases[k]);
            blob_add(aliases, &off, sizeof off);
        }
        r.name = (const char *)(uintptr_t)str_add(strings, r.name);
        r.description = (const char *)(uintptr_t)str_add(strings, r.description);
        r.aliases = (const char *const *)(uintptr_t)first_alias;
        blob_add(recs, &r, sizeof r);
    }
}

/* Snapshots are written for a fixed address where, if it is free, they are
 * mapped read-only and used without touching a byte: pages load only as
 * lookups reach them. The address sits far below where Linux places
 * mappings and varies with the key so two registries rarely collide. */
static uint64_t preferred_base(const char *key)
{
    uint32_t h = ps__hash_name(key, strlen(key));
    return 0x200000000000ull + (uint64_t)(h & 0xfff) * 0x100000000ull;
}

/* Turns the string and alias offsets into addresses at h->base. */
static void prelink(const struct snap_header *h, struct blob *recs,
                    struct blob *aliases)
{
    uint64_t strings = h->base + h->off[SEC_STRINGS];
    uint64_t alias_table = h->base + h->off[SEC_ALIASES];
    uint64_t *a = (uint64_t *)(void *)aliases->data;
    for (size_t i = 0; i < aliases->len / 8; i++)
        a[i] += strings;
    struct ps_service *r = (struct ps_service *)(void *)recs->data;
    for (size_t i = 0; i < recs->len / sizeof *r; i++) {
        r[i].name = (const char *)(uintptr_t)(strings + (uintptr_t)r[i].name);
        r[i].description =
            (const char *)(uintptr_t)(strings + (uintptr_t)r[i].description);
        r[i].aliases = (const char *const *)(uintptr_t)(alias_table +
                                                        8 * (uintptr_t)r[i].aliases);
    }
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return ps__from_errno(errno);
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_file(const char *path, struct snap_header *h,
                      struct blob *sec[SEC_COUNT])
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= sizeof tmp)
        return PS_EINVAL;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ps__from_errno(errno);
    int rc = write_all(fd, h, sizeof *h);
    for (int s = 0; rc == 0 && s < SEC_COUNT; s++)
        rc = write_all(fd, sec[s]->data ? sec[s]->data : "", sec[s]->len);
    if (close(fd) != 0 && rc == 0)
        rc = ps__from_errno(errno);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = ps__from_errno(errno);
    if (rc)
        unlink(tmp);
    return rc;
}

int ps_registry_save(const struct ps_registry *reg, const char *path,
                     const char *key)
{
    if (!reg || !path || !key)
        return PS_EINVAL;
    if (!reg->sealed)
        return PS_ESTATE;
    struct blob b[SEC_COUNT] = {{0}};
    struct blob *sec[SEC_COUNT];
    for (int s = 0; s < SEC_COUNT; s++)
        sec[s] = &b[s];
    blob_add(&b[SEC_KEY], key, strlen(key) + 1);
    fill_sources(reg, &b[SEC_SOURCES], &b[SEC_STRINGS]);
    fill_records(reg, &b[SEC_RECORDS], &b[SEC_ALIASES], &b[SEC_STRINGS]);
    blob_add(&b[SEC_PORT_HEAD], reg->port_head, (reg->port_mask + 1) * 4);
    blob_add(&b[SEC_PORT_ENTRIES], reg->port_entries,
             reg->port_entry_count * sizeof *reg->port_entries);
    blob_add(&b[SEC_NAME_HEAD], reg->name_head, (reg->name_mask + 1) * 4);
    blob_add(&b[SEC_NAME_GROUPS], reg->name_groups,
             reg->name_group_count * sizeof *reg->name_groups);
    blob_add(&b[SEC_NAME_RECS], reg->name_recs, reg->name_rec_count * 4);
    blob_add(&b[SEC_NAME_FOLDED], reg->name_folded, reg->name_folded_len);
    blob_add(&b[SEC_ORDER], reg->order, reg->count * 4);
    blob_add(&b[SEC_FREQ], reg->freq, reg->freq_cap * sizeof *reg->freq);

    struct snap_header h = {.endian = SNAP_ENDIAN, .version = SNAP_VERSION,
        .builtin_hash = ps__builtin_hash, .record_size = sizeof(struct ps_service),
        .source_count = reg->source_count, .record_count = reg->count,
        .alias_count = b[SEC_ALIASES].len / 8, .port_buckets = reg->port_mask + 1,
        .port_entries = reg->port_entry_count, .name_buckets = reg->name_mask + 1,
        .name_groups = reg->name_group_count, .name_recs = reg->name_rec_count,
        .freq_cap = reg->freq_cap,
        .freq_count = reg->freq_count};
    memcpy(h.magic, SNAP_MAGIC, 8);
    strncpy(h.build_id, ps__build_id, sizeof h.build_id - 1);
    uint64_t off = sizeof h;
    int rc = 0;
    for (int s = 0; s < SEC_COUNT; s++) {
        rc = rc ? rc : b[s].error;
        h.off[s] = off;
        h.len[s] = b[s].len;
        off += b[s].len;
    }
    h.file_size = off;
    h.base = preferred_base(key);
    if (rc == 0)
        prelink(&h, &b[SEC_RECORDS], &b[SEC_ALIASES]);
    if (rc == 0)
        rc = write_file(path, &h, sec);
    for (int s = 0; s < SEC_COUNT; s++)
        free(b[s].data);
    return rc;
}

/* ---- reading ---- */

struct snap_view {
    char *base;
    const struct snap_header *h;
    const char *strings;
    size_t strings_len;
};

static uint64_t ceil8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

static bool section_ok(const struct snap_header *h, int s, uint64_t want)
{
    return h->len[s] == want && h->off[s] % 8 == 0 &&
           h->off[s] <= h->file_size && h->len[s] <= h->file_size - h->off[s];
}

/* The sizes every section must have, given the counts in the header. */
static bool header_ok(const struct snap_header *h, size_t file_len)
{
    if (memcmp(h->magic, SNAP_MAGIC, 8) != 0 || h->endian != SNAP_ENDIAN ||
        h->file_size != file_len)
        return false;
    bool pow2 = h->port_buckets && !(h->port_buckets & (h->port_buckets - 1)) &&
                h->name_buckets && !(h->name_buckets & (h->name_buckets - 1)) &&
                !(h->freq_cap & (h->freq_cap - 1));
    /* Every count is bounded before it is multiplied by an entry size, so
     * no product below can wrap around. */
    if (!pow2 || h->freq_cap > UINT32_MAX || h->freq_count >= (h->freq_cap ? h->freq_cap : 1) ||
        h->source_count > PS_SOURCES_MAX ||
        h->record_count > UINT32_MAX || h->port_entries > UINT32_MAX ||
        h->name_groups > UINT32_MAX || h->name_recs > UINT32_MAX ||
        h->port_buckets > UINT32_MAX ||
        h->name_buckets > UINT32_MAX || h->alias_count > UINT32_MAX)
        return false;
    /* Sections follow each other without gaps or overlap: the fix-ups
     * write into records and aliases and must not touch checked strings. */
    uint64_t at = sizeof *h;
    for (int s = 0; s < SEC_COUNT; s++) {
        if (h->off[s] != at || h->len[s] > h->file_size - at)
            return false;
        at += h->len[s];
    }
    if (at != h->file_size)
        return false;
    const uint64_t entry = sizeof(struct ps__index_entry);
    return section_ok(h, SEC_SOURCES, ceil8(h->source_count * sizeof(struct snap_source))) &&
           section_ok(h, SEC_RECORDS, ceil8(h->record_count * sizeof(struct ps_service))) &&
           section_ok(h, SEC_ALIASES, h->alias_count * 8) &&
           section_ok(h, SEC_PORT_HEAD, ceil8(h->port_buckets * 4)) &&
           section_ok(h, SEC_PORT_ENTRIES, ceil8(h->port_entries * entry)) &&
           section_ok(h, SEC_NAME_HEAD, ceil8(h->name_buckets * 4)) &&
           section_ok(h, SEC_NAME_GROUPS, ceil8(h->name_groups * sizeof(struct ps__name_group))) &&
           section_ok(h, SEC_NAME_RECS, ceil8(h->name_recs * 4)) &&
           section_ok(h, SEC_NAME_FOLDED, h->len[SEC_NAME_FOLDED]) &&
           section_ok(h, SEC_ORDER, ceil8(h->record_count * 4)) &&
           section_ok(h, SEC_FREQ, ceil8(h->freq_cap * sizeof(struct ps__freq_slot))) &&
           section_ok(h, SEC_KEY, h->len[SEC_KEY]) &&
           section_ok(h, SEC_STRINGS, h->len[SEC_STRINGS]);
}

/* Turns a string offset into a pointer, or NULL if it lies outside the
 * strings section. check() made sure the section ends with a NUL, so every
 * offset inside it starts a terminated string. */
static const char *string_at(const struct snap_view *v, uint64_t off)
{
    return off < v->strings_len ? v->strings + off : NULL;
}

/* Whether address p (as stored, for h->base) lies in section sec. */
static bool in_section(const struct snap_header *h, int sec, uint64_t p)
{
    uint64_t start = h->base + h->off[sec];
    return p >= start && p - start < h->len[sec];
}

static bool in_strings(const struct ps_registry *reg, const char *p)
{
    uintptr_t a = (uintptr_t)p;
    return a >= reg->guard.strings && a - reg->guard.strings < reg->guard.strings_len;
}

bool ps__record_valid(const struct ps_registry *reg, const struct ps_service *r)
{
    if (!reg->guard.on)
        return true;
    if (!in_strings(reg, r->name) || !in_strings(reg, r->description) ||
        r->proto >= PS_PROTO_COUNT || r->port > r->port_end ||
        (reg->source_count < 32 && (r->sources >> reg->source_count) != 0))
        return false;
    if (r->alias_count == 0)
        return true;
    uintptr_t a = (uintptr_t)r->aliases;
    if (a < reg->guard.aliases || (a - reg->guard.aliases) % 8 ||
        (a - reg->guard.aliases) / 8 > reg->guard.alias_count ||
        r->alias_count > reg->guard.alias_count - (a - reg->guard.aliases) / 8)
        return false;
    for (unsigned i = 0; i < r->alias_count; i++)
        if (!in_strings(reg, r->aliases[i]))
            return false;
    return true;
}

/* Checks every pointer stored in records and aliases against the sections
 * it must point into, and moves it by delta when the file could not be
 * mapped at its preferred address (delta 0 writes nothing). */
static bool records_fix(const struct snap_header *h, struct ps_service *recs,
                        uint64_t *aliases, uint64_t delta)
{
    for (uint64_t i = 0; i < h->alias_count; i++) {
        if (!in_section(h, SEC_STRINGS, aliases[i]))
            return false;
        if (delta)
            aliases[i] += delta;
    }
    uint64_t alias_table = h->base + h->off[SEC_ALIASES];
    for (uint64_t i = 0; i < h->record_count; i++) {
        struct ps_service *r = &recs[i];
        uint64_t a = (uintptr_t)r->aliases, first = (a - alias_table) / 8;
        if (!in_section(h, SEC_STRINGS, (uintptr_t)r->name) ||
            !in_section(h, SEC_STRINGS, (uintptr_t)r->description) ||
            (r->alias_count && (!in_section(h, SEC_ALIASES, a) || (a - alias_table) % 8 ||
                                r->alias_count > h->alias_count - first)) ||
            r->proto >= PS_PROTO_COUNT || r->port > r->port_end ||
            (h->source_count < 32 && (r->sources >> h->source_count) != 0))
            return false;
        if (delta) {
            /* Integer arithmetic: the old addresses are not pointers into
             * any object of this process. */
            r->name = (const char *)(uintptr_t)((uintptr_t)r->name + delta);
            r->description =
                (const char *)(uintptr_t)((uintptr_t)r->description + delta);
            r->aliases = (const char *const *)(uintptr_t)(a + delta);
        }
    }
    return true;
}

static int sources_fix(struct ps_registry *reg, const struct snap_view *v)
{
    const struct snap_source *ss =
        (const struct snap_source *)(v->base + v->h->off[SEC_SOURCES]);
    for (uint64_t i = 0; i < v->h->source_count; i++) {
        struct ps_source *s = &reg->sources[i];
        s->label = ss[i].label ? string_at(v, ss[i].label - 1) : NULL;
        s->path = ss[i].path ? string_at(v, ss[i].path - 1) : NULL;
        if (!s->label || (ss[i].path && !s->path) || ss[i].format > PS_FORMAT_IANA)
            return PS_EPARSE;
        s->format = (enum ps_format)ss[i].format;
        s->lines = ss[i].lines;
        s->records = ss[i].records;
        s->skipped = ss[i].skipped;
        s->first_bad_line = ss[i].first_bad_line;
        reg->stamps[i] = ss[i].stamp;
    }
    reg->source_count = v->h->source_count;
    return 0;
}

/* A source file that changed since the snapshot makes it stale. */
static bool sources_unchanged(const struct ps_registry *reg)
{
    for (size_t i = 0; i < reg->source_count; i++) {
        const struct ps__stamp *want = &reg->stamps[i];
        struct stat st;
        if (!reg->sources[i].path)
            continue;
        if (stat(reg->sources[i].path, &st) != 0 || (uint64_t)st.st_dev != want->dev ||
            (uint64_t)st.st_ino != want->ino || (uint64_t)st.st_size != want->size ||
            st.st_mtim.tv_sec != want->mtime_sec || st.st_mtim.tv_nsec != want->mtime_nsec)
            return false;
    }
    return true;
}

static int attach(struct ps_registry *reg, struct snap_view *v)
{
    const struct snap_header *h = v->h;
    char *b = v->base;
    reg->records = (struct ps_service *)(b + h->off[SEC_RECORDS]);
    reg->count = reg->cap = h->record_count;
    reg->port_head = (uint32_t *)(b + h->off[SEC_PORT_HEAD]);
    reg->port_entries = (struct ps__index_entry *)(b + h->off[SEC_PORT_ENTRIES]);
    reg->port_mask = h->port_buckets - 1;
    reg->port_entry_count = h->port_entries;
    reg->name_head = (uint32_t *)(b + h->off[SEC_NAME_HEAD]);
    reg->name_groups = (struct ps__name_group *)(b + h->off[SEC_NAME_GROUPS]);
    reg->name_mask = h->name_buckets - 1;
    reg->name_group_count = h->name_groups;
    reg->name_recs = (uint32_t *)(b + h->off[SEC_NAME_RECS]);
    reg->name_rec_count = h->name_recs;
    reg->name_folded = b + h->off[SEC_NAME_FOLDED];
    reg->name_folded_len = h->len[SEC_NAME_FOLDED];
    reg->order = (uint32_t *)(b + h->off[SEC_ORDER]);
    reg->freq = (struct ps__freq_slot *)(b + h->off[SEC_FREQ]);
    reg->freq_cap = h->freq_cap;
    reg->freq_count = h->freq_count;
    /* Index chains and the order are checked as they are used (index.c).
     * Records too, when the file sits at its preferred address: reading
     * every one here would cost a short command more than its lookups.
     * Moved elsewhere, they are checked while their pointers are moved. */
    uint64_t delta = (uint64_t)(uintptr_t)b - h->base;
    if (delta == 0) {
        reg->guard.on = true;
        reg->guard.strings = (uintptr_t)v->strings;
        reg->guard.strings_len = v->strings_len;
        reg->guard.aliases = (uintptr_t)(b + h->off[SEC_ALIASES]);
        reg->guard.alias_count = h->alias_count;
    } else if (!records_fix(h, reg->records,
                            (uint64_t *)(void *)(b + h->off[SEC_ALIASES]), delta)) {
        return PS_EPARSE;
    }
    reg->sealed = true;
    return 0;
}

/* Checks the header and what identifies the build and the caller's key.
 * Returns 0, PS_EPARSE or PS_ESTALE. */
static int check(struct snap_view *v, size_t len, const char *key)
{
    const struct snap_header *h = v->h;
    if (len < sizeof *h || !header_ok(h, len))
        return PS_EPARSE;
    v->strings = v->base + h->off[SEC_STRINGS];
    v->strings_len = h->len[SEC_STRINGS];
    if (v->strings_len == 0 || v->strings[v->strings_len - 1] != '\0')
        return PS_EPARSE;
    if (h->version != SNAP_VERSION || h->builtin_hash != ps__builtin_hash ||
        h->record_size != sizeof(struct ps_service) ||
        strncmp(h->build_id, ps__build_id, sizeof h->build_id) != 0)
        return PS_ESTALE;
    const char *stored = v->base + h->off[SEC_KEY];
    size_t klen = strlen(key) + 1;
    if (h->len[SEC_KEY] < klen || memcmp(stored, key, klen) != 0)
        return PS_ESTALE;
    return 0;
}

/* Maps the file read-only at the base its header asks for; if that range
 * is taken, maps it privately and writable anywhere so records_fix() can
 * relocate the pointers. */
static int map_file(const char *path, char **base, size_t *len, bool *writable)
{
    struct snap_header h;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ps__from_errno(errno);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size < sizeof h || pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
        close(fd);
        return PS_EPARSE;
    }
    size_t size = (size_t)st.st_size;
    void *want = (void *)(uintptr_t)h.base, *p = MAP_FAILED;
    if (h.base && h.base % 4096 == 0) {
        p = mmap(want, size, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
        if (p != MAP_FAILED && p != want) { /* kernels before 4.17: a hint */
            munmap(p, size);
            p = MAP_FAILED;
        }
    }
    *writable = p == MAP_FAILED;
    if (p == MAP_FAILED)
        p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return PS_EIO;
    *base = p;
    *len = size;
    return 0;
}

int ps_registry_open_snapshot(struct ps_registry **out, const char *path,
                              const char *key, const struct ps_logger *log)
{
    struct ps_registry *reg;
    struct snap_view v = {0};
    size_t len = 0;

    if (!out || !path || !key)
        return PS_EINVAL;
    *out = NULL;
    bool writable;
    int rc = map_file(path, &v.base, &len, &writable);
    if (rc)
        return rc;
    v.h = (const struct snap_header *)v.base;
    if ((rc = ps_registry_new(&reg, log))) {
        munmap(v.base, len);
        return rc;
    }
    reg->map = v.base;
    reg->map_len = len;
    rc = check(&v, len, key);
    /* Mapped read-only at the header's base, the pointers need no moving;
     * a file rewritten since its header was first read could disagree. */
    if (rc == 0 && !writable && v.h->base != (uint64_t)(uintptr_t)v.base)
        rc = PS_EPARSE;
    if (rc == 0)
        rc = sources_fix(reg, &v);
    if (rc == 0 && !sources_unchanged(reg))
        rc = PS_ESTALE;
    if (rc == 0)
        rc = attach(reg, &v);
    if (rc) {
        ps__log(log, PS_LOG_DEBUG, "%s: %s", path, ps_strerror(rc));
        ps_registry_free(reg);
        return rc;
    }
    *out = reg;
    return 0;
}

void ps__snapshot_unmap(struct ps_registry *reg)
{
    munmap(reg->map, reg->map_len);
    reg->map = NULL;
}
