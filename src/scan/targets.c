/* The target list (portscope/targets.h): specs and -iL files in the order
 * given, the exclusions, the resolver and the count. The syntax of one
 * spec is in targets_parse.c, the iterator in targets_iter.c. */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "scan/targets_int.h"

/* The default resolver: the first address of the wanted family that
 * getaddrinfo() gives (files first, then DNS, as nsswitch.conf says). */
static int resolve_getaddrinfo(void *ud, const char *name, int prefer_v6,
                               struct ps_ip *out)
{
    (void)ud;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = prefer_v6 ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM; /* one answer per address */
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc == EAI_MEMORY)
        return PS_ENOMEM;
    if (rc == EAI_SYSTEM)
        return errno == ENOMEM ? PS_ENOMEM : PS_ENOENT;
    if (rc != 0 || !res)
        return PS_ENOENT;
    memset(out, 0, sizeof *out);
    if (res->ai_family == AF_INET) {
        const struct sockaddr_in *sin = (const void *)res->ai_addr;
        out->family = AF_INET;
        memcpy(out->bytes, &sin->sin_addr, 4);
    } else if (res->ai_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const void *)res->ai_addr;
        out->family = AF_INET6;
        memcpy(out->bytes, &sin6->sin6_addr, 16);
    } else {
        rc = 1;
    }
    freeaddrinfo(res);
    return rc ? PS_ENOENT : 0;
}

struct ps_targets *ps_targets_new(unsigned flags, const struct ps_logger *log)
{
    struct ps_targets *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->flags = flags;
    t->log = log;
    t->resolve = resolve_getaddrinfo;
    return t;
}

void ps_targets_free(struct ps_targets *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->e[i].name);
        ps__tsource_free(t->e[i].src);
        free(t->e[i].src);
    }
    free(t->e);
    ps__excl_free(&t->excl);
    free(t);
}

void ps_targets_set_resolver(struct ps_targets *t, ps_resolve_fn fn, void *ud)
{
    if (!t)
        return;
    t->resolve = fn ? fn : resolve_getaddrinfo;
    t->resolve_ud = fn ? ud : NULL;
}

int ps__targets_resolve(const struct ps_targets *t, const char *spec,
                        const char *name, int prefix, struct ps__tspec *out,
                        char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP];
    struct ps_ip ip;
    memset(&ip, 0, sizeof ip);
    int v6 = (t->flags & PS_TARGETS_PREFER_V6) != 0;
    int rc = t->resolve(t->resolve_ud, name, v6, &ip);
    ps__tshow(buf, spec, strlen(spec));
    if (rc == PS_ENOMEM) {
        ps__terr(err, errlen, "%s: out of memory resolving the name", buf);
        return rc;
    }
    if (rc) {
        ps__terr(err, errlen, "%s: hostname does not resolve%s", buf,
                 v6 ? " to an IPv6 address" : " to an IPv4 address");
        return PS_ENOENT;
    }
    if (ip.family != AF_INET && ip.family != AF_INET6) {
        ps__terr(err, errlen, "%s: the resolver gave no usable address", buf);
        return PS_ENOENT;
    }
    return ps__tspec_from_ip(&ip, prefix, spec, out, err, errlen);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Parses spec into a RANGE or OCTETS spec, resolving a hostname now;
 * *name_len gets the length of the hostname, or 0 for an address. */
static int parse_now(const struct ps_targets *t, const char *spec,
                     struct ps__tspec *out, size_t *name_len, char *err,
                     size_t errlen)
{
    int rc = ps__tspec_parse(spec, t->flags, out, err, errlen);
    *name_len = 0;
    if (rc == 0 && out->kind == PS__TSPEC_HOST) {
        char name[PS__TSPEC_MAX + 1];
        size_t len = out->prefix >= 0 ? (size_t)(strchr(spec, '/') - spec)
                                      : strlen(spec);
        memcpy(name, spec, len);
        name[len] = '\0';
        *name_len = len;
        rc = ps__targets_resolve(t, spec, name, out->prefix, out, err, errlen);
    }
    return rc;
}

static uint64_t spec_count(const struct ps__tspec *s, const struct ps__excl *ex)
{
    return ps__tspec_size(s) - ps__excl_overlap(ex, s);
}

/* Reads every spec of r, checking it, and sums what the specs name after
 * the exclusions ex. path names the file in messages. */
