/* The payload set: payloads added in layers (the built-in table, then each
 * file), and an index from port to the payloads of the newest layer that
 * covers the port.
 *
 * Files give ports as lists and ranges (nmap's sends one RPC payload to
 * 32768-65535), so the index is not a per-port table but a sorted array of
 * segments: maximal runs of ports that get the same list of payloads, each
 * pointing at that list stored once. A lookup is a binary search over a few
 * hundred segments, and the whole index is rebuilt after each load, which
 * happens a handful of times per run. */
#include <stdlib.h>
#include <string.h>

#include "common/internal.h"
#include "scan/payloads.h"

/* Ports lo..hi get payload number payload (into pl) from layer layer. */
struct item {
    uint16_t lo, hi;
    uint32_t payload;
    uint32_t layer;
};

/* Ports lo..hi get lists[off .. off + count - 1]. */
struct seg {
    uint16_t lo, hi;
    uint32_t off, count;
};

struct ps__payloads {
    struct ps__payload *pl;    /* every payload ever added */
    size_t npl, pl_cap;
    struct item *items;        /* in the order added, which is send order */
    size_t nitems, items_cap;
    uint32_t layers;
    struct ps__arena bytes;    /* copies of the bytes of loaded files */
    /* The index, rebuilt by each add. */
    struct seg *segs;
    size_t nsegs;
    struct ps__payload *lists;
};

/* What an empty payload points at, so that data is never NULL. */
static const uint8_t no_bytes[1];

struct ps__payloads *ps__payloads_new(void)
{
    return calloc(1, sizeof(struct ps__payloads));
}

void ps__payloads_free(struct ps__payloads *p)
{
    if (!p)
        return;
    free(p->pl);
    free(p->items);
    free(p->segs);
    free(p->lists);
    ps__arena_free(&p->bytes);
    free(p);
}

size_t ps__payloads_for(const struct ps__payloads *p, uint16_t port,
                        const struct ps__payload **out)
{
    *out = NULL;
    if (!p || p->nsegs == 0)
        return 0;
    /* The last segment starting at or below port. */
    size_t lo = 0, hi = p->nsegs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->segs[mid].lo <= port)
            lo = mid;
        else
            hi = mid;
    }
    const struct seg *s = &p->segs[lo];
    if (port < s->lo || port > s->hi)
        return 0;
    *out = p->lists + s->off;
    return s->count;
}

/* ---- Building the index. */

/* Scratch space of one rebuild. Segment s of the fine split covers ports
 * bound[s] .. bound[s + 1] - 1; every item starts and ends on a bound. */
struct build {
    uint32_t *bound;
    size_t nbound;
    uint32_t *top;     /* per fine segment: the newest layer covering it */
    uint32_t *off;     /* per fine segment: where its list starts in idx */
    uint32_t *count;   /* per fine segment: its list's length */
    uint32_t *idx;     /* the lists, as payload numbers */
};

/* Every lo and hi + 1 of the items, ascending and distinct. */
static int collect_bounds(const struct ps__payloads *p, struct build *b)
{
    enum { PORTS = 65537, WORDS = (PORTS + 63) / 64 };
    uint64_t mark[WORDS] = {0};

    for (size_t i = 0; i < p->nitems; i++) {
        uint32_t a = p->items[i].lo, z = (uint32_t)p->items[i].hi + 1;
        mark[a / 64] |= 1ull << (a % 64);
        mark[z / 64] |= 1ull << (z % 64);
    }
    size_t n = 0;
    for (size_t w = 0; w < WORDS; w++)
        for (uint64_t m = mark[w]; m; m &= m - 1)
            n++;
    if (n == 0)
        return 0; /* no items: an empty index */
    b->bound = malloc(n * sizeof *b->bound);
    if (!b->bound)
        return PS_ENOMEM;
    for (size_t w = 0; w < WORDS; w++)
        for (unsigned bit = 0; mark[w] && bit < 64; bit++)
            if (mark[w] >> bit & 1)
                b->bound[b->nbound++] = (uint32_t)(w * 64 + bit);
    return 0;
}

/* The fine segment that starts at port (always a bound). */
static size_t seg_at(const struct build *b, uint32_t port)
{
    size_t lo = 0, hi = b->nbound;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->bound[mid] <= port)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Which layer wins each fine segment, and how long its list is. The work
 * is the number of (item, segment) pairs, which the per-port limit keeps
 * at most 255 per segment and layer. */
static uint32_t count_lists(const struct ps__payloads *p, struct build *b,
                            size_t nseg)
{
    for (size_t i = 0; i < p->nitems; i++) {
        const struct item *it = &p->items[i];
        for (size_t s = seg_at(b, it->lo); b->bound[s] <= it->hi; s++)
            if (b->top[s] < it->layer)
                b->top[s] = it->layer;
    }
    for (size_t i = 0; i < p->nitems; i++) {
        const struct item *it = &p->items[i];
        for (size_t s = seg_at(b, it->lo); b->bound[s] <= it->hi; s++)
            b->count[s] += b->top[s] == it->layer;
    }
    uint32_t total = 0;
    for (size_t s = 0; s < nseg; s++) {
        b->off[s] = total;
        total += b->count[s];
    }
    return total;
}

