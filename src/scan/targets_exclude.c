/* Exclusions (--exclude, --excludefile) as sorted, merged ranges. The
 * iterator walks them with a cursor beside each spec, so excluding a /16
 * from a /8 costs one skip, not one check per excluded address. */
#include <stdlib.h>
#include <string.h>

#include "scan/targets_int.h"

static int cmp_range(const void *pa, const void *pb)
{
    const struct ps__trange *a = pa, *b = pb;
    int c = ps__trange_keycmp(a, b);
    if (c)
        return c;
    return (a->lo > b->lo) - (a->lo < b->lo);
}

static int push(struct ps__excl *e, const struct ps__trange *r)
{
    struct ps__trange *g = ps__grow_array(e->r, &e->cap, e->n + 1, sizeof *g);
    if (!g)
        return PS_ENOMEM;
    e->r = g;
    e->r[e->n++] = *r;
    return 0;
}

static int push_cb(void *ud, const struct ps__trange *r)
{
    return push(ud, r);
}

int ps__excl_add(struct ps__excl *e, const struct ps__tspec *s,
                 const char *spec, char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP];
    uint64_t runs = ps__tspec_run_count(s, PS__EXCL_SPLIT_MAX);
    if (runs > PS__EXCL_SPLIT_MAX) {
        ps__terr(err, errlen, "%s: excluding it takes more than %u separate "
                 "ranges; exclude fewer octet combinations",
                 ps__tshow(buf, spec, strlen(spec)), PS__EXCL_SPLIT_MAX);
        return PS_ELIMIT;
    }
    if (runs > PS__EXCL_MAX - e->n) {
        ps__excl_normalize(e); /* merging may make room */
        if (runs > PS__EXCL_MAX - e->n) {
            ps__terr(err, errlen, "%s: more than %u separate excluded ranges "
                     "in all", ps__tshow(buf, spec, strlen(spec)),
                     PS__EXCL_MAX);
            return PS_ELIMIT;
        }
    }
    size_t before = e->n;
    int rc = ps__tspec_runs(s, push_cb, e);
    if (rc) {
        e->n = before;
        ps__terr(err, errlen, "out of memory");
    }
    return rc;
}

void ps__excl_normalize(struct ps__excl *e)
{
    if (e->n < 2)
        return;
    qsort(e->r, e->n, sizeof *e->r, cmp_range);
    size_t w = 0;
    for (size_t i = 1; i < e->n; i++) {
        struct ps__trange *cur = &e->r[w];
        const struct ps__trange *r = &e->r[i];
        if (ps__trange_keycmp(cur, r) == 0 &&
            (uint64_t)r->lo <= (uint64_t)cur->hi + 1) {
            if (r->hi > cur->hi)
                cur->hi = r->hi;
        } else {
            e->r[++w] = *r;
        }
    }
    e->n = w + 1;
}

int ps__excl_copy(struct ps__excl *dst, const struct ps__excl *src)
{
    memset(dst, 0, sizeof *dst);
    if (src->n == 0)
        return 0;
    dst->r = malloc(src->n * sizeof *dst->r);
    if (!dst->r)
        return PS_ENOMEM;
    memcpy(dst->r, src->r, src->n * sizeof *dst->r);
    dst->n = dst->cap = src->n;
    return 0;
}

void ps__excl_free(struct ps__excl *e)
{
    free(e->r);
    memset(e, 0, sizeof *e);
}

size_t ps__excl_find(const struct ps__excl *e, const struct ps__trange *key,
                     uint64_t v)
{
    size_t lo = 0, hi = e->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ps__trange_keycmp(&e->r[mid], key);
        if (c < 0 || (c == 0 && e->r[mid].hi < v))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint64_t ps__excl_overlap(const struct ps__excl *e, const struct ps__tspec *s)
{
    uint64_t n = 0;
    for (size_t i = ps__excl_find(e, &s->range, s->range.lo);
         i < e->n && ps__trange_keycmp(&e->r[i], &s->range) == 0 &&
         e->r[i].lo <= s->range.hi;
         i++)
        n += ps__tspec_count_in(s, e->r[i].lo, e->r[i].hi);
    return n;
}
