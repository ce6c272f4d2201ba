/* Helpers shared by the libFuzzer targets (public API only). */
#ifndef PS_FUZZ_COMMON_H
#define PS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "portscope/portscope.h"

/* A broken contract is a crash, so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__,         \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* Formats every message (so the logging paths run) and drops it. */
static inline void fuzz_log(void *user, enum ps_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    FUZZ_CHECK(msg != NULL);
    volatile size_t n = strlen(msg);
    (void)n;
}

static const struct ps_logger fuzz_logger = {fuzz_log, NULL, PS_LOG_DEBUG};

static inline FILE *fuzz_devnull(void)
{
    static FILE *f;
    if (!f) {
        f = fopen("/dev/null", "w");
        if (!f)
            abort();
    }
    return f;
}

static inline int fuzz_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '+' || c == ':';
}

/* The first run of name characters in data (at most PS_NAME_MAX + 2, so a
 * too-long name is tried too), as a NUL-terminated string in buf. */
static inline void fuzz_pick_name(const uint8_t *data, size_t len, char *buf,
                           size_t cap)
{
    size_t i = 0, n = 0;
    while (i < len && !fuzz_name_char(data[i]))
        i++;
    while (i < len && n + 1 < cap && fuzz_name_char(data[i]))
        buf[n++] = (char)data[i++];
    buf[n] = '\0';
}

static inline int fuzz_name_matches(const struct ps_service *s, const char *name)
{
    if (strcasecmp(s->name, name) == 0)
        return 1;
    for (unsigned i = 0; i < s->alias_count; i++)
        if (strcasecmp(s->aliases[i], name) == 0)
            return 1;
    return 0;
}

static inline void fuzz_check_service(const struct ps_registry *reg,
                               const struct ps_service *s)
{
    FUZZ_CHECK(s && s->name && s->description);
    FUZZ_CHECK(s->port <= s->port_end);
    FUZZ_CHECK((unsigned)s->proto < PS_PROTO_COUNT);
    FUZZ_CHECK(s->alias_count == 0 || s->aliases);
    FUZZ_CHECK(strlen(s->name) <= PS_NAME_MAX);
    for (unsigned i = 0; i < s->alias_count; i++)
        FUZZ_CHECK(s->aliases[i] && strlen(s->aliases[i]) <= PS_NAME_MAX);
    FUZZ_CHECK(s->sources != 0);
    FUZZ_CHECK(ps_service_source(reg, s) != NULL);
}

/* Exercises a sealed registry through every read-only entry point; data
 * supplies the ports and the name to look up. */
static inline void fuzz_exercise(const struct ps_registry *reg, const uint8_t *data,
                          size_t len)
{
    const struct ps_service *out[8];
    char name[PS_NAME_MAX + 3];

    /* Iteration visits every record once, in port order. */
    struct ps_registry_iter it = {0};
    const struct ps_service *s, *prev = NULL;
    size_t seen = 0, count = ps_registry_count(reg);
    while ((s = ps_registry_next(reg, &it)) != NULL) {
        fuzz_check_service(reg, s);
        FUZZ_CHECK(!prev || prev->port <= s->port);
        FUZZ_CHECK(++seen <= count);
        prev = s;
        /* Each record is found again by its own port and name. */
        if (seen <= 64) {
            size_t n = ps_registry_find_port(reg, s->proto, s->port, out, 8);
            int found = 0;
            for (size_t i = 0; i < n && i < 8; i++)
                found |= out[i] == s;
            FUZZ_CHECK(found || n > 8);
            if (s->name[0]) {
                n = ps_registry_find_name(reg, s->name, s->proto, NULL, 0);
                FUZZ_CHECK(n >= 1);
            }
        }
    }
    FUZZ_CHECK(seen == count);

    /* Ports from the input (two bytes each), every proto and the wildcard. */
    for (size_t i = 0; i + 1 < len && i < 16; i += 2) {
        unsigned port = (unsigned)data[i] << 8 | data[i + 1];
        for (unsigned p = 0; p <= PS_PROTO_ANY; p++) {
            size_t n = ps_registry_find_port(reg, (enum ps_proto)p, port, out, 8);
            for (size_t k = 0; k < n && k < 8; k++) {
                FUZZ_CHECK(out[k]->port <= port && port <= out[k]->port_end);
                FUZZ_CHECK(p == PS_PROTO_ANY || out[k]->proto == (enum ps_proto)p);
            }
            (void)ps_registry_frequency(reg, (enum ps_proto)p, port);
        }
    }
    FUZZ_CHECK(ps_registry_find_port(reg, PS_PROTO_TCP, PS_PORT_MAX + 1, out, 8) == 0);

    /* A name taken from the input. */
    fuzz_pick_name(data, len, name, sizeof name);
    for (unsigned p = 0; p <= PS_PROTO_ANY; p++) {
        size_t n = ps_registry_find_name(reg, name, (enum ps_proto)p, out, 8);
        for (size_t k = 0; k < n && k < 8; k++)
            FUZZ_CHECK(fuzz_name_matches(out[k], name));
    }
    if (name[0]) {
        const char *words[1] = {name};
        struct ps_match *m = NULL;
        size_t n = 0;
        if (ps_registry_search(reg, words, 1, &m, &n) == 0)
            for (size_t k = 0; k < n; k++)
                fuzz_check_service(reg, m[k].service);
        free(m);
    }

    for (size_t i = 0; i < ps_registry_source_count(reg); i++) {
        const struct ps_source *src = ps_registry_source(reg, i);
        FUZZ_CHECK(src && src->label && src->format != PS_FORMAT_AUTO);
    }

    FILE *null = fuzz_devnull();
    FUZZ_CHECK(ps_registry_export(reg, PS_EXPORT_SERVICES, null) == 0);
    FUZZ_CHECK(ps_registry_export(reg, PS_EXPORT_CSV, null) == 0);
    FUZZ_CHECK(ps_registry_export(reg, PS_EXPORT_JSON, null) == 0);
    fflush(null);
}

#endif
