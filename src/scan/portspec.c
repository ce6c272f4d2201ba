/* Port sets and nmap-compatible port specifications (portscope/portspec.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/internal.h"
#include "portscope/portspec.h"

#define WORDS 1024u
#define ITEM_SHOW 48u /* bytes of an item quoted in an error message */

static uint64_t *map_of(struct ps_portset *set, enum ps_proto proto)
{
    if (proto == PS_PROTO_TCP)
        return set->tcp;
    if (proto == PS_PROTO_UDP)
        return set->udp;
    return NULL;
}

static const uint64_t *cmap_of(const struct ps_portset *set,
                               enum ps_proto proto)
{
    if (proto == PS_PROTO_TCP)
        return set->tcp;
    if (proto == PS_PROTO_UDP)
        return set->udp;
    return NULL;
}

void ps_portset_clear(struct ps_portset *set)
{
    if (set)
        memset(set, 0, sizeof *set);
}

static void map_add_range(uint64_t *map, unsigned first, unsigned last)
{
    while (first <= last) {
        unsigned w = first / 64, b = first % 64;
        if (b == 0 && last - first >= 63) {
            map[w] = UINT64_MAX;
            first += 64;
        } else {
            map[w] |= UINT64_C(1) << b;
            first++;
        }
        if (first == 0) /* cannot happen below 2^32, but never loop */
            break;
    }
}

int ps_portset_add_range(struct ps_portset *set, enum ps_proto proto,
                         unsigned first, unsigned last)
{
    uint64_t *map = set ? map_of(set, proto) : NULL;
    if (!map || first > last || last > PS_PORT_MAX)
        return PS_EINVAL;
    map_add_range(map, first, last);
    return 0;
}

int ps_portset_add(struct ps_portset *set, enum ps_proto proto, unsigned port)
{
    return ps_portset_add_range(set, proto, port, port);
}

int ps_portset_has(const struct ps_portset *set, enum ps_proto proto,
                   unsigned port)
{
    const uint64_t *map = set ? cmap_of(set, proto) : NULL;
    if (!map || port > PS_PORT_MAX)
        return 0;
    return (int)((map[port / 64] >> (port % 64)) & 1u);
}

static size_t map_count(const uint64_t *map)
{
    size_t n = 0;
    for (unsigned i = 0; i < WORDS; i++)
        n += (size_t)__builtin_popcountll(map[i]);
    return n;
}

size_t ps_portset_count(const struct ps_portset *set, enum ps_proto proto)
{
    if (!set)
        return 0;
    if (proto == PS_PROTO_ANY)
        return map_count(set->tcp) + map_count(set->udp);
    const uint64_t *map = cmap_of(set, proto);
    return map ? map_count(map) : 0;
}

long ps_portset_next(const struct ps_portset *set, enum ps_proto proto,
                     unsigned long from)
{
    const uint64_t *map = set ? cmap_of(set, proto) : NULL;
    if (!map || from > PS_PORT_MAX)
        return -1;
    unsigned w = (unsigned)(from / 64);
    uint64_t bits = map[w] & (UINT64_MAX << (from % 64));
    for (;;) {
        if (bits)
            return (long)w * 64 + __builtin_ctzll(bits);
        if (++w == WORDS)
            return -1;
        bits = map[w];
    }
}

void ps_portset_subtract(struct ps_portset *set,
                         const struct ps_portset *remove)
{
    if (!set || !remove)
        return;
    for (unsigned i = 0; i < WORDS; i++) {
        set->tcp[i] &= ~remove->tcp[i];
        set->udp[i] &= ~remove->udp[i];
    }
}

/* ---- Parsing ---------------------------------------------------------- */

struct parser {
    const struct ps_registry *reg;
    struct ps_portset *set;
    char *err;
    size_t errlen;
};

static void set_err(struct parser *ps, const char *fmt, ...) PS__PRINTF(2, 3);

static void set_err(struct parser *ps, const char *fmt, ...)
{
    if (!ps->err || ps->errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(ps->err, ps->errlen, fmt, ap);
    va_end(ap);
    if (n < 0)
        ps->err[0] = '\0';
}

/* The bytes s[0..len) for an error message: control and non-ASCII bytes
 * as \xNN, cut short with "..." after ITEM_SHOW bytes. */
static const char *show(char *buf, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == ITEM_SHOW || cap - o < 9) { /* room for \xNN and "..." */
            memcpy(buf + o, "...", 4);
            return buf;
        }
        if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
    return buf;
}

#define SHOW_CAP (ITEM_SHOW * 4 + 8)

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    c = ps__lower(c);
    return c >= 'a' && c <= 'z';
}

static int is_name_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.' ||
           c == '+' || c == '*' || c == '?';
}

