/* JSON Lines: one object per record, as ps_service_write_json() writes. */
#include "output/export.h"

static int json_record(FILE *out, const struct ps_registry *reg,
                       const struct ps_service *svc)
{
    return ps_service_write_json(reg, svc, out);
}

const struct ps__export_module ps__export_json = {
    .name = "json",
    .begin = NULL,
    .record = json_record,
};
