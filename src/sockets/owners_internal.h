/* Shared by the owners files: owners.c (the parallel walk over
 * /proc/PID/fd), owners_index.c (the inode index of the result),
 * owners_proc.c (the details of one process) and proc_parse.c (the text
 * parsers). Never installed. */
#ifndef PS_OWNERS_INTERNAL_H
#define PS_OWNERS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/internal.h"
#include "portscope/owners.h"

/* One buffer reused for every file read during a scan, so reading the
 * details of a process allocates only when a file is larger than any
 * read before. */
struct ps__buf {
    char *p;
    size_t len, cap;
};

/* Reads dirfd/name whole into b, NUL-terminated. Returns 0 or -errno
 * (-ENOMEM when the buffer cannot grow). */
int ps__buf_read_at(struct ps__buf *b, int dirfd, const char *name);

/* The PS_E* code for an errno from opening or reading under proc_root:
 * PS_ENOENT (gone or missing), PS_ELIMIT (EMFILE, ENFILE: out of file
 * descriptors), PS_ENOMEM, PS_EACCES or PS_EIO. */
int ps__owners_error(int err);

/* ps_owners_scan() with nthreads walkers (within PS__OWNERS_MAX_WALKERS
 * and the number of processes), or one per CPU when nthreads is 0: lets
 * the tests run the parallel walk on a machine with one CPU. */
int ps__owners_scan_threads(const char *proc_root, size_t nthreads,
                            struct ps_owners **out, const struct ps_logger *log);

/* At most this many threads walk /proc at once: the walk is bound by
 * system calls into procfs, which scale with cores but not beyond them. */
#define PS__OWNERS_MAX_WALKERS 4

/* An inode and its list of holders, kept in pid order. inode 0 marks an
 * empty slot: no socket has inode 0. */
struct ps__owner_slot {
    uint64_t inode;
    uint32_t head, tail;
};

struct ps__owner_node {
    uint32_t proc; /* index into procs */
    uint32_t next;
};

struct ps_owners {
    struct ps_process *procs; /* in pid order */
    size_t nprocs;
    struct ps__owner_slot *slots; /* open addressing, linear probing */
    unsigned bits;                /* 1 << bits slots, at most half used */
    size_t used;
    struct ps__owner_node *nodes;
    size_t nnodes, nodes_cap;
    size_t hidden;
    /* The strings of procs, one arena per walker that found them. */
    struct ps__arena arenas[PS__OWNERS_MAX_WALKERS];
};

/* Makes room for inodes entries without growing again. 0 or PS_ENOMEM. */
int ps__owners_reserve(struct ps_owners *o, size_t inodes);

/* Adds procs[proc] to the holders of inode. Adding in ascending pid order
 * is fastest; 0 or PS_ENOMEM. */
int ps__owners_index_add(struct ps_owners *o, uint64_t inode, uint32_t proc);

struct ps__user {
    uint32_t uid;
    const char *name;         /* in the arena */
};

/* What reading process details needs across one scan. */
struct ps__proc_ctx {
    struct ps__arena *arena;  /* where the strings of ps_process go */
    struct ps__buf buf;
    int64_t btime;            /* boot time (epoch seconds), -1 if unknown */
    long clk_tck;             /* starttime units per second */
    struct ps__user *users;   /* uid -> name, looked up once per uid */
    size_t nusers, users_cap;
};

/* Fills p from the files of the process directory pid_fd (stat, status,
 * cmdline, cgroup). Returns 0, PS_ENOENT when the process has gone (its
 * stat is missing), or PS_ENOMEM. Fields that cannot be read are left
 * at "" or -1. */
int ps__proc_read(struct ps__proc_ctx *c, int pid_fd, int pid,
                  struct ps_process *p);

/* Frees what the context allocated with malloc (not the arena). */
void ps__proc_ctx_free(struct ps__proc_ctx *c);

/* Parsers behind ps__proc_read, bounds-safe like the public ones. */

/* The "btime N" line of proc_root/stat. Returns 0 or PS_EPARSE. */
int ps__proc_parse_btime(const char *text, size_t len, int64_t *btime);

/* The effective uid (second field of the "Uid:" line) of
 * /proc/PID/status. Returns 0 or PS_EPARSE. */
int ps__proc_parse_uid(const char *text, size_t len, uint32_t *uid);

/* The comm of /proc/PID/stat (between the first '(' and the last ')'),
 * truncated to fit out[cap]. Returns 0 or PS_EPARSE. */
int ps__proc_parse_comm(const char *text, size_t len, char *out, size_t cap);

#endif