/* Reads decimal digits from *p (up to end); *v gets the value, capped at
 * 999999 so that a long number is still reported as out of range. */
static void read_num(const char **p, const char *end, unsigned long *v)
{
    unsigned long n = 0;
    for (; *p < end && is_digit((unsigned char)**p); (*p)++) {
        n = n * 10 + (unsigned long)(**p - '0');
        if (n > 999999)
            n = 999999;
    }
    *v = n;
}

static void add_protos(struct parser *ps, unsigned protos, unsigned lo,
                       unsigned hi)
{
    for (unsigned p = PS_PROTO_TCP; p <= PS_PROTO_UDP; p++)
        if (protos & (1u << p))
            map_add_range(map_of(ps->set, (enum ps_proto)p), lo, hi);
}

/* ASCII case-insensitive glob: '*' any run, '?' one character. */
static int glob_match(const char *pat, size_t plen, const char *s)
{
    size_t pi = 0, star_p = (size_t)-1;
    const char *star_s = NULL;
    while (*s) {
        if (pi < plen && (pat[pi] == '?' ||
                          (pat[pi] != '*' &&
                           ps__lower((unsigned char)pat[pi]) ==
                               ps__lower((unsigned char)*s)))) {
            pi++;
            s++;
        } else if (pi < plen && pat[pi] == '*') {
            star_p = pi++;
            star_s = s;
        } else if (star_s) {
            pi = star_p + 1;
            s = ++star_s;
        } else {
            return 0;
        }
    }
    while (pi < plen && pat[pi] == '*')
        pi++;
    return pi == plen;
}

static int add_wildcard(struct parser *ps, unsigned protos, const char *name,
                        size_t len, const char *item, size_t ilen)
{
    char buf[SHOW_CAP];
    size_t hits = 0;
    struct ps_registry_iter it = {0};
    const struct ps_service *s;
    while ((s = ps_registry_next(ps->reg, &it)) != NULL) {
        if ((unsigned)s->proto > PS_PROTO_UDP || !(protos & (1u << s->proto)))
            continue;
        int m = s->name[0] && glob_match(name, len, s->name);
        for (unsigned a = 0; !m && a < s->alias_count; a++)
            m = glob_match(name, len, s->aliases[a]);
        if (!m || s->port > s->port_end)
            continue;
        map_add_range(map_of(ps->set, s->proto), s->port, s->port_end);
        hits++;
    }
    if (hits == 0) {
        set_err(ps, "'%s': no service name matches the wildcard",
                show(buf, sizeof buf, item, ilen));
        return PS_EPARSE;
    }
    return 0;
}

/* Looks name (len bytes) up for each protocol in protos. item/ilen is the
 * whole item, for messages. */
static int add_name(struct parser *ps, unsigned protos, const char *name,
                    size_t len, const char *item, size_t ilen)
{
    char buf[SHOW_CAP];
    if (!ps->reg) {
        set_err(ps, "'%s': service names need a registry",
                show(buf, sizeof buf, item, ilen));
        return PS_EINVAL;
    }
    if (memchr(name, '*', len) || memchr(name, '?', len))
        return add_wildcard(ps, protos, name, len, item, ilen);
    if (len > PS_NAME_MAX) {
        set_err(ps, "'%s': unknown service name (longer than %u characters)",
                show(buf, sizeof buf, item, ilen), PS_NAME_MAX);
        return PS_EPARSE;
    }
    char key[PS_NAME_MAX + 1];
    memcpy(key, name, len);
    key[len] = '\0';

    size_t found = 0;
    for (unsigned p = PS_PROTO_TCP; p <= PS_PROTO_UDP; p++) {
        if (!(protos & (1u << p)))
            continue;
        size_t n = ps_registry_find_name(ps->reg, key, (enum ps_proto)p, NULL, 0);
        if (n == 0)
            continue;
        const struct ps_service **recs = malloc(n * sizeof *recs);
        if (!recs) {
            set_err(ps, "out of memory");
            return PS_ENOMEM;
        }
        size_t got = ps_registry_find_name(ps->reg, key, (enum ps_proto)p,
                                           recs, n);
        if (got > n)
            got = n;
        for (size_t i = 0; i < got; i++) {
            const struct ps_service *s = recs[i];
            if (s->proto != (enum ps_proto)p || s->port > s->port_end)
                continue;
            map_add_range(map_of(ps->set, s->proto), s->port, s->port_end);
            found++;
        }
        free(recs);
    }
    if (found)
        return 0;
    const char *scope = protos == PS_PORTSPEC_BOTH ? "tcp or udp"
                        : (protos & PS_PORTSPEC_TCP) ? "tcp" : "udp";
    if (ps_registry_find_name(ps->reg, key, PS_PROTO_ANY, NULL, 0) > 0)
        set_err(ps, "'%s': service '%s' is not known for %s",
                show(buf, sizeof buf, item, ilen), key, scope);
    else
        set_err(ps, "'%s': unknown service name",
                show(buf, sizeof buf, item, ilen));
    return PS_EPARSE;
}

