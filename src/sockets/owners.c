/* Socket owners: one pass over proc_root/PID/fd, then an index from socket
 * inode to the processes that hold it (owners_index.c).
 *
 * The walk is the hot path: a host can hold tens of thousands of sockets
 * in a handful of processes, and each fd costs a readlinkat() into procfs
 * (about 2 us, no path built, no allocation). Those calls scale with
 * cores, so the pids are read first and then claimed one at a time by up
 * to one walker thread per CPU; each walker keeps what it finds to
 * itself, and the index is built once they are all done. A walker has at
 * most two descriptors of its own open (PID, and PID/fd or one file of
 * PID), besides proc_root, which all share (getpwuid_r may open the user
 * database besides). */
/* _GNU_SOURCE (sched_getaffinity, CPU_COUNT) comes from the build. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockets/owners_internal.h"

/* What the walkers share; only next, failed and the logger change. */
struct walk {
    const char *root;    /* proc_root, for messages */
    int proc_fd;
    const int *pids;
    size_t npids;
    atomic_size_t next;  /* the next pid to claim */
    atomic_bool failed;  /* a walker hit an error: all stop */
    int64_t btime;
    long clk_tck;
    const struct ps_logger *log;
    pthread_mutex_t log_lock; /* the caller's logger sees one call at a time */
};

/* A process that holds sockets, as one walker found it. */
struct found {
    struct ps_process proc;
    size_t first, n; /* its inodes: walker.inodes[first .. first+n) */
};

struct walker {
    struct walk *w;
    struct ps__proc_ctx ctx;  /* its arena is the walker's own */
    struct ps__arena arena;
    struct found *found;
    size_t nfound, found_cap;
    uint64_t *inodes;
    size_t ninodes, inodes_cap;
    size_t hidden;
    int rc;
    pthread_t thread;
    bool started;
};

static void walk_log(struct walk *w, enum ps_log_level level, const char *fmt, ...)
    PS__PRINTF(3, 4);

static void walk_log(struct walk *w, enum ps_log_level level, const char *fmt, ...)
{
    char msg[1024]; /* as ps__log */
    va_list ap;

    if (!w->log || !w->log->fn || level > w->log->max)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&w->log_lock);
    ps__log(w->log, level, "%s", msg);
    pthread_mutex_unlock(&w->log_lock);
}

/* Our own limit, not another user's privacy: say so, and stop. */
static int out_of_fds(struct walker *k, int pid)
{
    walk_log(k->w, PS_LOG_ERROR, "owners: out of file descriptors reading %s/%d",
             k->w->root, pid);
    return PS_ELIMIT;
}

