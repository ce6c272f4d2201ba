/* One service record as a JSON object, with jansson. */
#include <jansson.h>

#include "common/internal.h"
#include "output/json.h"
#include "portscope/registry.h"

/* json_string() refuses invalid UTF-8, which a registry file may hold:
 * such text becomes null instead of losing the whole record. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    return j ? j : json_null();
}

static json_t *string_list(const char *const *items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, jstr(items[i]))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static json_t *source_list(const struct ps_registry *reg,
                           const struct ps_service *svc)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < ps_registry_source_count(reg); i++)
        if ((svc->sources & (1u << i)) &&
            json_array_append_new(arr,
                                  jstr(ps_registry_source(reg, i)->label))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static json_t *service_object(const struct ps_registry *reg,
                              const struct ps_service *svc)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int bad = json_object_set_new(o, "port", json_integer(svc->port));
    if (svc->port_end != svc->port)
        bad |= json_object_set_new(o, "port_end", json_integer(svc->port_end));
    bad |= json_object_set_new(o, "proto", json_string(ps_proto_name(svc->proto)));
    bad |= json_object_set_new(o, "name", jstr(svc->name));
    bad |= json_object_set_new(o, "aliases",
                               string_list(svc->aliases, svc->alias_count));
    bad |= json_object_set_new(o, "description", jstr(svc->description));
    bad |= json_object_set_new(o, "source",
                               jstr(ps_service_source(reg, svc)));
    bad |= json_object_set_new(o, "sources", source_list(reg, svc));
    bad |= json_object_set_new(
        o, "class", json_string(ps_port_class_name(ps_port_class_of(svc->port))));
    if (svc->frequency >= 0)
        bad |= json_object_set_new(o, "frequency", json_real(svc->frequency));
    const struct ps_knowledge *k = ps_knowledge_for(svc);
    if (k)
        bad |= ps__knowledge_fields(o, k);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int ps_service_write_json(const struct ps_registry *reg,
                          const struct ps_service *svc, FILE *out)
{
    json_t *o = service_object(reg, svc);
    if (!o)
        return PS_ENOMEM;
    int rc = json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (rc != 0 || fputc('\n', out) == EOF)
        return PS_EIO;
    return 0;
}
