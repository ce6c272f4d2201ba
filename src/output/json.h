/* JSON helpers shared by the output files. */
#ifndef PS_OUTPUT_JSON_H
#define PS_OUTPUT_JSON_H

#include <jansson.h>
#include "portscope/knowledge.h"

/* Adds category, uses, risk, flags and alternative of k to object o.
 * Returns 0 or PS_ENOMEM. */
int ps__knowledge_fields(json_t *o, const struct ps_knowledge *k);

#endif
