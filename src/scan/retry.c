/* The retry queue: pairs whose probe timed out and that deserve another
 * try, sent before any new pair (as nmap does) so a silent port is
 * decided soon after its first timeout. A growable ring. */
#include <stdlib.h>

#include "portscope/error.h"
#include "scan/engine.h"

static int grow(struct ps__retry_queue *q)
{
    size_t cap = q->cap ? q->cap * 2 : 256;
    struct ps__retry *items = malloc(cap * sizeof *items);

    if (!items)
        return PS_ENOMEM;
    for (size_t i = 0; i < q->count; i++)
        items[i] = q->items[(q->head + i) % q->cap];
    free(q->items);
    q->items = items;
    q->cap = cap;
    q->head = 0;
    return 0;
}

int ps__retry_push(struct ps__retry_queue *q, const struct ps__retry *r)
{
    if (q->count == q->cap && grow(q) < 0)
        return PS_ENOMEM;
    q->items[(q->head + q->count) % q->cap] = *r;
    q->count++;
    return 0;
}

int ps__retry_pop(struct ps__retry_queue *q, struct ps__retry *out)
{
    if (!q->count)
        return 0;
    *out = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    return 1;
}

void ps__retry_free(struct ps__retry_queue *q)
{
    free(q->items);
    *q = (struct ps__retry_queue){0};
}
