/* Logging: the library prints nothing itself; it hands messages to a logger
 * the caller installs. A NULL logger, or one with a NULL callback, discards
 * every message. */
#ifndef PORTSCOPE_LOG_H
#define PORTSCOPE_LOG_H

enum ps_log_level {
    PS_LOG_ERROR,
    PS_LOG_WARN,
    PS_LOG_INFO,
    PS_LOG_DEBUG,
};

/* Threads: fn may be called from threads the library starts itself, not
 * only from the thread that called the library function. ps_owners_scan()
 * walks /proc with several threads, and each logs what it finds. The
 * library serializes its own calls from one such function call, so fn
 * never runs twice at once for that call; but it may run at the same time
 * as any other thread of the caller (one logging too, or a second library
 * call on another thread with the same logger). So fn and what it touches
 * through user must be thread-safe. Messages are cut at 1023 bytes. */
struct ps_logger {
    /* Called once per message. msg has no trailing newline and is valid only
     * during the call. Must not call back into the object that logged. */
    void (*fn)(void *user, enum ps_log_level level, const char *msg);
    void *user;               /* passed back to fn untouched */
    enum ps_log_level max;    /* messages above this level are not formatted */
};

#endif