/* Parses one item target t[0..tlen) (prefix removed) for protos. */
static int parse_target(struct parser *ps, unsigned protos, const char *t,
                        size_t tlen, const char *item, size_t ilen)
{
    char buf[SHOW_CAP], buf2[SHOW_CAP];
    const char *p = t, *end = t + tlen;
    unsigned char c0 = (unsigned char)t[0];

    if (is_digit(c0) || c0 == '-') {
        unsigned long lo = 1, hi = PS_PORT_MAX;
        int have_lo = 0, have_hi = 0, dash = 0;
        if (is_digit(c0)) {
            read_num(&p, end, &lo);
            have_lo = 1;
        }
        if (p < end && *p == '-') {
            dash = 1;
            p++;
            if (p < end && is_digit((unsigned char)*p)) {
                read_num(&p, end, &hi);
                have_hi = 1;
            }
        }
        if (p < end) {
            /* "3com-tsmux" is a name; "80x" is a number with junk. */
            int namey = is_digit(c0);
            for (const char *q = t; namey && q < end; q++)
                namey = is_name_char((unsigned char)*q);
            if (namey && ps->reg) {
                int rc = add_name(ps, protos, t, tlen, item, ilen);
                if (rc != PS_EPARSE)
                    return rc;
            }
            set_err(ps, "'%s': trailing junk '%s' after the port number",
                    show(buf, sizeof buf, item, ilen),
                    show(buf2, sizeof buf2, p, (size_t)(end - p)));
            return PS_EPARSE;
        }
        if (!dash)
            hi = lo;
        if (have_lo && lo > PS_PORT_MAX) {
            set_err(ps, "'%s': port %lu out of range (0-65535)",
                    show(buf, sizeof buf, item, ilen), lo);
            return PS_ERANGE;
        }
        if (have_hi && hi > PS_PORT_MAX) {
            set_err(ps, "'%s': port %lu out of range (0-65535)",
                    show(buf, sizeof buf, item, ilen), hi);
            return PS_ERANGE;
        }
        if (!have_lo && have_hi && hi == 0)
            lo = 0; /* "-0": port 0 written explicitly */
        if (lo > hi) {
            set_err(ps, "'%s': reversed range (%lu is above %lu)",
                    show(buf, sizeof buf, item, ilen), lo, hi);
            return PS_ERANGE;
        }
        add_protos(ps, protos, (unsigned)lo, (unsigned)hi);
        return 0;
    }

    if (is_name_char(c0)) {
        for (const char *q = t; q < end; q++) {
            if (!is_name_char((unsigned char)*q)) {
                set_err(ps, "'%s': unexpected character '%s' in a service name",
                        show(buf, sizeof buf, item, ilen),
                        show(buf2, sizeof buf2, q, 1));
                return PS_EPARSE;
            }
        }
        return add_name(ps, protos, t, tlen, item, ilen);
    }

    set_err(ps, "'%s': unexpected character '%s' (expected a port, a range "
                "or a service name)",
            show(buf, sizeof buf, item, ilen), show(buf2, sizeof buf2, t, 1));
    return PS_EPARSE;
}

static int parse_into(const char *spec, const struct ps_registry *reg,
                      unsigned default_protos, struct ps_portset *set,
                      char *err, size_t errlen)
{
    struct parser ps = {reg, set, err, errlen};
    char buf[SHOW_CAP];

    if (err && errlen)
        err[0] = '\0';
    if (!spec || !set) {
        set_err(&ps, "no port specification given");
        return PS_EINVAL;
    }
    if (default_protos == 0 || (default_protos & ~PS_PORTSPEC_BOTH)) {
        set_err(&ps, "default protocols 0x%x: must be tcp and/or udp",
                default_protos);
        return PS_EINVAL;
    }
    if (!spec[0]) {
        set_err(&ps, "empty port specification");
        return PS_EPARSE;
    }

    unsigned protos = default_protos;
    const char *p = spec;
    for (size_t index = 1;; index++) {
        const char *item = p;
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        size_t ilen = (size_t)(end - item);
        if (ilen == 0) {
            set_err(&ps, "empty item %zu at offset %zu (two commas, or a "
                         "comma at an end)",
                    index, (size_t)(item - spec));
            return PS_EPARSE;
        }

        const char *t = item;
        const char *colon = memchr(item, ':', ilen);
        if (colon) {
            size_t plen = (size_t)(colon - item);
            int c = plen == 1 ? ps__lower((unsigned char)item[0]) : 0;
            if (c == 's') {
                set_err(&ps, "'%s': SCTP ports (prefix S:) are not supported; "
                             "use T: or U:",
                        show(buf, sizeof buf, item, ilen));
                return PS_EUNSUPP;
            }
            if (c != 't' && c != 'u') {
                char b2[SHOW_CAP];
                set_err(&ps, "'%s': bad protocol prefix '%s:' (expected T: "
                             "or U:)",
                        show(buf, sizeof buf, item, ilen),
                        show(b2, sizeof b2, item, plen));
                return PS_EPARSE;
            }
            protos = c == 't' ? PS_PORTSPEC_TCP : PS_PORTSPEC_UDP;
            t = colon + 1;
            if (t == end) {
                set_err(&ps, "'%s': protocol prefix with no port after it",
                        show(buf, sizeof buf, item, ilen));
                return PS_EPARSE;
            }
            if (memchr(t, ':', (size_t)(end - t))) {
                set_err(&ps, "'%s': bad protocol prefix (more than one ':')",
                        show(buf, sizeof buf, item, ilen));
                return PS_EPARSE;
            }
        }

        int rc = parse_target(&ps, protos, t, (size_t)(end - t), item, ilen);
        if (rc)
            return rc;
        if (!*end)
            return 0;
        p = end + 1;
    }
}

