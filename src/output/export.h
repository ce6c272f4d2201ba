/* Registry export formats: one file per format, each a constant module. */
#ifndef PS_OUTPUT_EXPORT_H
#define PS_OUTPUT_EXPORT_H

#include <stdio.h>
#include "portscope/registry.h"

struct ps__export_module {
    const char *name;
    /* Writes what precedes the records (may be NULL). Returns 0 or PS_E*. */
    int (*begin)(FILE *out, const struct ps_registry *reg);
    /* Writes one record. Returns 0 or PS_E*; a failed write is PS_EIO. */
    int (*record)(FILE *out, const struct ps_registry *reg,
                  const struct ps_service *svc);
};

extern const struct ps__export_module ps__export_services;
extern const struct ps__export_module ps__export_csv;
extern const struct ps__export_module ps__export_json;

#endif
