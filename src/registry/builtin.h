/* The built-in table, generated at build time by tools/gen-builtin from
 * data/builtin/services.txt. */
#ifndef PS_REGISTRY_BUILTIN_H
#define PS_REGISTRY_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

#define PS__BUILTIN_ALIASES 8

struct ps__builtin_service {
    const char *name;
    const char *description;
    const char *aliases[PS__BUILTIN_ALIASES]; /* NULL-terminated if short */
    uint16_t port, port_end;
    uint8_t proto;                            /* enum ps_proto */
};

extern const struct ps__builtin_service ps__builtin_services[];
extern const size_t ps__builtin_service_count;
extern const uint32_t ps__builtin_hash; /* of the data file */

#endif