/* Fills idx with each fine segment's list, in item order. */
static void fill_lists(const struct ps__payloads *p, struct build *b,
                       size_t nseg)
{
    memset(b->count, 0, nseg * sizeof *b->count);
    for (size_t i = 0; i < p->nitems; i++) {
        const struct item *it = &p->items[i];
        for (size_t s = seg_at(b, it->lo); b->bound[s] <= it->hi; s++)
            if (b->top[s] == it->layer)
                b->idx[b->off[s] + b->count[s]++] = it->payload;
    }
}

/* Turns the fine split into the index: empty segments dropped, touching
 * segments with equal lists merged (a file that lists 1,2,3,... costs one
 * segment, not thousands), each list copied out once. */
static void compact(struct ps__payloads *p, const struct build *b,
                    size_t nseg, struct seg *segs, struct ps__payload *lists)
{
    size_t n = 0, used = 0, last_off = 0;

    for (size_t s = 0; s < nseg; s++) {
        uint32_t c = b->count[s];
        if (c == 0)
            continue;
        struct seg *prev = n ? &segs[n - 1] : NULL;
        if (prev && prev->hi + 1u == b->bound[s] && prev->count == c &&
            memcmp(b->idx + last_off, b->idx + b->off[s],
                   c * sizeof *b->idx) == 0) {
            prev->hi = (uint16_t)(b->bound[s + 1] - 1);
            continue;
        }
        segs[n++] = (struct seg){(uint16_t)b->bound[s],
                                 (uint16_t)(b->bound[s + 1] - 1),
                                 (uint32_t)used, c};
        for (uint32_t k = 0; k < c; k++)
            lists[used++] = p->pl[b->idx[b->off[s] + k]];
        last_off = b->off[s];
    }
    free(p->segs);
    free(p->lists);
    p->segs = segs;
    p->nsegs = n;
    p->lists = lists;
}

static void build_free(struct build *b)
{
    free(b->bound);
    free(b->top);
    free(b->off);
    free(b->count);
    free(b->idx);
}

/* Rebuilds the index from the items. On failure the old index stays. */
static int rebuild(struct ps__payloads *p)
{
    struct build b = {0};
    struct seg *segs = NULL;
    struct ps__payload *lists = NULL;
    int rc = collect_bounds(p, &b);
    size_t nseg = b.nbound > 0 ? b.nbound - 1 : 0;

    if (rc == 0 && nseg > 0) {
        rc = PS_ENOMEM;
        b.top = calloc(nseg, sizeof *b.top);
        b.off = calloc(nseg, sizeof *b.off);
        b.count = calloc(nseg, sizeof *b.count);
        segs = malloc(nseg * sizeof *segs);
        if (b.top && b.off && b.count && segs) {
            uint32_t total = count_lists(p, &b, nseg);
            b.idx = malloc(total * sizeof *b.idx);
            lists = malloc(total * sizeof *lists);
            if (b.idx && lists)
                rc = 0;
        }
    }
    if (rc == 0) {
        if (nseg > 0)
            fill_lists(p, &b, nseg);
        compact(p, &b, nseg, segs, lists);
    } else {
        free(segs);
        free(lists);
    }
    build_free(&b);
    return rc;
}

/* ---- Adding a layer. */

/* Room for n more payloads and m more items. */
static int reserve(struct ps__payloads *p, size_t n, size_t m)
{
    if (n > UINT32_MAX - p->npl)
        return PS_ENOMEM; /* payload numbers are 32-bit */
    void *v = ps__grow_array(p->pl, &p->pl_cap, p->npl + n, sizeof *p->pl);
    if (!v)
        return PS_ENOMEM;
    p->pl = v;
    v = ps__grow_array(p->items, &p->items_cap, p->nitems + m,
                       sizeof *p->items);
    if (!v)
        return PS_ENOMEM;
    p->items = v;
    return 0;
}

/* Appends pl to p->pl, copying the bytes into the arena if asked. */
static int append_payloads(struct ps__payloads *p, const struct ps__payload *pl,
                           size_t npl, int copy)
{
    uint8_t *dst = NULL;
    if (copy) {
        size_t total = 0;
        for (size_t i = 0; i < npl; i++)
            total += pl[i].len;
        if (total > 0 && !(dst = ps__arena_alloc(&p->bytes, total)))
            return PS_ENOMEM;
    }
    for (size_t i = 0; i < npl; i++) {
        struct ps__payload *q = &p->pl[p->npl + i];
        *q = pl[i];
        if (pl[i].len == 0) {
            q->data = no_bytes;
        } else if (copy) {
            memcpy(dst, pl[i].data, pl[i].len);
            q->data = dst;
            dst += pl[i].len;
        }
    }
    p->npl += npl;
    return 0;
}

int ps__payloads_add(struct ps__payloads *p, const struct ps__payload *pl,
                     size_t npl, const struct ps__payload_range *r, size_t nr,
                     int copy)
{
    size_t old_npl = p->npl, old_items = p->nitems;
    int rc = reserve(p, npl, nr);
    if (rc == 0)
        rc = append_payloads(p, pl, npl, copy);
    if (rc)
        return rc;
    p->layers++;
    for (size_t i = 0; i < nr; i++)
        p->items[p->nitems++] = (struct item){
            r[i].lo, r[i].hi, (uint32_t)(old_npl + r[i].payload), p->layers};
    rc = rebuild(p);
    if (rc) {
        /* The bytes already copied stay in the arena until the set is
         * freed; nothing points at them. */
        p->npl = old_npl;
        p->nitems = old_items;
        p->layers--;
    }
    return rc;
}
