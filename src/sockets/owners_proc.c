/* The details of one process that holds a socket: read once per process,
 * only after its fds showed a socket, so a scan of a busy host reads the
 * files of the few socket holders and not of every process. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockets/owners_internal.h"

#define UNIT_MAX 256 /* systemd's UNIT_NAME_MAX, with the NUL */
#define PW_BUF_MAX (1u << 20)

static int buf_reserve(struct ps__buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 4096;

    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return -ENOMEM;
        cap *= 2;
    }
    if (cap == b->cap)
        return 0;
    char *p = realloc(b->p, cap);
    if (!p)
        return -ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Files under /proc report size 0, so read until EOF rather than trust
 * fstat. */
int ps__buf_read_at(struct ps__buf *b, int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int err = 0;

    if (fd < 0)
        return -errno;
    b->len = 0;
    for (;;) {
        if (buf_reserve(b, b->len + 2) < 0) {
            err = -ENOMEM;
            break;
        }
        ssize_t n = read(fd, b->p + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? -errno : 0;
            break;
        }
        b->len += (size_t)n;
    }
    close(fd);
    if (err == 0)
        b->p[b->len] = '\0';
    return err;
}

static bool gone(int err)
{
    return err == -ENOENT || err == -ESRCH;
}

int ps__owners_error(int err)
{
    switch (err) {
    case EMFILE:
    case ENFILE:
        return PS_ELIMIT;
    case ESRCH:
        return PS_ENOENT;
    default:
        return ps__from_errno(err);
    }
}

/* What a failed read of a process's file means for the whole scan: the
 * code to stop with when it is our own shortage (memory, descriptors),
 * or 0 when the field is simply left unknown. */
static int fatal(int err)
{
    return err == -ENOMEM || err == -EMFILE || err == -ENFILE ? ps__owners_error(-err) : 0;
}

static int read_stat(struct ps__proc_ctx *c, int pid_fd, struct ps_process *p)
{
    int err = ps__buf_read_at(&c->buf, pid_fd, "stat");
    uint64_t ticks;

    if (fatal(err))
        return fatal(err);
    if (gone(err))
        return PS_ENOENT;
    if (err)
        return 0;
    /* The same text as /proc/PID/comm (the kernel prints both from the
     * task's name), without opening one more file per process. */
    (void)ps__proc_parse_comm(c->buf.p, c->buf.len, p->comm, sizeof p->comm);
    if (c->btime < 0 || c->clk_tck <= 0 ||
        ps_proc_parse_starttime(c->buf.p, c->buf.len, &ticks) != 0)
        return 0;
    uint64_t secs = ticks / (uint64_t)c->clk_tck;
    if (secs <= (uint64_t)(INT64_MAX - c->btime))
        p->start_time = c->btime + (int64_t)secs;
    return 0;
}

/* argv is stored NUL-separated, usually with a final NUL; programs that
 * rewrite their title (sshd, postgres) often pad it with NULs or spaces. */
static int read_cmdline(struct ps__proc_ctx *c, int pid_fd, struct ps_process *p)
{
    int err = ps__buf_read_at(&c->buf, pid_fd, "cmdline");
    char *s = c->buf.p;
    size_t n = c->buf.len;

    if (fatal(err))
        return fatal(err);
    if (err)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0')
            s[i] = ' ';
    while (n > 0 && s[n - 1] == ' ')
        n--;
    while (n > 0 && *s == ' ') {
        s++;
        n--;
    }
    if (n == 0)
        return 0;
    p->cmdline = ps__arena_strndup(c->arena, s, n);
    return p->cmdline ? 0 : PS_ENOMEM;
}

/* The name of uid from the user database, or the uid in decimal. */
static const char *lookup_user(struct ps__arena *a, uint32_t uid)
{
    long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t size = hint > 0 ? (size_t)hint : 1024;
    const char *name = NULL;

    for (;;) {
        struct passwd pw, *res = NULL;
        char *buf = malloc(size);
        if (!buf)
            return NULL;
        int err = getpwuid_r((uid_t)uid, &pw, buf, size, &res);
        if (err == ERANGE && size < PW_BUF_MAX) {
            free(buf);
            size *= 2;
            continue;
        }
        if (err == 0 && res && res->pw_name && res->pw_name[0])
            name = ps__arena_strndup(a, res->pw_name, strlen(res->pw_name));
        free(buf);
        break;
    }
    if (!name) {
        char num[16];
        int n = snprintf(num, sizeof num, "%u", (unsigned)uid);
        name = ps__arena_strndup(a, num, (size_t)n);
    }
    return name;
}

/* A scan sees few distinct uids but possibly many processes, and a
 * passwd lookup may go through NSS (files, LDAP), so cache by uid. */
static const char *user_name(struct ps__proc_ctx *c, uint32_t uid)
{
    for (size_t i = 0; i < c->nusers; i++)
        if (c->users[i].uid == uid)
            return c->users[i].name;
    struct ps__user *u = ps__grow_array(c->users, &c->users_cap, c->nusers + 1,
                                        sizeof *u);
    if (!u)
        return NULL;
    c->users = u;
    const char *name = lookup_user(c->arena, uid);
    if (name)
        c->users[c->nusers++] = (struct ps__user){uid, name};
    return name;
}

/* The Uid: line of status, because the owner of /proc/PID is root for a
 * process that is not dumpable (a setuid program, sshd's privilege-
 * separated child); the directory's owner only when status is missing. */
static int read_owner(struct ps__proc_ctx *c, int pid_fd, struct ps_process *p)
{
    int err = ps__buf_read_at(&c->buf, pid_fd, "status");
    struct stat st;

    if (fatal(err))
        return fatal(err);
    if (err || ps__proc_parse_uid(c->buf.p, c->buf.len, &p->uid) != 0) {
        if (fstat(pid_fd, &st) != 0)
            return 0; /* user stays "" */
        p->uid = (uint32_t)st.st_uid;
    }
    p->user = user_name(c, p->uid);
    return p->user ? 0 : PS_ENOMEM;
}

static int read_cgroup(struct ps__proc_ctx *c, int pid_fd, struct ps_process *p)
{
    int err = ps__buf_read_at(&c->buf, pid_fd, "cgroup");
    char unit[UNIT_MAX], ctr[65];

    if (fatal(err))
        return fatal(err);
    if (err)
        return 0;
    ps_proc_parse_cgroup(c->buf.p, c->buf.len, unit, sizeof unit, ctr, sizeof ctr);
    if (unit[0] && !(p->unit = ps__arena_strndup(c->arena, unit, strlen(unit))))
        return PS_ENOMEM;
    if (ctr[0] && !(p->container = ps__arena_strndup(c->arena, ctr, strlen(ctr))))
        return PS_ENOMEM;
    return 0;
}

int ps__proc_read(struct ps__proc_ctx *c, int pid_fd, int pid,
                  struct ps_process *p)
{
    int rc;

    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->cmdline = p->user = p->unit = p->container = "";
    p->start_time = -1;
    if ((rc = read_stat(c, pid_fd, p)) != 0 ||
        (rc = read_cmdline(c, pid_fd, p)) != 0 ||
        (rc = read_owner(c, pid_fd, p)) != 0)
        return rc;
    return read_cgroup(c, pid_fd, p);
}

void ps__proc_ctx_free(struct ps__proc_ctx *c)
{
    free(c->buf.p);
    free(c->users);
    c->buf = (struct ps__buf){0};
    c->users = NULL;
    c->nusers = c->users_cap = 0;
}
