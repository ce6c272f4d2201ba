/* RFC 4180 CSV through libcsv's writer, which quotes every field and
 * doubles embedded quotes. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/internal.h"
#include "output/export.h"

static const char *const columns[] = {"port", "port_end", "proto", "name",
    "aliases", "description", "source", "class", "frequency"};

static int put(FILE *out, const char *s, bool last)
{
    if (csv_fwrite(out, s, strlen(s)) != 0)
        return PS_EIO;
    return fputc(last ? '\n' : ',', out) == EOF ? PS_EIO : 0;
}

static int csv_begin(FILE *out, const struct ps_registry *reg)
{
    (void)reg;
    size_t n = sizeof columns / sizeof columns[0];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = put(out, columns[i], i + 1 == n);
    return rc;
}

static int csv_record(FILE *out, const struct ps_registry *reg,
                      const struct ps_service *svc)
{
    char port[8], end[8], freq[16] = "", small[1024];
    size_t used = 0, need = 1;

    for (unsigned i = 0; i < svc->alias_count; i++)
        need += strlen(svc->aliases[i]) + 1;
    char *aliases = need <= sizeof small ? small : malloc(need);
    if (!aliases)
        return PS_ENOMEM;
    aliases[0] = '\0';

    snprintf(port, sizeof port, "%u", svc->port);
    snprintf(end, sizeof end, "%u", svc->port_end);
    if (svc->frequency >= 0)
        snprintf(freq, sizeof freq, "%.6f", (double)svc->frequency);
    for (unsigned i = 0; i < svc->alias_count; i++) {
        size_t n = strlen(svc->aliases[i]);
        if (i)
            aliases[used++] = ' ';
        memcpy(aliases + used, svc->aliases[i], n + 1);
        used += n;
    }
    const char *fields[] = {port, end, ps_proto_name(svc->proto), svc->name,
        aliases, svc->description, ps_service_source(reg, svc),
        ps_port_class_name(ps_port_class_of(svc->port)), freq};
    size_t n = sizeof fields / sizeof fields[0];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = put(out, fields[i], i + 1 == n);
    if (aliases != small)
        free(aliases);
    return rc;
}

const struct ps__export_module ps__export_csv = {
    .name = "csv",
    .begin = csv_begin,
    .record = csv_record,
};
