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

struct ps_logger {
    /* Called once per message. msg has no trailing newline and is valid only
     * during the call. Must not call back into the object that logged. */
    void (*fn)(void *user, enum ps_log_level level, const char *msg);
    void *user;               /* passed back to fn untouched */
    enum ps_log_level max;    /* messages above this level are not formatted */
};

#endif