/* Parses spec into a scratch set and, only when all of it is valid, merges
 * it into target (added, or with subtract, taken away), so a bad spec never
 * leaves target half changed. */
static int apply_spec(struct ps_portset *target, bool subtract, const char *spec,
                      const struct ps_registry *reg, unsigned default_protos,
                      char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!target) {
        if (err && errlen)
            snprintf(err, errlen, "no port set given");
        return PS_EINVAL;
    }
    struct ps_portset *tmp = calloc(1, sizeof *tmp);
    if (!tmp) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return PS_ENOMEM;
    }
    int rc = parse_into(spec, reg, default_protos, tmp, err, errlen);
    if (rc == 0 && subtract) {
        ps_portset_subtract(target, tmp);
    } else if (rc == 0) {
        for (unsigned i = 0; i < WORDS; i++) {
            target->tcp[i] |= tmp->tcp[i];
            target->udp[i] |= tmp->udp[i];
        }
    }
    free(tmp);
    return rc;
}

int ps_portspec_parse(const char *spec, const struct ps_registry *reg,
                      unsigned default_protos, struct ps_portset *out,
                      char *err, size_t errlen)
{
    return apply_spec(out, false, spec, reg, default_protos, err, errlen);
}

int ps_portset_remove_spec(struct ps_portset *set, const char *spec,
                           const struct ps_registry *reg,
                           unsigned default_protos, char *err, size_t errlen)
{
    return apply_spec(set, true, spec, reg, default_protos, err, errlen);
}

/* ---- Top ports -------------------------------------------------------- */

struct ranked {
    float freq;
    uint16_t port;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq > y->freq ? -1 : 1;
    return (x->port > y->port) - (x->port < y->port);
}

int ps_portset_top(const struct ps_registry *reg, enum ps_proto proto,
                   size_t n, struct ps_portset *out)
{
    if (!reg || !out || (proto != PS_PROTO_TCP && proto != PS_PROTO_UDP))
        return PS_EINVAL;
    if (n > PS_PORT_MAX)
        n = PS_PORT_MAX;
    if (n == 0)
        return 0;

    struct ranked *r = malloc(PS_PORT_MAX * sizeof *r);
    uint64_t *chosen = calloc(WORDS, sizeof *chosen);
    if (!r || !chosen) {
        free(r);
        free(chosen);
        return PS_ENOMEM;
    }
    size_t nr = 0, taken = 0;
    for (unsigned port = 1; port <= PS_PORT_MAX; port++) {
        float f = ps_registry_frequency(reg, proto, port);
        if (f >= 0.0f)
            r[nr++] = (struct ranked){f, (uint16_t)port};
    }
    qsort(r, nr, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < nr && taken < n; i++, taken++)
        chosen[r[i].port / 64] |= UINT64_C(1) << (r[i].port % 64);
    /* Rule 2: ports the registry covers; rule 3: the rest. */
    for (int pass = 0; pass < 2 && taken < n; pass++) {
        for (unsigned port = 1; port <= PS_PORT_MAX && taken < n; port++) {
            uint64_t bit = UINT64_C(1) << (port % 64);
            if (chosen[port / 64] & bit)
                continue;
            if (pass == 0 &&
                ps_registry_find_port(reg, proto, port, NULL, 0) == 0)
                continue;
            chosen[port / 64] |= bit;
            taken++;
        }
    }
    uint64_t *map = map_of(out, proto);
    for (unsigned i = 0; i < WORDS; i++)
        map[i] |= chosen[i];
    free(r);
    free(chosen);
    return (int)taken;
}