/* What an fd directory that cannot be opened means. */
static int unreadable(struct walker *k, int pid, int err)
{
    if (err == ENOENT || err == ESRCH)
        return 0; /* exited since readdir: nothing to report */
    if (err == ENOMEM)
        return PS_ENOMEM;
    if (err == EMFILE || err == ENFILE)
        return out_of_fds(k, pid);
    k->hidden++;
    walk_log(k->w, err == EACCES || err == EPERM ? PS_LOG_DEBUG : PS_LOG_WARN,
             "owners: cannot read %s/%d/fd: %s", k->w->root, pid, strerror(err));
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

static int push_inode(struct walker *k, uint64_t inode)
{
    if (k->ninodes == k->inodes_cap) {
        void *v = ps__grow_array(k->inodes, &k->inodes_cap, k->ninodes + 1,
                                 sizeof *k->inodes);
        if (!v)
            return PS_ENOMEM;
        k->inodes = v;
    }
    k->inodes[k->ninodes++] = inode;
    return 0;
}

/* Appends the socket inodes of one process to k->inodes. */
static int read_fds(struct walker *k, int pid_fd, int pid)
{
    int fd = openat(pid_fd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct dirent *e;
    int rc = 0;

    if (fd < 0)
        return unreadable(k, pid, errno);
    DIR *d = fdopendir(fd);
    if (!d) {
        int err = errno;
        close(fd);
        return unreadable(k, pid, err);
    }
    bool denied = false;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        uint64_t inode = e->d_name[0] == '.' ? 0 : socket_link(fd, e->d_name, &denied);
        if (inode)
            rc = push_inode(k, inode);
    }
    closedir(d);
    if (denied)
        k->hidden++; /* counted once, like a directory that cannot be read */
    return rc;
}

/* Records the process whose inodes start at first, with its details. */
static int add_found(struct walker *k, int pid_fd, int pid, size_t first)
{
    void *v = ps__grow_array(k->found, &k->found_cap, k->nfound + 1, sizeof *k->found);

    if (!v)
        return PS_ENOMEM;
    k->found = v;
    struct found *f = &k->found[k->nfound];
    int rc = ps__proc_read(&k->ctx, pid_fd, pid, &f->proc);
    if (rc == PS_ENOENT) {
        k->ninodes = first; /* exited after its fds were read */
        return 0;
    }
    if (rc)
        return rc == PS_ELIMIT ? out_of_fds(k, pid) : rc;
    f->first = first;
    f->n = k->ninodes - first;
    k->nfound++;
    return 0;
}

static int scan_pid(struct walker *k, int pid)
{
    char name[16];

    snprintf(name, sizeof name, "%d", pid);
    int pid_fd = openat(k->w->proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pid_fd < 0)
        return unreadable(k, pid, errno);
    /* The fd directory is closed before the details are read. */
    size_t first = k->ninodes;
    int rc = read_fds(k, pid_fd, pid);
    if (rc == 0 && k->ninodes > first)
        rc = add_found(k, pid_fd, pid, first);
    close(pid_fd);
    return rc;
}

static void *walker_run(void *arg)
{
    struct walker *k = arg;
    struct walk *w = k->w;

    while (!atomic_load_explicit(&w->failed, memory_order_relaxed)) {
        size_t i = atomic_fetch_add_explicit(&w->next, 1, memory_order_relaxed);
        if (i >= w->npids)
            break;
        k->rc = scan_pid(k, w->pids[i]);
        if (k->rc) {
            atomic_store(&w->failed, true);
            break;
        }
    }
    return NULL;
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

/* The pids under proc_root, in the order readdir gives them (ascending
 * on Linux). Reads through a dup so that proc_fd stays open for the
 * walkers. */
static int list_pids(int proc_fd, int **pids, size_t *npids)
{
    int fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 0);
    size_t cap = 0;
    struct dirent *e;
    int rc = 0;

    *pids = NULL;
    *npids = 0;
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return ps__owners_error(err);
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        int pid = parse_pid(e->d_name);
        if (pid <= 0 || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
            continue;
        int *v = ps__grow_array(*pids, &cap, *npids + 1, sizeof **pids);
        if (!v) {
            rc = PS_ENOMEM;
            break;
        }
        *pids = v;
        (*pids)[(*npids)++] = pid;
    }
    closedir(d);
    return rc;
}

/* One walker per CPU this thread may run on (or the number asked for),
 * within the cap. */
static size_t walker_count(size_t npids, size_t asked)
{
    cpu_set_t set;
    size_t n = asked ? asked : 1;

    if (!asked && sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        n = (size_t)CPU_COUNT(&set);
    if (n > PS__OWNERS_MAX_WALKERS)
        n = PS__OWNERS_MAX_WALKERS;
    if (n > npids)
        n = npids ? npids : 1;
    return n;
}

/* Runs the walkers: the calling thread is the first, and a thread that
 * cannot be started only means fewer walkers. */
static int run_walkers(struct walker *k, size_t nk)
{
    for (size_t i = 1; i < nk; i++)
        k[i].started = pthread_create(&k[i].thread, NULL, walker_run, &k[i]) == 0;
    walker_run(&k[0]);
    int rc = k[0].rc;
    for (size_t i = 1; i < nk; i++) {
        if (k[i].started)
            pthread_join(k[i].thread, NULL);
        if (rc == 0)
            rc = k[i].rc;
    }
    return rc;
}

struct ref {
    const struct found *f;
    const uint64_t *inodes;
};

static int by_pid(const void *a, const void *b)
{
    int pa = ((const struct ref *)a)->f->proc.pid, pb = ((const struct ref *)b)->f->proc.pid;
    return (pa > pb) - (pa < pb);
}

/* Builds the result from what the walkers found, in pid order, and takes
 * over their arenas. */
static int merge(struct ps_owners *o, struct walker *k, size_t nk)
{
    size_t nprocs = 0, ninodes = 0;

    for (size_t i = 0; i < nk; i++) {
        nprocs += k[i].nfound;
        ninodes += k[i].ninodes;
        o->hidden += k[i].hidden;
        o->arenas[i] = k[i].arena;
        k[i].arena = (struct ps__arena){0};
    }
    if (nprocs >= UINT32_MAX)
        return PS_ENOMEM;
    struct ref *refs = calloc(nprocs ? nprocs : 1, sizeof *refs);
    o->procs = calloc(nprocs ? nprocs : 1, sizeof *o->procs);
    int rc = refs && o->procs ? ps__owners_reserve(o, ninodes) : PS_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < nk; i++)
        for (size_t j = 0; rc == 0 && j < k[i].nfound; j++)
            refs[n++] = (struct ref){&k[i].found[j], k[i].inodes};
    if (rc == 0)
        qsort(refs, n, sizeof *refs, by_pid);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct found *f = refs[i].f;
        o->procs[i] = f->proc;
        o->nprocs = i + 1;
        for (size_t j = 0; rc == 0 && j < f->n; j++)
            rc = ps__owners_index_add(o, refs[i].inodes[f->first + j], (uint32_t)i);
    }
    free(refs);
    return rc;
}

