/* -iL and --excludefile files: a reader of blank-separated specs with '#'
 * comments, and the record that lets the iterator read a checked file
 * again and notice when it is no longer the same file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/internal.h"
#include "scan/targets_int.h"

#define READ_BUF 65536u

void ps__treader_mem(struct ps__treader *r, const char *mem, size_t len)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->mem = mem;
    r->mem_len = len;
    r->line = 1;
}

int ps__treader_fd(struct ps__treader *r, int fd)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->line = 1;
    r->buf = malloc(READ_BUF);
    if (!r->buf) {
        close(fd);
        r->fd = -1;
        return PS_ENOMEM;
    }
    return 0;
}

void ps__treader_close(struct ps__treader *r)
{
    if (r->fd >= 0) {
        int saved = errno;
        close(r->fd);
        errno = saved;
    }
    free(r->buf);
    r->fd = -1;
    r->buf = NULL;
}

/* The next byte, -1 at the end, or a negative PS_E* code minus 1 (so it
 * never collides with -1) on a read error. */
static int get_byte(struct ps__treader *r)
{
    if (r->fd < 0)
        return r->pos < r->mem_len ? (unsigned char)r->mem[r->pos++] : -1;
    if (r->pos == r->len) {
        ssize_t n;
        do
            n = read(r->fd, r->buf, READ_BUF);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            r->why = strerror(errno);
            return ps__from_errno(errno) - 1;
        }
        if (n == 0)
            return -1;
        r->pos = 0;
        r->len = (size_t)n;
    }
    return (unsigned char)r->buf[r->pos++];
}

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

int ps__treader_next(struct ps__treader *r, char *tok, unsigned long *line)
{
    size_t n = 0;
    for (;;) {
        int c = get_byte(r);
        if (c < -1)
            return c + 1;
        if (c == '\n' || c == -1 || (!r->in_comment && (is_blank(c) ||
                                                         c == '#'))) {
            if (n) {
                /* Put a newline back: it ends this token's line. */
                if (c == '\n')
                    r->pos--;
                else if (c == '#')
                    r->in_comment = 1;
                tok[n] = '\0';
                *line = r->line;
                return 1;
            }
            if (c == -1)
                return 0;
            if (c == '\n') {
                r->line++;
                r->in_comment = 0;
            } else if (c == '#') {
                r->in_comment = 1;
            }
            continue;
        }
        if (r->in_comment)
            continue;
        if (c == 0) {
            r->why = "a NUL byte";
            *line = r->line;
            return PS_EPARSE;
        }
        if (n == PS__TSPEC_MAX) {
            r->why = "a spec longer than 4096 characters";
            *line = r->line;
            return PS_EPARSE;
        }
        tok[n++] = (char)c;
    }
}

static void take_stat(struct ps__tsource *src, const struct stat *st)
{
    src->dev = st->st_dev;
    src->ino = st->st_ino;
    src->size = st->st_size;
    src->mtime = st->st_mtim;
    src->ctime = st->st_ctim;
}

/* Reads fd to its end into src->mem. */
static int slurp(int fd, struct ps__tsource *src)
{
    return ps__read_fd_all(fd, 0, &src->mem, &src->mem_len);
}

static int open_error(int code, const char *path, char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP];
    ps__terr(err, errlen, "file %s: %s", ps__tshow(buf, path, strlen(path)),
             code == PS_EISDIR ? "is a directory" : strerror(errno));
    return code;
}

int ps__tsource_open(const char *path, struct ps__tsource *src,
                     struct ps__treader *r, char *err, size_t errlen)
{
    memset(src, 0, sizeof *src);
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return open_error(ps__from_errno(errno), path, err, errlen);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int rc = open_error(ps__from_errno(errno), path, err, errlen);
        if (!is_stdin)
            close(fd);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        if (!is_stdin)
            close(fd);
        return open_error(PS_EISDIR, path, err, errlen);
    }
    src->path = strdup(path);
    if (!src->path) {
        if (!is_stdin)
            close(fd);
        ps__terr(err, errlen, "out of memory");
        return PS_ENOMEM;
    }
    if (is_stdin || !S_ISREG(st.st_mode)) {
        /* A pipe cannot be read twice: keep its text. */
        int rc = slurp(fd, src);
        int saved = errno;
        if (!is_stdin)
            close(fd);
        if (rc) {
            errno = saved;
            free(src->path);
            src->path = NULL;
            return rc == PS_ENOMEM ? (ps__terr(err, errlen, "out of memory"), rc)
                                   : open_error(rc, path, err, errlen);
        }
        ps__treader_mem(r, src->mem, src->mem_len);
        return 0;
    }
    take_stat(src, &st);
    int rc = ps__treader_fd(r, fd);
    if (rc) {
        ps__tsource_free(src);
        ps__terr(err, errlen, "out of memory");
    }
    return rc;
}

int ps__tsource_reopen(const struct ps__tsource *src, struct ps__treader *r,
                       char *msg, size_t msglen)
{
    char buf[PS__SHOW_CAP];
    if (src->mem || strcmp(src->path, "-") == 0) {
        ps__treader_mem(r, src->mem ? src->mem : "", src->mem_len);
        return 0;
    }
    ps__tshow(buf, src->path, strlen(src->path));
    int fd = open(src->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int rc = ps__from_errno(errno);
        ps__terr(msg, msglen, "file %s: %s (it was readable when checked)",
                 buf, strerror(errno));
        return rc;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_dev != src->dev || st.st_ino != src->ino ||
        st.st_size != src->size || st.st_mtim.tv_sec != src->mtime.tv_sec ||
        st.st_mtim.tv_nsec != src->mtime.tv_nsec ||
        st.st_ctim.tv_sec != src->ctime.tv_sec ||
        st.st_ctim.tv_nsec != src->ctime.tv_nsec) {
        close(fd);
        ps__terr(msg, msglen, "file %s: changed since it was checked", buf);
        return PS_ESTALE;
    }
    int rc = ps__treader_fd(r, fd);
    if (rc)
        ps__terr(msg, msglen, "out of memory");
    return rc;
}

void ps__tsource_free(struct ps__tsource *src)
{
    if (!src)
        return;
    free(src->path);
    free(src->mem);
    memset(src, 0, sizeof *src);
}