static int scan_file(const struct ps_targets *t, struct ps__treader *r,
                     const char *path, const struct ps__excl *ex,
                     uint64_t *count, char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP], msg[512];
    char *tok = malloc(PS__TSPEC_MAX + 1);
    if (!tok) {
        ps__terr(err, errlen, "out of memory");
        return PS_ENOMEM;
    }
    ps__tshow(buf, path, strlen(path));
    uint64_t n = 0;
    int rc;
    unsigned long line = 0;
    while ((rc = ps__treader_next(r, tok, &line)) == 1) {
        struct ps__tspec s;
        rc = ps__tspec_parse(tok, t->flags, &s, msg, sizeof msg);
        if (rc) {
            ps__terr(err, errlen, "file %s line %lu: %s", buf, line, msg);
            goto out;
        }
        n = add_sat(n, s.kind == PS__TSPEC_HOST
                           ? ps__tspec_host_size(&s, t->flags)
                           : spec_count(&s, ex));
    }
    if (rc < 0)
        ps__terr(err, errlen, "file %s line %lu: %s", buf, line, r->why);
out:
    free(tok);
    *count = n;
    return rc;
}

/* Recounts every entry against the exclusions ex (files are read again).
 * On success the counts are stored; on failure nothing changes. */
static int recount(struct ps_targets *t, const struct ps__excl *ex, char *err,
                   size_t errlen)
{
    uint64_t *counts = t->n ? malloc(t->n * sizeof *counts) : NULL;
    if (t->n && !counts) {
        ps__terr(err, errlen, "out of memory");
        return PS_ENOMEM;
    }
    for (size_t i = 0; i < t->n; i++) {
        const struct ps__tentry *e = &t->e[i];
        if (e->kind == PS__TENTRY_SPEC) {
            counts[i] = spec_count(&e->spec, ex);
            continue;
        }
        struct ps__treader r;
        int rc = ps__tsource_reopen(e->src, &r, err, errlen);
        if (rc == 0) {
            rc = scan_file(t, &r, e->src->path, ex, &counts[i], err, errlen);
            ps__treader_close(&r);
            /* It was valid when added: a spec that no longer parses
             * means the file changed under the same status. */
            if (rc && rc != PS_ENOMEM && rc != PS_EIO)
                rc = PS_ESTALE;
        }
        if (rc) {
            free(counts);
            return rc;
        }
    }
    t->count = 0;
    for (size_t i = 0; i < t->n; i++) {
        t->e[i].count = counts[i];
        t->count = add_sat(t->count, counts[i]);
    }
    free(counts);
    return 0;
}

static struct ps__tentry *new_entry(struct ps_targets *t)
{
    struct ps__tentry *g = ps__grow_array(t->e, &t->cap, t->n + 1, sizeof *g);
    if (!g)
        return NULL;
    t->e = g;
    struct ps__tentry *e = &t->e[t->n];
    memset(e, 0, sizeof *e);
    return e;
}

static int bad_args(const struct ps_targets *t, const char *arg, char *err,
                    size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (t && arg)
        return 0;
    ps__terr(err, errlen, "no target list or specification given");
    return PS_EINVAL;
}

int ps_targets_add(struct ps_targets *t, const char *spec, char *err,
                   size_t errlen)
{
    if (bad_args(t, spec, err, errlen))
        return PS_EINVAL;
    struct ps__tspec s;
    size_t name_len;
    int rc = parse_now(t, spec, &s, &name_len, err, errlen);
    if (rc)
        return rc;
    struct ps__tentry *e = new_entry(t);
    char *name = e && name_len ? strndup(spec, name_len) : NULL;
    if (!e || (name_len && !name)) {
        ps__terr(err, errlen, "out of memory");
        return PS_ENOMEM;
    }
    e->kind = PS__TENTRY_SPEC;
    e->spec = s;
    e->name = name;
    e->count = spec_count(&s, &t->excl);
    t->count = add_sat(t->count, e->count);
    t->n++;
    return 0;
}

