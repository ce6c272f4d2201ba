/* The index of a finished owner scan: socket inode -> the processes that
 * hold it, in pid order. Built by one thread after the walkers are done,
 * so it needs no locking. */
#include <stdlib.h>

#include "sockets/owners_internal.h"

#define NO_NODE UINT32_MAX
#define MIN_BITS 10 /* 1024 slots to start with */

/* Socket inodes are handed out nearly in sequence; Fibonacci hashing
 * (multiply, keep the top bits) spreads such runs over the whole table. */
static struct ps__owner_slot *probe(struct ps__owner_slot *slots, unsigned bits,
                                    uint64_t inode)
{
    size_t mask = ((size_t)1 << bits) - 1;
    size_t i = (size_t)((inode * 0x9E3779B97F4A7C15ull) >> (64 - bits));

    while (slots[i].inode != 0 && slots[i].inode != inode)
        i = (i + 1) & mask;
    return &slots[i];
}

static int table_grow(struct ps_owners *o)
{
    unsigned bits = o->slots ? o->bits + 1 : MIN_BITS;

    if (bits >= 8 * sizeof(size_t) - 4)
        return PS_ENOMEM;
    struct ps__owner_slot *slots = calloc((size_t)1 << bits, sizeof *slots);
    if (!slots)
        return PS_ENOMEM;
    for (size_t i = 0; o->slots && i < ((size_t)1 << o->bits); i++)
        if (o->slots[i].inode)
            *probe(slots, bits, o->slots[i].inode) = o->slots[i];
    free(o->slots);
    o->slots = slots;
    o->bits = bits;
    return 0;
}

int ps__owners_reserve(struct ps_owners *o, size_t inodes)
{
    if (!o->slots && table_grow(o) != 0)
        return PS_ENOMEM;
    while (inodes * 2 > ((size_t)1 << o->bits))
        if (table_grow(o) != 0)
            return PS_ENOMEM;
    return 0;
}

static uint32_t new_node(struct ps_owners *o, uint32_t proc, uint32_t next)
{
    if (o->nnodes >= NO_NODE)
        return NO_NODE;
    void *v = ps__grow_array(o->nodes, &o->nodes_cap, o->nnodes + 1, sizeof *o->nodes);
    if (!v)
        return NO_NODE;
    o->nodes = v;
    o->nodes[o->nnodes] = (struct ps__owner_node){proc, next};
    return (uint32_t)o->nnodes++;
}

static int node_pid(const struct ps_owners *o, uint32_t node)
{
    return o->procs[o->nodes[node].proc].pid;
}

/* Adds proc to the holders of s in pid order, once even if it holds the
 * socket on several fds. Processes are added in ascending pid order, so a
 * new holder nearly always goes at the tail; the walk is for safety. */
static int holders_add(struct ps_owners *o, struct ps__owner_slot *s, uint32_t proc)
{
    int pid = o->procs[proc].pid, tail = node_pid(o, s->tail);
    uint32_t prev = NO_NODE, cur = s->head;

    if (tail == pid)
        return 0;
    if (tail < pid) {
        prev = s->tail;
        cur = NO_NODE;
    } else {
        while (node_pid(o, cur) < pid) { /* stops at the tail at worst */
            prev = cur;
            cur = o->nodes[cur].next;
        }
        if (node_pid(o, cur) == pid)
            return 0;
    }
    uint32_t n = new_node(o, proc, cur);
    if (n == NO_NODE)
        return PS_ENOMEM;
    if (prev == NO_NODE)
        s->head = n;
    else
        o->nodes[prev].next = n;
    if (cur == NO_NODE)
        s->tail = n;
    return 0;
}

int ps__owners_index_add(struct ps_owners *o, uint64_t inode, uint32_t proc)
{
    if ((o->used + 1) * 2 > ((size_t)1 << o->bits) && table_grow(o) != 0)
        return PS_ENOMEM;
    struct ps__owner_slot *s = probe(o->slots, o->bits, inode);
    if (s->inode)
        return holders_add(o, s, proc);
    uint32_t n = new_node(o, proc, NO_NODE);
    if (n == NO_NODE)
        return PS_ENOMEM;
    *s = (struct ps__owner_slot){inode, n, n};
    o->used++;
    return 0;
}

size_t ps_owners_find(const struct ps_owners *o, uint64_t inode,
                      const struct ps_process **out, size_t max)
{
    size_t n = 0;

    if (!o || !o->slots || inode == 0)
        return 0;
    const struct ps__owner_slot *s = probe(o->slots, o->bits, inode);
    if (s->inode == 0)
        return 0;
    for (uint32_t i = s->head; i != NO_NODE; i = o->nodes[i].next) {
        if (out && n < max)
            out[n] = &o->procs[o->nodes[i].proc];
        n++;
    }
    return n;
}

size_t ps_owners_hidden(const struct ps_owners *o)
{
    return o ? o->hidden : 0;
}

void ps_owners_free(struct ps_owners *o)
{
    if (!o)
        return;
    free(o->procs);
    free(o->slots);
    free(o->nodes);
    for (size_t i = 0; i < PS__OWNERS_MAX_WALKERS; i++)
        ps__arena_free(&o->arenas[i]);
    free(o);
}
