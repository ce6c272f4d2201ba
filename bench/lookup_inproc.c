/* bench-lookup-inproc: the in-process cost of one lookup, libportscope
 * against glibc, over the same keys.
 *
 *   ps_registry_find_port  vs  getservbyport   ports 1..1000, tcp
 *   ps_registry_find_name  vs  getservbyname   every name in /etc/services
 *                                              (as getservent lists them)
 *
 * The registry holds what the CLI loads by default: the built-in table,
 * /etc/services and /usr/share/nmap/nmap-services when present, plus any
 * file named on the command line (format detected, e.g. the IANA CSV).
 *
 * Usage: bench-lookup-inproc [REGISTRY_FILE...]
 * Each figure is the median of 5 trials; a trial repeats the key set until
 * it has run for at least BENCH_MIN_MS milliseconds (default 100). Goal:
 * portscope >= 1000x faster than glibc per lookup. Not a test: it always
 * exits 0 unless it cannot run. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portscope/portscope.h"

#define TRIALS 5
#define GOAL_RATIO 1000.0
#define PORT_KEYS 1000u

struct name_key {
    char *name;
    char proto_text[8];
    enum ps_proto proto;
};

static volatile size_t sink; /* keeps the lookups from being optimised away */
static double min_ns = 100e6;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One pass over a key set; returns how many keys found something. */
typedef size_t (*pass_fn)(const void *ctx);

/* Median over TRIALS of the nanoseconds per key. */
static double measure(pass_fn pass, const void *ctx, size_t keys)
{
    double per_key[TRIALS];
    for (int t = 0; t < TRIALS; t++) {
        size_t passes = 0;
        double start = now_ns(), elapsed;
        do {
            sink += pass(ctx);
            passes++;
            elapsed = now_ns() - start;
        } while (elapsed < min_ns);
        per_key[t] = elapsed / ((double)passes * (double)keys);
    }
    qsort(per_key, TRIALS, sizeof per_key[0], cmp_double);
    return per_key[TRIALS / 2];
}

static const struct ps_registry *g_reg;
static struct name_key *g_names;
static size_t g_name_count;

static size_t ps_ports_pass(const void *ctx)
{
    const struct ps_service *out[8];
    size_t found = 0;
    (void)ctx;
    for (unsigned p = 1; p <= PORT_KEYS; p++)
        found += ps_registry_find_port(g_reg, PS_PROTO_TCP, p, out, 8) > 0;
    return found;
}

static size_t glibc_ports_pass(const void *ctx)
{
    size_t found = 0;
    (void)ctx;
    for (unsigned p = 1; p <= PORT_KEYS; p++)
        found += getservbyport(htons((uint16_t)p), "tcp") != NULL;
    return found;
}

static size_t ps_names_pass(const void *ctx)
{
    const struct ps_service *out[8];
    size_t found = 0;
    (void)ctx;
    for (size_t i = 0; i < g_name_count; i++)
        found += ps_registry_find_name(g_reg, g_names[i].name, g_names[i].proto,
                                       out, 8) > 0;
    return found;
}

static size_t glibc_names_pass(const void *ctx)
{
    size_t found = 0;
    (void)ctx;
    for (size_t i = 0; i < g_name_count; i++)
        found += getservbyname(g_names[i].name, g_names[i].proto_text) != NULL;
    return found;
}

/* The names glibc itself lists, so both sides look up the same keys. */
static int collect_names(void)
{
    size_t cap = 0;
    struct servent *se;
    setservent(1);
    while ((se = getservent()) != NULL) {
        enum ps_proto proto;
        if (!se->s_proto || strlen(se->s_proto) >= sizeof g_names->proto_text ||
            ps_proto_parse(se->s_proto, strlen(se->s_proto), &proto) != 0)
            continue;
        if (g_name_count == cap) {
            cap = cap ? cap * 2 : 256;
            struct name_key *grown = realloc(g_names, cap * sizeof *grown);
            if (!grown)
                return -1;
            g_names = grown;
        }
        struct name_key *k = &g_names[g_name_count];
        if (!(k->name = strdup(se->s_name)))
            return -1;
        strcpy(k->proto_text, se->s_proto);
        k->proto = proto;
        g_name_count++;
    }
    endservent();
    return 0;
}

