/* Parsers of /proc text. They read only text[0..len) and write only their
 * outputs: the text comes from other processes (a process chooses its own
 * comm and cgroup names), so tests and the fuzzer drive them with any
 * bytes, and nothing here assumes a NUL terminator. */
#include <stdbool.h>
#include <string.h>

#include "sockets/owners_internal.h"

#define ID_HEX 64 /* a container id: 64 lower-case hex digits */

static void copy_out(char *dst, size_t cap, const char *s, size_t n)
{
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool span_eq(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && memcmp(s, lit, l) == 0;
}

static bool has_prefix(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s, lit, l) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s + n - l, lit, l) == 0;
}

static bool is_unit_name(const char *e, size_t n)
{
    return has_suffix(e, n, ".service") || has_suffix(e, n, ".scope") ||
           has_suffix(e, n, ".socket");
}

/* The id in a path element of the form "[prefix-]<64 hex>[.scope]", or
 * NULL; *pre gets the prefix length (0 for a bare id). Checking that the
 * prefix ends in '-' rejects a 65-digit run, and "libpod-conmon-<id>"
 * (the monitor, which runs outside the container). */
static const char *elem_id(const char *e, size_t n, size_t *pre)
{
    if (has_suffix(e, n, ".scope"))
        n -= strlen(".scope");
    if (n < ID_HEX)
        return NULL;
    const char *id = e + n - ID_HEX;
    for (size_t i = 0; i < ID_HEX; i++)
        if (!is_hex(id[i]))
            return NULL;
    *pre = n - ID_HEX;
    if (*pre > 0 && e[*pre - 1] != '-')
        return NULL;
    return id;
}

static bool runtime_prefix(const char *e, size_t pre)
{
    return span_eq(e, pre, "docker-") || span_eq(e, pre, "cri-containerd-") ||
           span_eq(e, pre, "libpod-");
}

struct cg_found {
    const char *unit, *id;
    size_t unit_n;
};

/* One cgroup path, element by element. The innermost match wins: in
 * "/docker/<a>/docker/<b>" the process runs in <b>. */
static void scan_path(const char *p, size_t n, struct cg_found *f)
{
    bool in_slice = false, in_runtime = false;
    size_t i = 0;

    while (i < n) {
        while (i < n && p[i] == '/')
            i++;
        const char *e = p + i;
        while (i < n && p[i] != '/')
            i++;
        size_t en = (size_t)(p + i - e), pre;
        if (en == 0)
            break;
        if (in_slice && is_unit_name(e, en)) {
            f->unit = e;
            f->unit_n = en;
        }
        const char *id = elem_id(e, en, &pre);
        if (id && (runtime_prefix(e, pre) || in_runtime))
            f->id = id;
        if (span_eq(e, en, "system.slice") || span_eq(e, en, "user.slice"))
            in_slice = true;
        if (span_eq(e, en, "docker") || has_prefix(e, en, "kubepods"))
            in_runtime = true;
    }
}

/* Which line to trust when several say different things: the unified
 * (v2) hierarchy, then systemd's own v1 hierarchy, then any controller. */
static int line_rank(const char *ctl, size_t n)
{
    if (n == 0)
        return 0;
    return span_eq(ctl, n, "name=systemd") ? 1 : 2;
}

void ps_proc_parse_cgroup(const char *text, size_t len, char *unit,
                          size_t unit_len, char *container,
                          size_t container_len)
{
    int unit_rank = 3, id_rank = 3;
    struct cg_found best = {0};
    const char *end = text ? text + len : NULL;

    for (const char *line = text; line && line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *eol = nl ? nl : end;
        const char *c1 = memchr(line, ':', (size_t)(eol - line));
        const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
        if (c2) {
            int rank = line_rank(c1 + 1, (size_t)(c2 - c1 - 1));
            struct cg_found f = {0};
            scan_path(c2 + 1, (size_t)(eol - c2 - 1), &f);
            if (f.unit && rank < unit_rank) {
                unit_rank = rank;
                best.unit = f.unit;
                best.unit_n = f.unit_n;
            }
            if (f.id && rank < id_rank) {
                id_rank = rank;
                best.id = f.id;
            }
        }
        line = nl ? nl + 1 : end;
    }
    copy_out(unit, unit_len, best.unit, best.unit ? best.unit_n : 0);
    copy_out(container, container_len, best.id, best.id ? ID_HEX : 0);
}

/* Digits at *p (advanced past them) into *v; false if none or overflow. */
static bool parse_u64(const char **p, const char *end, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;

    while (s < end && *s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
        s++;
    }
    if (s == *p)
        return false;
    *p = s;
    *v = x;
    return true;
}

/* The comm may hold spaces and ')', but the kernel prints it between the
 * first "(" and the last ")" of the line, so the last ')' ends it. */
static const char *comm_end(const char *text, size_t len)
{
    if (!text || len == 0)
        return NULL;
    const char *open = memchr(text, '(', len);
    const char *close = memrchr(text, ')', len);
    return open && close && close > open ? close : NULL;
}

int ps_proc_parse_starttime(const char *text, size_t len, uint64_t *ticks)
{
    const char *p = comm_end(text, len), *end;
    uint64_t v;

    if (!p || !ticks)
        return PS_EPARSE;
    end = text + len;
    p++;
    /* Fields 3 (state) to 21 come after the comm, one space before each. */
    for (int field = 3; field < 22; field++) {
        if (p == end || *p != ' ')
            return PS_EPARSE;
        p++;
        while (p < end && *p != ' ' && *p != '\n')
            p++;
    }
    if (p == end || *p != ' ')
        return PS_EPARSE;
    p++;
    /* A number that runs into the end of the text may have been cut. */
    if (!parse_u64(&p, end, &v) || p == end || (*p != ' ' && *p != '\n'))
        return PS_EPARSE;
    *ticks = v;
    return 0;
}

int ps__proc_parse_comm(const char *text, size_t len, char *out, size_t cap)
{
    const char *close = comm_end(text, len);

    if (!close)
        return PS_EPARSE;
    const char *open = memchr(text, '(', len);
    copy_out(out, cap, open + 1, (size_t)(close - open - 1));
    return 0;
}

/* The line of text that starts with key, or NULL; *eol gets its end. */
static const char *find_line(const char *text, size_t len, const char *key,
                             const char **eol)
{
    const char *end = text ? text + len : NULL;
    size_t kl = strlen(key);

    for (const char *line = text; line && line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        *eol = nl ? nl : end;
        if (has_prefix(line, (size_t)(*eol - line), key))
            return line + kl;
        line = nl ? nl + 1 : end;
    }
    return NULL;
}

int ps__proc_parse_btime(const char *text, size_t len, int64_t *btime)
{
    const char *eol, *p = find_line(text, len, "btime ", &eol);
    uint64_t v;

    if (!p || !parse_u64(&p, eol, &v) || p != eol || v > INT64_MAX / 2)
        return PS_EPARSE;
    *btime = (int64_t)v;
    return 0;
}

int ps__proc_parse_uid(const char *text, size_t len, uint32_t *uid)
{
    const char *eol, *p = find_line(text, len, "Uid:", &eol);
    uint64_t v = 0;

    /* Real, effective, saved, filesystem; the effective one decides what
     * the process may do, and is what ps(1) shows as its user. */
    for (int i = 0; p && i < 2; i++) {
        while (p < eol && (*p == '\t' || *p == ' '))
            p++;
        if (!parse_u64(&p, eol, &v))
            return PS_EPARSE;
    }
    if (!p || v > UINT32_MAX)
        return PS_EPARSE;
    *uid = (uint32_t)v;
    return 0;
}
