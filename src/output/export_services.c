/* /etc/services syntax: "name port/proto aliases # description". The syntax
 * has no ranges, so a range becomes one line per port; records without a
 * usable name (IANA's reserved rows) have no line. */
#include <string.h>

#include "common/internal.h"
#include "output/export.h"

static bool usable_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s == '#' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            return false;
    return true;
}

static int services_begin(FILE *out, const struct ps_registry *reg)
{
    (void)reg;
    fputs("# Network services, exported by portscope from its merged "
          "registry.\n# Syntax as /etc/services: name port/protocol "
          "[aliases...] [# comment]\n", out);
    return ferror(out) ? PS_EIO : 0;
}

static int services_record(FILE *out, const struct ps_registry *reg,
                           const struct ps_service *svc)
{
    (void)reg;
    if (!usable_name(svc->name))
        return 0;
    for (unsigned port = svc->port; port <= svc->port_end; port++) {
        int col = fprintf(out, "%s", svc->name);
        col += fprintf(out, "%*s%u/%s", col < 16 ? 16 - col : 1, "", port,
                       ps_proto_name(svc->proto));
        for (unsigned i = 0; i < svc->alias_count; i++)
            if (usable_name(svc->aliases[i]))
                fprintf(out, " %s", svc->aliases[i]);
        if (svc->description[0])
            fprintf(out, "\t# %s", svc->description);
        if (fputc('\n', out) == EOF)
            return PS_EIO;
    }
    return 0;
}

const struct ps__export_module ps__export_services = {
    .name = "services",
    .begin = services_begin,
    .record = services_record,
};