static int load_registry(struct ps_registry **out, int argc, char **argv)
{
    struct ps_registry *reg;
    int rc = ps_registry_new(&reg, NULL);
    if (rc == 0)
        rc = ps_registry_add_builtin(reg);
    if (rc == 0) {
        rc = ps_registry_load_file(reg, "/etc/services", PS_FORMAT_SERVICES,
                                   "services");
        if (rc == PS_ENOENT)
            rc = 0;
    }
    if (rc == 0) {
        rc = ps_registry_load_file(reg, "/usr/share/nmap/nmap-services",
                                   PS_FORMAT_NMAP, "nmap");
        if (rc == PS_ENOENT)
            rc = 0;
    }
    for (int i = 1; rc == 0 && i < argc; i++)
        if ((rc = ps_registry_load_file(reg, argv[i], PS_FORMAT_AUTO, NULL)))
            fprintf(stderr, "bench-lookup-inproc: %s: %s\n", argv[i],
                    ps_strerror(rc));
    if (rc == 0)
        rc = ps_registry_seal(reg);
    if (rc) {
        ps_registry_free(reg);
        return rc;
    }
    *out = reg;
    return 0;
}

static void report(const char *what, double ps_ns,
                   size_t ps_found, const char *libc_name, double libc_ns,
                   size_t libc_found, size_t keys)
{
    double ratio = libc_ns / ps_ns;
    printf("%s: portscope %.1f ns/lookup, %s %.0f ns/lookup, "
           "ratio %.0fx (goal >= %.0fx) [%s]; found %zu vs %zu of %zu\n",
           what, ps_ns, libc_name, libc_ns, ratio, GOAL_RATIO,
           ratio >= GOAL_RATIO ? "met" : "MISSED", ps_found, libc_found, keys);
}

int main(int argc, char **argv)
{
    struct ps_registry *reg;
    const char *env = getenv("BENCH_MIN_MS");
    if (env && atof(env) > 0)
        min_ns = atof(env) * 1e6;

    int rc = load_registry(&reg, argc, argv);
    if (rc) {
        fprintf(stderr, "bench-lookup-inproc: cannot load the registry: %s\n",
                ps_strerror(rc));
        return 3;
    }
    g_reg = reg;
    if (collect_names() != 0) {
        fprintf(stderr, "bench-lookup-inproc: out of memory\n");
        return 3;
    }

    const char *extra = argc > 1 ? " + files" : "";
    char what[128];

    size_t ps_found = ps_ports_pass(NULL), libc_found = glibc_ports_pass(NULL);
    double ps_ns = measure(ps_ports_pass, NULL, PORT_KEYS);
    double libc_ns = measure(glibc_ports_pass, NULL, PORT_KEYS);
    snprintf(what, sizeof what, "inproc port 1..%u/tcp (%zu records%s)",
             PORT_KEYS, ps_registry_count(reg), extra);
    report(what, ps_ns, ps_found, "getservbyport", libc_ns,
           libc_found, PORT_KEYS);

    if (g_name_count == 0) {
        printf("inproc names: skipped, getservent lists no service\n");
    } else {
        ps_found = ps_names_pass(NULL);
        libc_found = glibc_names_pass(NULL);
        ps_ns = measure(ps_names_pass, NULL, g_name_count);
        libc_ns = measure(glibc_names_pass, NULL, g_name_count);
        snprintf(what, sizeof what, "inproc name x%zu (/etc/services names%s)",
                 g_name_count, extra);
        report(what, ps_ns, ps_found, "getservbyname", libc_ns,
               libc_found, g_name_count);
    }

    for (size_t i = 0; i < g_name_count; i++)
        free(g_names[i].name);
    free(g_names);
    ps_registry_free(reg);
    return 0;
}
