/* The sets target specifications name (targets_int.h): nmap octet-range
 * products and 32-bit runs under a key, with the arithmetic the count, the
 * exclusions and the iterator need: the next member at or above a value,
 * the members within a range, and the runs of consecutive members. */
#include <string.h>
#include <sys/socket.h>

#include "scan/targets_int.h"

int ps__trange_keycmp(const struct ps__trange *a, const struct ps__trange *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    for (int i = 0; i < 3; i++)
        if (a->top[i] != b->top[i])
            return a->top[i] < b->top[i] ? -1 : 1;
    return 0;
}

void ps__trange_ip(const struct ps__trange *r, uint32_t v, struct ps_ip *out)
{
    memset(out, 0, sizeof *out);
    out->family = r->family;
    uint8_t *b = out->bytes;
    if (r->family == AF_INET6) {
        for (int i = 0; i < 3; i++) {
            b[4 * i] = (uint8_t)(r->top[i] >> 24);
            b[4 * i + 1] = (uint8_t)(r->top[i] >> 16);
            b[4 * i + 2] = (uint8_t)(r->top[i] >> 8);
            b[4 * i + 3] = (uint8_t)r->top[i];
        }
        b += 12;
    }
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* ---- Octet sets --------------------------------------------------------- */

static int oct_has(const struct ps__octets *o, int i, unsigned v)
{
    return (int)((o->map[i][v / 64] >> (v % 64)) & 1u);
}

void ps__oct_add(struct ps__octets *o, int i, unsigned lo, unsigned hi)
{
    for (unsigned v = lo; v <= hi; v++)
        o->map[i][v / 64] |= UINT64_C(1) << (v % 64);
}

/* The least member of octet i that is >= v, or -1. */
static int oct_next_in(const struct ps__octets *o, int i, unsigned v)
{
    if (v > 255)
        return -1;
    unsigned w = v / 64;
    uint64_t bits = o->map[i][w] & (UINT64_MAX << (v % 64));
    for (;;) {
        if (bits)
            return (int)(w * 64 + (unsigned)__builtin_ctzll(bits));
        if (++w == 4)
            return -1;
        bits = o->map[i][w];
    }
}

static unsigned oct_pop(const struct ps__octets *o, int i)
{
    unsigned n = 0;
    for (int w = 0; w < 4; w++)
        n += (unsigned)__builtin_popcountll(o->map[i][w]);
    return n;
}

/* Members of octet i below v (v <= 256). */
static unsigned oct_below(const struct ps__octets *o, int i, unsigned v)
{
    unsigned n = 0, w;
    for (w = 0; w < v / 64; w++)
        n += (unsigned)__builtin_popcountll(o->map[i][w]);
    if (v % 64)
        n += (unsigned)__builtin_popcountll(o->map[i][w] &
                                            ((UINT64_C(1) << (v % 64)) - 1));
    return n;
}

static int oct_full(const struct ps__octets *o, int i)
{
    return oct_pop(o, i) == 256;
}

/* Runs of consecutive members in octet i. */
static unsigned oct_runs(const struct ps__octets *o, int i)
{
    unsigned runs = 0;
    for (unsigned v = 0; v < 256; v++)
        if (oct_has(o, i, v) && (v == 0 || !oct_has(o, i, v - 1)))
            runs++;
    return runs;
}

static int64_t oct_next(const struct ps__octets *o, uint64_t v)
{
    if (v > UINT32_MAX)
        return -1;
    unsigned d[4] = {(unsigned)(v >> 24), (unsigned)(v >> 16) & 255,
                     (unsigned)(v >> 8) & 255, (unsigned)v & 255};
    int k = 0;
    while (k < 4 && oct_has(o, k, d[k]))
        k++;
    if (k == 4)
        return (int64_t)v;
    /* d[0..k) are members; raise the digit at k, or failing that an
     * earlier one, and take the least member for every later digit. */
    for (int i = k; i >= 0; i--) {
        int up = oct_next_in(o, i, d[i] + 1);
        if (up < 0)
            continue;
        uint64_t r = 0;
        for (int j = 0; j < 4; j++) {
            unsigned digit = j < i ? d[j] : j == i ? (unsigned)up
                                                   : (unsigned)oct_next_in(o, j, 0);
            r = r << 8 | digit;
        }
        return (int64_t)r;
    }
    return -1;
}

/* Members <= v. */
static uint64_t oct_count_le(const struct ps__octets *o, uint64_t v)
{
    unsigned d[4] = {(unsigned)(v >> 24) & 255, (unsigned)(v >> 16) & 255,
                     (unsigned)(v >> 8) & 255, (unsigned)v & 255};
    uint64_t below[4], n = 0;
    below[3] = 1;
    for (int i = 2; i >= 0; i--)
        below[i] = below[i + 1] * oct_pop(o, i + 1);
    for (int i = 0; i < 4; i++) {
        n += oct_below(o, i, d[i]) * below[i];
        if (!oct_has(o, i, d[i]))
            return n;
    }
    return n + 1;
}

/* ---- Specs as sets ------------------------------------------------------ */

uint64_t ps__tspec_size(const struct ps__tspec *s)
{
    if (s->kind == PS__TSPEC_OCTETS) {
        uint64_t n = 1;
        for (int i = 0; i < 4; i++)
            n *= oct_pop(&s->oct, i);
        return n;
    }
    return (uint64_t)s->range.hi - s->range.lo + 1;
}

uint64_t ps__tspec_host_size(const struct ps__tspec *s, unsigned flags)
{
    if (s->prefix < 0)
        return 1;
    int bits = (flags & PS_TARGETS_PREFER_V6) ? 128 : 32;
    return UINT64_C(1) << (bits - s->prefix);
}

int64_t ps__tspec_next(const struct ps__tspec *s, uint64_t v)
{
    if (s->kind == PS__TSPEC_OCTETS)
        return oct_next(&s->oct, v);
    if (v < s->range.lo)
        return s->range.lo;
    return v <= s->range.hi ? (int64_t)v : -1;
}

uint64_t ps__tspec_count_in(const struct ps__tspec *s, uint64_t lo, uint64_t hi)
{
    if (lo < s->range.lo)
        lo = s->range.lo;
    if (hi > s->range.hi)
        hi = s->range.hi;
    if (lo > hi)
        return 0;
    if (s->kind != PS__TSPEC_OCTETS)
        return hi - lo + 1;
    return oct_count_le(&s->oct, hi) - (lo ? oct_count_le(&s->oct, lo - 1) : 0);
}

/* The last octet that is not 0-255, or -1 when all are. */
static int last_partial(const struct ps__octets *o)
{
    int j = 3;
    while (j >= 0 && oct_full(o, j))
        j--;
    return j;
}

uint64_t ps__tspec_run_count(const struct ps__tspec *s, uint64_t limit)
{
    if (s->kind != PS__TSPEC_OCTETS)
        return 1;
    int j = last_partial(&s->oct);
    if (j < 0)
        return 1;
    uint64_t n = oct_runs(&s->oct, j);
    for (int i = 0; i < j; i++) {
        n *= oct_pop(&s->oct, i);
        if (n > limit)
            return limit + 1;
    }
    return n;
}

int ps__tspec_runs(const struct ps__tspec *s,
                   int (*fn)(void *ud, const struct ps__trange *r), void *ud)
{
    if (s->kind != PS__TSPEC_OCTETS)
        return fn(ud, &s->range);
    const struct ps__octets *o = &s->oct;
    int j = last_partial(o);
    struct ps__trange r = s->range;
    if (j < 0) {
        r.lo = 0;
        r.hi = UINT32_MAX;
        return fn(ud, &r);
    }
    /* Every combination of the octets before j (an odometer), times every
     * run of octet j; the octets after j are full. */
    unsigned d[4] = {0, 0, 0, 0};
    for (int i = 0; i < j; i++)
        d[i] = (unsigned)oct_next_in(o, i, 0);
    unsigned shift = (unsigned)(3 - j) * 8;
    uint32_t low = shift ? (uint32_t)((UINT64_C(1) << shift) - 1) : 0;
    for (;;) {
        uint32_t base = 0;
        for (int i = 0; i < j; i++)
            base |= (uint32_t)d[i] << (24 - 8 * i);
        for (int v = oct_next_in(o, j, 0); v >= 0;) {
            int end = v;
            while (end < 255 && oct_has(o, j, (unsigned)end + 1))
                end++;
            r.lo = base | (uint32_t)v << shift;
            r.hi = base | (uint32_t)end << shift | low;
            int rc = fn(ud, &r);
            if (rc)
                return rc;
            v = oct_next_in(o, j, (unsigned)end + 1);
        }
        int i = j - 1;
        for (; i >= 0; i--) {
            int up = oct_next_in(o, i, d[i] + 1);
            if (up >= 0) {
                d[i] = (unsigned)up;
                break;
            }
            d[i] = (unsigned)oct_next_in(o, i, 0);
        }
        if (i < 0)
            return 0;
    }
}

/* A product that is one run (every octet after the first partial one
 * full, and that one a single run) becomes a RANGE. */
void ps__tspec_octets_done(struct ps__tspec *out)
{
    const struct ps__octets *o = &out->oct;
    uint32_t lo = 0, hi = 0;
    for (int i = 0; i < 4; i++) {
        lo = lo << 8 | (uint32_t)oct_next_in(o, i, 0);
        int top = 255;
        while (!oct_has(o, i, (unsigned)top))
            top--;
        hi = hi << 8 | (uint32_t)top;
    }
    out->range.family = AF_INET;
    out->range.lo = lo;
    out->range.hi = hi;
    int i = 0;
    while (i < 4 && oct_pop(o, i) == 1)
        i++;
    int one_run = i == 4 || oct_runs(o, i) == 1;
    for (int j = i + 1; one_run && j < 4; j++)
        one_run = oct_full(o, j);
    out->kind = one_run ? PS__TSPEC_RANGE : PS__TSPEC_OCTETS;
}

