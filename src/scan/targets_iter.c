/* The target iterator (portscope/targets.h): walks the entries of a list
 * in order, one spec at a time, producing each member not excluded. A spec
 * is never expanded; -iL files are read again one spec at a time. */
#include <stdlib.h>
#include <string.h>

#include "scan/targets_int.h"

struct ps_target_iter {
    const struct ps_targets *t;
    size_t entry;              /* next entry of t to start */
    int have_spec;             /* spec below is being walked */
    struct ps__tspec spec;     /* RANGE or OCTETS */
    const char *name;          /* hostname of spec, or NULL */
    uint64_t next;             /* least value not yet considered */
    size_t ex;                 /* first exclusion that may still apply */
    int in_file;               /* rd is open on t->e[entry - 1] */
    struct ps__treader rd;
    const char *file;          /* its path */
    char *tok;                 /* PS__TSPEC_MAX + 1 bytes */
    struct ps__arena names;    /* hostnames met in files */
    const char *last_name;     /* the latest of them */
    int err;                   /* sticky error */
};

struct ps_target_iter *ps_target_iter_new(const struct ps_targets *t)
{
    if (!t)
        return NULL;
    struct ps_target_iter *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    it->t = t;
    it->rd.fd = -1;
    return it;
}

void ps_target_iter_free(struct ps_target_iter *it)
{
    if (!it)
        return;
    if (it->in_file)
        ps__treader_close(&it->rd);
    free(it->tok);
    ps__arena_free(&it->names);
    free(it);
}

static void start_spec(struct ps_target_iter *it, const struct ps__tspec *s,
                       const char *name)
{
    it->spec = *s;
    it->name = name;
    it->next = s->range.lo;
    it->ex = ps__excl_find(&it->t->excl, &s->range, s->range.lo);
    it->have_spec = 1;
}

/* The next member of the current spec that no exclusion covers: 1, or 0
 * when the spec is done. Each exclusion range is passed over at most once,
 * whatever its size. */
static int spec_step(struct ps_target_iter *it, struct ps_target *out)
{
    const struct ps__excl *ex = &it->t->excl;
    for (;;) {
        int64_t c = ps__tspec_next(&it->spec, it->next);
        if (c < 0)
            return 0;
        uint64_t v = (uint64_t)c;
        while (it->ex < ex->n &&
               ps__trange_keycmp(&ex->r[it->ex], &it->spec.range) == 0 &&
               ex->r[it->ex].hi < v)
            it->ex++;
        if (it->ex < ex->n &&
            ps__trange_keycmp(&ex->r[it->ex], &it->spec.range) == 0 &&
            ex->r[it->ex].lo <= v) {
            it->next = (uint64_t)ex->r[it->ex].hi + 1;
            it->ex++;
            continue;
        }
        ps__trange_ip(&it->spec.range, (uint32_t)v, &out->ip);
        out->name = it->name;
        it->next = v + 1;
        return 1;
    }
}

static int fail(struct ps_target_iter *it, int code, const char *msg)
{
    ps__log(it->t->log, PS_LOG_ERROR, "%s", msg);
    it->err = code;
    return code;
}

/* A hostname met in a file: resolved now, kept for the iterator's life.
 * One that does not resolve is skipped with a warning. Returns 1 with the
 * spec started, 0 when skipped, or PS_ENOMEM. */
static int start_file_host(struct ps_target_iter *it, const struct ps__tspec *s,
                           unsigned long line)
{
    char msg[512], buf[PS__SHOW_CAP], host[PS__TSPEC_MAX + 1];
    size_t len = s->prefix >= 0 ? (size_t)(strchr(it->tok, '/') - it->tok)
                                : strlen(it->tok);
    memcpy(host, it->tok, len);
    host[len] = '\0';
    struct ps__tspec r;
    int rc = ps__targets_resolve(it->t, it->tok, host, s->prefix, &r, msg,
                                 sizeof msg);
    if (rc == PS_ENOMEM)
        return fail(it, rc, msg);
    if (rc) {
        ps__log(it->t->log, PS_LOG_WARN, "file %s line %lu: %s; skipped",
                ps__tshow(buf, it->file, strlen(it->file)), line, msg);
        return 0;
    }
    /* A name repeated on consecutive specs is kept once. */
    const char *name = it->last_name;
    if (!name || strcmp(name, host) != 0) {
        char *copy = ps__arena_strndup(&it->names, host, len);
        if (!copy)
            return fail(it, PS_ENOMEM, "out of memory");
        name = it->last_name = copy;
    }
    start_spec(it, &r, name);
    return 1;
}

/* Reads the next spec of the open file and starts it: 1, 0 at the end of
 * the file (closed), or a negative code. */
static int file_step(struct ps_target_iter *it)
{
    char msg[512], buf[PS__SHOW_CAP];
    unsigned long line = 0;
    for (;;) {
        int rc = ps__treader_next(&it->rd, it->tok, &line);
        ps__tshow(buf, it->file, strlen(it->file));
        if (rc == 0) {
            ps__treader_close(&it->rd);
            it->in_file = 0;
            return 0;
        }
        if (rc < 0) {
            char m[600];
            ps__terr(m, sizeof m, "file %s line %lu: %s", buf, line,
                     it->rd.why);
            return fail(it, rc == PS_EPARSE ? PS_ESTALE : rc, m);
        }
        struct ps__tspec s;
        rc = ps__tspec_parse(it->tok, it->t->flags, &s, msg, sizeof msg);
        if (rc) {
            char m[800];
            ps__terr(m, sizeof m, "file %s line %lu: changed since it was "
                     "checked: %s", buf, line, msg);
            return fail(it, PS_ESTALE, m);
        }
        if (s.kind != PS__TSPEC_HOST) {
            start_spec(it, &s, NULL);
            return 1;
        }
        rc = start_file_host(it, &s, line);
        if (rc)
            return rc;
    }
}

static int open_file(struct ps_target_iter *it, const struct ps__tsource *src)
{
    char msg[600];
    if (!it->tok && !(it->tok = malloc(PS__TSPEC_MAX + 1)))
        return fail(it, PS_ENOMEM, "out of memory");
    int rc = ps__tsource_reopen(src, &it->rd, msg, sizeof msg);
    if (rc)
        return fail(it, rc, msg);
    it->in_file = 1;
    it->file = src->path;
    return 0;
}

int ps_target_iter_next(struct ps_target_iter *it, struct ps_target *out)
{
    if (!it || !out)
        return PS_EINVAL;
    if (it->err)
        return it->err;
    for (;;) {
        if (it->have_spec) {
            if (spec_step(it, out))
                return 1;
            it->have_spec = 0;
        }
        if (it->in_file) {
            int rc = file_step(it);
            if (rc < 0)
                return rc;
            continue;
        }
        if (it->entry == it->t->n)
            return 0;
        const struct ps__tentry *e = &it->t->e[it->entry++];
        if (e->kind == PS__TENTRY_SPEC) {
            start_spec(it, &e->spec, e->name);
        } else {
            int rc = open_file(it, e->src);
            if (rc)
                return rc;
        }
    }
}