static void walkers_free(struct walker *k, size_t nk)
{
    for (size_t i = 0; i < nk; i++) {
        ps__proc_ctx_free(&k[i].ctx);
        ps__arena_free(&k[i].arena);
        free(k[i].found);
        free(k[i].inodes);
    }
}

/* The boot time that start times are counted from, or -1. */
static int64_t boot_time(int proc_fd, const struct ps_logger *log)
{
    struct ps__buf buf = {0};
    int64_t btime = -1;
    int err = ps__buf_read_at(&buf, proc_fd, "stat");

    if (err || ps__proc_parse_btime(buf.p, buf.len, &btime) != 0) {
        btime = -1;
        ps__log(log, PS_LOG_WARN, "owners: no btime in stat; start times unknown");
    }
    free(buf.p);
    return btime;
}

static int walk(struct ps_owners *o, const char *root, int proc_fd, size_t nthreads,
                const struct ps_logger *log)
{
    struct walk w = {.root = root, .proc_fd = proc_fd, .log = log,
                     .clk_tck = sysconf(_SC_CLK_TCK)};
    struct walker k[PS__OWNERS_MAX_WALKERS] = {0};
    int *pids;
    int rc = list_pids(proc_fd, &pids, &w.npids);

    if (rc) {
        ps__log(log, PS_LOG_ERROR, "owners: cannot list the processes: %s",
                rc == PS_ELIMIT ? "out of file descriptors" : ps_strerror(rc));
        return rc;
    }
    w.pids = pids;
    w.btime = boot_time(proc_fd, log);
    atomic_init(&w.next, 0);
    atomic_init(&w.failed, false);
    pthread_mutex_init(&w.log_lock, NULL);
    size_t nk = walker_count(w.npids, nthreads);
    for (size_t i = 0; i < nk; i++) {
        k[i].w = &w;
        k[i].ctx.arena = &k[i].arena;
        k[i].ctx.btime = w.btime;
        k[i].ctx.clk_tck = w.clk_tck;
    }
    rc = run_walkers(k, nk);
    if (rc == 0)
        rc = merge(o, k, nk);
    walkers_free(k, nk);
    pthread_mutex_destroy(&w.log_lock);
    free(pids);
    return rc;
}

int ps__owners_scan_threads(const char *proc_root, size_t nthreads,
                            struct ps_owners **out, const struct ps_logger *log)
{
    if (!out)
        return PS_EINVAL;
    *out = NULL;
    if (!proc_root)
        return PS_EINVAL;
    int proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (proc_fd < 0) {
        int err = errno;
        ps__log(log, PS_LOG_ERROR, "owners: %s: %s", proc_root,
                err == EMFILE || err == ENFILE ? "out of file descriptors" : strerror(err));
        return ps__owners_error(err);
    }
    struct ps_owners *o = calloc(1, sizeof *o);
    int rc = o ? walk(o, proc_root, proc_fd, nthreads, log) : PS_ENOMEM;
    close(proc_fd);
    if (rc) {
        ps_owners_free(o);
        return rc;
    }
    ps__log(log, PS_LOG_DEBUG, "owners: %zu processes hold %zu sockets; %zu hidden",
            o->nprocs, o->used, o->hidden);
    *out = o;
    return 0;
}

int ps_owners_scan(const char *proc_root, struct ps_owners **out,
                   const struct ps_logger *log)
{
    return ps__owners_scan_threads(proc_root, 0, out, log);
}
