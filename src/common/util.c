#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/internal.h"

void ps__log(const struct ps_logger *log, enum ps_log_level level,
             const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (!log || !log->fn || level > log->max)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log->fn(log->user, level, msg);
}

int ps__from_errno(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return PS_ENOENT;
    case EACCES:
    case EPERM:
        return PS_EACCES;
    case ENOMEM:
        return PS_ENOMEM;
    case EINVAL:
        return PS_EINVAL;
    default:
        return PS_EIO;
    }
}

/* Grows the buffer geometrically because files under /proc report size 0
 * and pipes report none at all. */
int ps__read_fd_all(int fd, size_t hint, char **data, size_t *len)
{
    size_t cap = hint + 1 > 4096 ? hint + 1 : 4096, used = 0;
    char *buf = malloc(cap + 1);

    if (!buf)
        return PS_ENOMEM;
    for (;;) {
        if (used == cap) {
            char *bigger = cap > SIZE_MAX / 4 ? NULL : realloc(buf, cap * 2 + 1);
            if (!bigger) {
                free(buf);
                return PS_ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int rc = ps__from_errno(errno);
            free(buf);
            return rc;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return 0;
}

int ps__read_file(const char *path, char **data, size_t *len, struct stat *out)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return ps__from_errno(errno);
    if (fstat(fd, &st) != 0) {
        close(fd);
        return PS_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return PS_EISDIR;
    }
    if (out)
        *out = st;
    int rc = ps__read_fd_all(fd, st.st_size > 0 ? (size_t)st.st_size : 0, data, len);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

struct ps__arena_chunk {
    struct ps__arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define ARENA_CHUNK (64u * 1024u)

void *ps__arena_alloc(struct ps__arena *a, size_t size)
{
    struct ps__arena_chunk *c = a->head;
    size_t align = sizeof(max_align_t);

    size = (size + align - 1) / align * align;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

char *ps__arena_strndup(struct ps__arena *a, const char *s, size_t len)
{
    char *p = ps__arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void ps__arena_free(struct ps__arena *a)
{
    struct ps__arena_chunk *c = a->head;
    while (c) {
        struct ps__arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

int ps__strcaseeq(const char *a, const char *b)
{
    while (*a && ps__lower((unsigned char)*a) == ps__lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

const char *ps__strcasestr(const char *hay, const char *needle, size_t nlen)
{
    if (nlen == 0)
        return hay;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < nlen && hay[i] &&
               ps__lower((unsigned char)hay[i]) == (unsigned char)needle[i])
            i++;
        if (i == nlen)
            return hay;
    }
    return NULL;
}

void *ps__grow_array(void *v, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 16;

    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return NULL;
        n *= 2;
    }
    if (n == *cap)
        return v;
    void *p = realloc(v, n * elem);
    if (p)
        *cap = n;
    return p;
}
