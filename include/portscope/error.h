/* Error codes shared by every libportscope function.
 *
 * A function that can fail returns 0 (or a count) on success and a negative
 * PS_E* code on failure. Detail goes to the caller's logger (log.h); the code
 * alone is enough to decide what to do next. */
#ifndef PORTSCOPE_ERROR_H
#define PORTSCOPE_ERROR_H

/* One table generates the enum, ps_strerror() and ps_err_name(). */
#define PS_ERRNO_MAP(X)                                                        \
    X(NOMEM, "out of memory")                                                  \
    X(INVAL, "invalid argument")                                               \
    X(RANGE, "value out of range")                                             \
    X(PARSE, "malformed input")                                                \
    X(IO, "input/output error")                                                \
    X(NOENT, "no such file or entry")                                          \
    X(ACCES, "permission denied")                                              \
    X(LIMIT, "internal limit reached")                                         \
    X(STATE, "call not valid in this state")                                   \
    X(UNSUPP, "not supported")                                                 \
    X(STALE, "snapshot out of date")                                           \
    X(ISDIR, "is a directory")

enum ps_error {
    PS_OK = 0,
#define PS__ERR_ENUM(name, msg) PS_E##name,
    PS__ERR_FIRST = -100,
    PS_ERRNO_MAP(PS__ERR_ENUM)
#undef PS__ERR_ENUM
    PS__ERR_END
};

/* A human-readable message for a return code; never NULL. Thread-safe. */
const char *ps_strerror(int code);

/* The symbolic name of a return code ("PS_ENOMEM"); never NULL. Thread-safe. */
const char *ps_err_name(int code);

#endif
