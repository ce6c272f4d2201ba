/* Helpers shared by every area of the library; never installed. */
#ifndef PS_COMMON_INTERNAL_H
#define PS_COMMON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "portscope/error.h"
#include "portscope/log.h"

#if defined(__GNUC__)
#define PS__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PS__PRINTF(f, a)
#endif

/* Formats and hands a message to the logger, if it wants that level. */
void ps__log(const struct ps_logger *log, enum ps_log_level level,
             const char *fmt, ...) PS__PRINTF(3, 4);

/* Maps an errno value to the closest PS_E* code. */
int ps__from_errno(int err);

struct stat;

/* Reads a whole file into a malloc'd buffer with a NUL after the last byte.
 * st, if not NULL, receives the file's status as read. Returns 0 or a PS_E*
 * code. */
int ps__read_file(const char *path, char **data, size_t *len, struct stat *st);
/* Reads fd to its end (hint: the expected size, or 0) into a malloc'd,
 * NUL-terminated buffer. Returns 0 or a PS_E* code. */
int ps__read_fd_all(int fd, size_t hint, char **data, size_t *len);
/* Grows an array of elem-sized items (doubling, from 16) so that it holds
 * at least need. Returns the (possibly moved) array with *cap updated, or
 * NULL without memory, the old array then untouched. */
void *ps__grow_array(void *v, size_t *cap, size_t need, size_t elem);

/* A bump allocator: many small objects, freed all at once. */
struct ps__arena {
    struct ps__arena_chunk *head;
};

void *ps__arena_alloc(struct ps__arena *a, size_t size);
char *ps__arena_strndup(struct ps__arena *a, const char *s, size_t len);
void ps__arena_free(struct ps__arena *a);

/* ASCII case-insensitive helpers that ignore the locale. */
static inline int ps__lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
int ps__strcaseeq(const char *a, const char *b);
/* Finds needle (already lower case, nlen bytes) in hay, ignoring case. */
const char *ps__strcasestr(const char *hay, const char *needle, size_t nlen);

#endif
