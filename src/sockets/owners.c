/* Socket owners: one pass over proc_root/PID/fd, then an index from socket
 * inode to the processes that hold it.
 *
 * The walk is the hot path: a host can hold tens of thousands of sockets
 * in a handful of processes, so the per-fd work is one readlinkat()
 * relative to the fd directory (no path built, no allocation) and a push
 * onto a reused array. At most three descriptors of ours are open at a
 * time: proc_root, PID, and either PID/fd or one file of PID being read
 * (getpwuid_r may open the user database besides). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockets/owners_internal.h"

#define NO_NODE UINT32_MAX
#define MIN_BITS 10 /* 1024 slots to start with */

/* An inode and its list of holders, kept in pid order. inode 0 marks an
 * empty slot: no socket has inode 0. */
struct owner_slot {
    uint64_t inode;
    uint32_t head, tail;
};

struct owner_node {
    uint32_t proc; /* index into procs */
    uint32_t next;
};

struct ps_owners {
    struct ps_process *procs;
    size_t nprocs, procs_cap;
    struct owner_slot *slots; /* open addressing, linear probing */
    unsigned bits;            /* 1 << bits slots, at most half of them used */
    size_t used;
    struct owner_node *nodes;
    size_t nnodes, nodes_cap;
    size_t hidden;
    struct ps__arena arena; /* the strings of procs */
};

/* What one scan needs and the result does not. */
struct scan {
    struct ps_owners *o;
    struct ps__proc_ctx ctx;
    uint64_t *inodes; /* sockets of the process being read */
    size_t ninodes, inodes_cap;
    const struct ps_logger *log;
};

/* Socket inodes are handed out nearly in sequence; Fibonacci hashing
 * (multiply, keep the top bits) spreads such runs over the whole table. */