int ps_targets_add_file(struct ps_targets *t, const char *path, char *err,
                        size_t errlen)
{
    if (bad_args(t, path, err, errlen))
        return PS_EINVAL;
    struct ps__tsource *src = calloc(1, sizeof *src);
    struct ps__tentry *e = new_entry(t);
    if (!src || !e) {
        free(src);
        ps__terr(err, errlen, "out of memory");
        return PS_ENOMEM;
    }
    struct ps__treader r;
    int rc = ps__tsource_open(path, src, &r, err, errlen);
    if (rc) {
        free(src);
        return rc;
    }
    uint64_t count = 0;
    rc = scan_file(t, &r, path, &t->excl, &count, err, errlen);
    ps__treader_close(&r);
    if (rc) {
        ps__tsource_free(src);
        free(src);
        return rc;
    }
    e->kind = PS__TENTRY_FILE;
    e->src = src;
    e->count = count;
    t->count = add_sat(t->count, count);
    t->n++;
    return 0;
}

/* Adds the exclusion spec to ex, resolving a hostname now. */
static int exclude_one(const struct ps_targets *t, struct ps__excl *ex,
                       const char *spec, char *err, size_t errlen)
{
    struct ps__tspec s;
    size_t name_len;
    int rc = parse_now(t, spec, &s, &name_len, err, errlen);
    return rc ? rc : ps__excl_add(ex, &s, spec, err, errlen);
}

/* Makes ex (built from a copy of t's exclusions plus new ones) t's
 * exclusions, recounting; frees ex on failure. */
static int commit_excl(struct ps_targets *t, struct ps__excl *ex, char *err,
                       size_t errlen)
{
    ps__excl_normalize(ex);
    int rc = recount(t, ex, err, errlen);
    if (rc) {
        ps__excl_free(ex);
        return rc;
    }
    ps__excl_free(&t->excl);
    t->excl = *ex;
    return 0;
}

int ps_targets_exclude(struct ps_targets *t, const char *list, char *err,
                       size_t errlen)
{
    if (bad_args(t, list, err, errlen))
        return PS_EINVAL;
    char buf[PS__SHOW_CAP];
    char *copy = strdup(list);
    struct ps__excl ex;
    if (!copy || ps__excl_copy(&ex, &t->excl)) {
        free(copy);
        ps__terr(err, errlen, "out of memory");
        return PS_ENOMEM;
    }
    int rc = 0;
    size_t index = 1;
    for (char *p = copy;; index++) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!*p) {
            ps__terr(err, errlen, "--exclude %s: item %zu is empty",
                     ps__tshow(buf, list, strlen(list)), index);
            rc = PS_EPARSE;
        } else {
            rc = exclude_one(t, &ex, p, err, errlen);
        }
        if (rc || !comma)
            break;
        p = comma + 1;
    }
    free(copy);
    if (rc) {
        ps__excl_free(&ex);
        return rc;
    }
    return commit_excl(t, &ex, err, errlen);
}

int ps_targets_exclude_file(struct ps_targets *t, const char *path, char *err,
                            size_t errlen)
{
    if (bad_args(t, path, err, errlen))
        return PS_EINVAL;
    char buf[PS__SHOW_CAP], msg[512] = "";
    struct ps__tsource src;
    struct ps__treader r;
    struct ps__excl ex;
    char *tok = malloc(PS__TSPEC_MAX + 1);
    if (!tok || ps__excl_copy(&ex, &t->excl)) {
        free(tok);
        ps__terr(err, errlen, "out of memory");
        return PS_ENOMEM;
    }
    int rc = ps__tsource_open(path, &src, &r, err, errlen);
    if (rc) {
        free(tok);
        ps__excl_free(&ex);
        return rc;
    }
    ps__tshow(buf, path, strlen(path));
    unsigned long line = 0;
    while ((rc = ps__treader_next(&r, tok, &line)) == 1) {
        rc = exclude_one(t, &ex, tok, msg, sizeof msg);
        if (rc) {
            ps__terr(err, errlen, "file %s line %lu: %s", buf, line, msg);
            break;
        }
    }
    if (rc < 0 && !msg[0])
        ps__terr(err, errlen, "file %s line %lu: %s", buf, line, r.why);
    ps__treader_close(&r);
    ps__tsource_free(&src);
    free(tok);
    if (rc) {
        ps__excl_free(&ex);
        return rc;
    }
    return commit_excl(t, &ex, err, errlen);
}

uint64_t ps_targets_count(const struct ps_targets *t)
{
    return t ? t->count : 0;
}

int ps__targets_has_files(const struct ps_targets *t)
{
    for (size_t i = 0; t && i < t->n; i++)
        if (t->e[i].kind == PS__TENTRY_FILE)
            return 1;
    return 0;
}
