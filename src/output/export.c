/* Drives an export module over the whole registry. */
#include <string.h>

#include "common/internal.h"
#include "output/export.h"
#include "registry/internal.h"

/* Indexed by enum ps_export_format. */
static const struct ps__export_module *const modules[] = {
    &ps__export_services,
    &ps__export_csv,
    &ps__export_json,
};

int ps_export_format_parse(const char *text, enum ps_export_format *out)
{
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++) {
        if (strcmp(text, modules[i]->name) == 0) {
            *out = (enum ps_export_format)i;
            return 0;
        }
    }
    return PS_EINVAL;
}

int ps_registry_export(const struct ps_registry *reg,
                       enum ps_export_format fmt, FILE *out)
{
    if ((size_t)fmt >= sizeof modules / sizeof modules[0])
        return PS_EINVAL;
    const struct ps__export_module *m = modules[fmt];
    struct ps_registry_iter it = {0};
    const struct ps_service *svc;
    int rc = 0;

    if (!reg->sealed)
        return PS_ESTATE;
    if (m->begin)
        rc = m->begin(out, reg);
    while (rc == 0 && (svc = ps_registry_next(reg, &it)))
        rc = m->record(out, reg, svc);
    if (rc == 0 && fflush(out) != 0)
        rc = PS_EIO;
    return rc || ferror(out) ? (rc ? rc : PS_EIO) : 0;
}