static struct owner_slot *probe(struct owner_slot *slots, unsigned bits,
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
    struct owner_slot *slots = calloc((size_t)1 << bits, sizeof *slots);
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

static uint32_t new_node(struct ps_owners *o, uint32_t proc, uint32_t next)
{
    if (o->nnodes >= NO_NODE)
        return NO_NODE;
    void *v = ps__grow_array(o->nodes, &o->nodes_cap, o->nnodes + 1, sizeof *o->nodes);
    if (!v)
        return NO_NODE;
    o->nodes = v;
    o->nodes[o->nnodes] = (struct owner_node){proc, next};
    return (uint32_t)o->nnodes++;
}

static int node_pid(const struct ps_owners *o, uint32_t node)
{
    return o->procs[o->nodes[node].proc].pid;
}

/* Adds proc to the holders of s in pid order, once even if it holds the
 * socket on several fds. /proc lists pids in ascending order, so a new
 * holder nearly always goes at the tail; the walk is for other trees. */
static int holders_add(struct ps_owners *o, struct owner_slot *s, uint32_t proc)
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

static int index_add(struct ps_owners *o, uint64_t inode, uint32_t proc)
{
    if ((o->used + 1) * 2 > ((size_t)1 << o->bits) && table_grow(o) != 0)
        return PS_ENOMEM;
    struct owner_slot *s = probe(o->slots, o->bits, inode);
    if (s->inode)
        return holders_add(o, s, proc);
    uint32_t n = new_node(o, proc, NO_NODE);
    if (n == NO_NODE)
        return PS_ENOMEM;
    *s = (struct owner_slot){inode, n, n};
    o->used++;
    return 0;
}

/* What an fd directory that cannot be opened means. */
static int unreadable(struct scan *s, int pid, int err)
{
    if (err == ENOENT || err == ESRCH)
        return 0; /* exited since readdir: nothing to report */
    if (err == ENOMEM)
        return PS_ENOMEM;
    if (err == EMFILE || err == ENFILE) {
        /* Our own limit, not another user's privacy: say so. */
        ps__log(s->log, PS_LOG_ERROR, "owners: out of file descriptors reading pid %d",
                pid);
        return PS_EIO;
    }
    s->o->hidden++;
    ps__log(s->log, err == EACCES || err == EPERM ? PS_LOG_DEBUG : PS_LOG_WARN,
            "owners: cannot read the fds of pid %d: %s", pid, strerror(err));
    return 0;
}

/* The inode of a "socket:[N]" link, or 0. The buffer fits the longest
 * socket link; a longer target is a path, and no socket. *denied is set
 * when the link could not be read for lack of permission (a process root
 * may not trace, for instance): its sockets' owner stays unknown. */
static uint64_t socket_link(int dir, const char *name, bool *denied)
{
    char l[32];
    ssize_t n = readlinkat(dir, name, l, sizeof l);
    uint64_t v = 0;

    if (n < 0 && (errno == EACCES || errno == EPERM))
        *denied = true;
    if (n < 10 || n == (ssize_t)sizeof l || memcmp(l, "socket:[", 8) != 0 ||
        l[n - 1] != ']')
        return 0;
    for (ssize_t i = 8; i < n - 1; i++) {
        unsigned d = (unsigned)(l[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    return v;
}

static int push_inode(struct scan *s, uint64_t inode)
{
    if (s->ninodes == s->inodes_cap) {
        void *v = ps__grow_array(s->inodes, &s->inodes_cap, s->ninodes + 1,
                             sizeof *s->inodes);
        if (!v)
            return PS_ENOMEM;
        s->inodes = v;
    }
    s->inodes[s->ninodes++] = inode;
    return 0;
}

/* Collects the socket inodes of one process into s->inodes. */
static int read_fds(struct scan *s, int pid_fd, int pid)
{
    int fd = openat(pid_fd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct dirent *e;
    int rc = 0;

    s->ninodes = 0;
    if (fd < 0)
        return unreadable(s, pid, errno);
    DIR *d = fdopendir(fd);
    if (!d) {
        int err = errno;
        close(fd);
        return unreadable(s, pid, err);
    }
    bool denied = false;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        uint64_t inode = e->d_name[0] == '.' ? 0 : socket_link(fd, e->d_name, &denied);
        if (inode)
            rc = push_inode(s, inode);
    }
    closedir(d);
    if (denied)
        s->o->hidden++; /* counted once, like a directory that cannot be read */
    return rc;
}

static int add_process(struct scan *s, int pid_fd, int pid)
{
    struct ps_owners *o = s->o;
    void *v = ps__grow_array(o->procs, &o->procs_cap, o->nprocs + 1, sizeof *o->procs);

    if (!v || o->nprocs >= NO_NODE)
        return PS_ENOMEM;
    o->procs = v;
    int rc = ps__proc_read(&s->ctx, pid_fd, pid, &o->procs[o->nprocs]);
    if (rc == PS_ENOENT)
        return 0; /* exited after its fds were read */
    if (rc)
        return rc;
    uint32_t idx = (uint32_t)o->nprocs++;
    for (size_t i = 0; i < s->ninodes && rc == 0; i++)
        rc = index_add(o, s->inodes[i], idx);
    return rc;
}

static int scan_pid(struct scan *s, int proc_fd, const char *name, int pid)
{
    int pid_fd = openat(proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (pid_fd < 0)
        return unreadable(s, pid, errno);
    /* The fd directory is closed before the details are read. */
    int rc = read_fds(s, pid_fd, pid);
    if (rc == 0 && s->ninodes > 0)
        rc = add_process(s, pid_fd, pid);
    close(pid_fd);
    return rc;
}

/* A pid directory name: digits without a leading zero, so "012" cannot
 * pose as pid 12 twice. */
static int parse_pid(const char *name)
{
    long v = 0;

    if (name[0] < '1' || name[0] > '9')
        return -1;
    for (const char *p = name; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT_MAX - (*p - '0')) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return (int)v;
}

static int walk(struct scan *s, int proc_fd)
{
    DIR *d = fdopendir(proc_fd);
    struct dirent *e;
    int rc = 0;

    if (!d) {
        int err = errno;
        close(proc_fd);
        return err == ENOMEM ? PS_ENOMEM : PS_ENOENT;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        int pid = parse_pid(e->d_name);
        if (pid > 0 && (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN))
            rc = scan_pid(s, dirfd(d), e->d_name, pid);
    }
    closedir(d);
    return rc;
}

static int scan_init(struct scan *s, int proc_fd)
{
    s->ctx.arena = &s->o->arena;
    s->ctx.btime = -1;
    s->ctx.clk_tck = sysconf(_SC_CLK_TCK);
    int err = ps__buf_read_at(&s->ctx.buf, proc_fd, "stat");
    if (err == -ENOMEM)
        return PS_ENOMEM;
    if (err || ps__proc_parse_btime(s->ctx.buf.p, s->ctx.buf.len, &s->ctx.btime))
        ps__log(s->log, PS_LOG_WARN, "owners: no btime in stat; start times unknown");
    return table_grow(s->o);
}

int ps_owners_scan(const char *proc_root, struct ps_owners **out,
                   const struct ps_logger *log)
{
    if (!out)
        return PS_EINVAL;
    *out = NULL;
    if (!proc_root)
        return PS_EINVAL;
    int proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (proc_fd < 0) {
        int err = errno;
        ps__log(log, PS_LOG_ERROR, "owners: %s: %s", proc_root, strerror(err));
        return err == ENOMEM ? PS_ENOMEM : PS_ENOENT;
    }
    struct scan s = {.o = calloc(1, sizeof *s.o), .log = log};
    int rc = s.o ? scan_init(&s, proc_fd) : PS_ENOMEM;
    if (rc == 0)
        rc = walk(&s, proc_fd); /* closes proc_fd */
    else
        close(proc_fd);
    ps__proc_ctx_free(&s.ctx);
    free(s.inodes);
    if (rc) {
        ps_owners_free(s.o);
        return rc;
    }
    ps__log(log, PS_LOG_DEBUG, "owners: %zu processes hold %zu sockets; %zu hidden",
            s.o->nprocs, s.o->used, s.o->hidden);
    *out = s.o;
    return 0;
}

size_t ps_owners_find(const struct ps_owners *o, uint64_t inode,
                      const struct ps_process **out, size_t max)
{
    size_t n = 0;

    if (!o || !o->slots || inode == 0)
        return 0;
    const struct owner_slot *s = probe(o->slots, o->bits, inode);
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
    ps__arena_free(&o->arena);
    free(o);
}
