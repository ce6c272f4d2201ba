/* Lookups over the compiled knowledge table. The table is a few hundred
 * constant entries sorted by (proto, port): a binary search finds single
 * ports, and the few ranges (listed apart by the generator) are checked in
 * a linear pass. */
#include <string.h>

#include "common/internal.h"
#include "knowledge/table.h"
#include "knowledge/vocab.h"

const struct ps_knowledge *ps_knowledge_all(size_t *count)
{
    *count = ps__knowledge_count;
    return ps__knowledge_table;
}

/* First index whose (proto, port) is not below the key. */
static size_t lower_bound(unsigned proto, unsigned port)
{
    size_t lo = 0, hi = ps__knowledge_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ps_knowledge *k = &ps__knowledge_table[mid];
        if ((unsigned)k->proto < proto || ((unsigned)k->proto == proto && k->port < port))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t find_one_proto(unsigned proto, unsigned port,
                             const struct ps_knowledge **out, size_t max,
                             size_t total)
{
    /* Ranges start below the port, so they are outside the exact run. */
    for (size_t r = 0; r < ps__knowledge_range_count; r++) {
        const struct ps_knowledge *k = &ps__knowledge_table[ps__knowledge_ranges[r]];
        if (k->proto == proto && k->port != k->port_end && k->port < port &&
            port <= k->port_end) {
            if (total < max)
                out[total] = k;
            total++;
        }
    }
    for (size_t i = lower_bound(proto, port); i < ps__knowledge_count; i++) {
        const struct ps_knowledge *k = &ps__knowledge_table[i];
        if ((unsigned)k->proto != proto || k->port != port)
            break;
        if (total < max)
            out[total] = k;
        total++;
    }
    return total;
}

size_t ps_knowledge_find_port(enum ps_proto proto, unsigned port,
                              const struct ps_knowledge **out, size_t max)
{
    if (port > PS_PORT_MAX || proto > PS_PROTO_ANY)
        return 0;
    size_t total = 0;
    for (unsigned p = 0; p < PS_PROTO_COUNT; p++)
        if (proto == PS_PROTO_ANY || p == (unsigned)proto)
            total = find_one_proto(p, port, out, max, total);
    return total;
}

static bool names_service(const struct ps_service *svc, const char *name)
{
    if (ps__strcaseeq(svc->name, name))
        return true;
    for (unsigned i = 0; i < svc->alias_count; i++)
        if (ps__strcaseeq(svc->aliases[i], name))
            return true;
    return false;
}

const struct ps_knowledge *ps_knowledge_for(const struct ps_service *svc)
{
    const struct ps_knowledge *hits[16], *generic = NULL;
    size_t n = ps_knowledge_find_port(svc->proto, svc->port, hits, 16);
    for (size_t i = 0; i < n && i < 16; i++) {
        if (!hits[i]->service[0]) {
            if (!generic)
                generic = hits[i];
        } else if (names_service(svc, hits[i]->service)) {
            return hits[i];
        }
    }
    return generic;
}

const char *const *ps_categories(void)
{
    return ps__category_names;
}

const char *ps_risk_name(enum ps_risk risk)
{
    return (unsigned)risk < sizeof ps__risk_names / sizeof ps__risk_names[0]
               ? ps__risk_names[risk] : "unknown";
}

int ps_risk_parse(const char *text, enum ps_risk *out)
{
    for (size_t i = 0; i < sizeof ps__risk_names / sizeof ps__risk_names[0]; i++)
        if (ps__strcaseeq(ps__risk_names[i], text)) {
            *out = (enum ps_risk)i;
            return 0;
        }
    return PS_EINVAL;
}

const char *ps_kflag_name(unsigned flag)
{
    for (unsigned bit = 0; bit < PS_KFLAG_COUNT; bit++)
        if (flag == 1u << bit)
            return ps__kflag_names[bit];
    return NULL;
}
