/* Knowledge fields as JSON, for lookup --json and explain --json. */
#include <jansson.h>

#include "common/internal.h"
#include "output/json.h"

static json_t *uses_json(const struct ps_knowledge *k)
{
    json_t *arr = json_array();
    for (unsigned i = 0; arr && i < k->use_count; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s}", "name", k->uses[i].name,
                                             "note", k->uses[i].note));
    return arr;
}

static json_t *flags_json(unsigned flags)
{
    json_t *arr = json_array();
    for (unsigned bit = 0; arr && bit < PS_KFLAG_COUNT; bit++)
        if (flags & (1u << bit))
            json_array_append_new(arr, json_string(ps_kflag_name(1u << bit)));
    return arr;
}

int ps__knowledge_fields(json_t *o, const struct ps_knowledge *k)
{
    int bad = json_object_set_new(o, "category", json_string(k->category));
    bad |= json_object_set_new(o, "uses", uses_json(k));
    bad |= json_object_set_new(o, "risk", json_string(ps_risk_name(k->risk)));
    bad |= json_object_set_new(o, "flags", flags_json(k->flags));
    bad |= json_object_set_new(o, "alternative", json_string(k->alternative));
    return bad ? PS_ENOMEM : 0;
}

int ps_knowledge_write_json(const struct ps_knowledge *k, FILE *out)
{
    json_t *o = json_object();
    if (!o)
        return PS_ENOMEM;
    int bad = json_object_set_new(o, "port", json_integer(k->port));
    if (k->port_end != k->port)
        bad |= json_object_set_new(o, "port_end", json_integer(k->port_end));
    bad |= json_object_set_new(o, "proto", json_string(ps_proto_name(k->proto)));
    bad |= json_object_set_new(o, "service", json_string(k->service));
    bad |= json_object_set_new(o, "title", json_string(k->title));
    bad |= ps__knowledge_fields(o, k);
    bad |= json_object_set_new(o, "references", json_string(k->references));
    bad |= json_object_set_new(o, "related", json_string(k->related));
    bad |= json_object_set_new(o, "explain", json_string(k->explain));
    int rc = bad ? PS_ENOMEM : 0;
    if (rc == 0 && (json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
                    fputc('\n', out) == EOF))
        rc = PS_EIO;
    json_decref(o);
    return rc;
}
