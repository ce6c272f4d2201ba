/* The timeout heap: in-flight probes ordered by deadline, so the engine
 * finds the next probe to time out in O(1) and removes an answered one in
 * O(log n). A binary min-heap over scan->heap; each probe knows its slot. */
#include "scan/engine.h"

static void place(struct ps__scan *scan, unsigned pos, struct ps__probe *p)
{
    scan->heap[pos] = p;
    p->heap_pos = pos;
}

static void sift_up(struct ps__scan *scan, unsigned pos)
{
    struct ps__probe *p = scan->heap[pos];

    while (pos > 0) {
        unsigned parent = (pos - 1) / 2;
        if (scan->heap[parent]->deadline_us <= p->deadline_us)
            break;
        place(scan, pos, scan->heap[parent]);
        pos = parent;
    }
    place(scan, pos, p);
}

static void sift_down(struct ps__scan *scan, unsigned pos)
{
    struct ps__probe *p = scan->heap[pos];

    for (;;) {
        unsigned child = 2 * pos + 1;
        if (child >= scan->heap_len)
            break;
        if (child + 1 < scan->heap_len &&
            scan->heap[child + 1]->deadline_us < scan->heap[child]->deadline_us)
            child++;
        if (scan->heap[child]->deadline_us >= p->deadline_us)
            break;
        place(scan, pos, scan->heap[child]);
        pos = child;
    }
    place(scan, pos, p);
}

/* The heap has room for every probe (scan->probe_cap), so push never
 * fails. */
void ps__heap_push(struct ps__scan *scan, struct ps__probe *p)
{
    place(scan, scan->heap_len++, p);
    sift_up(scan, p->heap_pos);
}

void ps__heap_remove(struct ps__scan *scan, struct ps__probe *p)
{
    unsigned pos = p->heap_pos;
    struct ps__probe *last = scan->heap[--scan->heap_len];

    if (pos == scan->heap_len)
        return;
    place(scan, pos, last);
    if (pos > 0 && scan->heap[(pos - 1) / 2]->deadline_us > last->deadline_us)
        sift_up(scan, pos);
    else
        sift_down(scan, pos);
}

struct ps__probe *ps__heap_top(const struct ps__scan *scan)
{
    return scan->heap_len ? scan->heap[0] : NULL;
}
