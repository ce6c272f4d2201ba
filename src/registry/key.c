/* Parser for lookup keys as people type them: "22", "6881-6999", "ssh",
 * "53/udp", "udp/53", "domain/udp". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "registry/internal.h"

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    PS__PRINTF(4, 5);

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;
    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(char c)
{
    return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '+' || c == ':' ||
           c == '*';
}

/* Reads digits at *s into *v. Returns the number of digits, with *v capped
 * just above the port range so long inputs cannot overflow. */
static size_t read_number(const char *s, size_t len, unsigned long *v)
{
    size_t i = 0;
    *v = 0;
    while (i < len && is_digit(s[i])) {
        if (*v <= PS_PORT_MAX)
            *v = *v * 10 + (unsigned long)(s[i] - '0');
        i++;
    }
    return i;
}

static int parse_port_part(const char *s, size_t len, struct ps_key *key,
                           char *err, size_t errlen)
{
    unsigned long lo, hi;
    size_t n = read_number(s, len, &lo);

    if (n == len || (n < len && s[n] == '-' && n + 1 < len &&
                     read_number(s + n + 1, len - n - 1, &hi) == len - n - 1)) {
        if (n == len)
            hi = lo;
        if (lo > PS_PORT_MAX)
            return fail(err, errlen, PS_ERANGE,
                        "port %.*s is out of range (0-65535)", (int)n, s);
        if (hi > PS_PORT_MAX)
            return fail(err, errlen, PS_ERANGE,
                        "port %.*s is out of range (0-65535)",
                        (int)(len - n - 1), s + n + 1);
        if (lo > hi)
            return fail(err, errlen, PS_ERANGE,
                        "range %.*s is reversed: the first port must not be "
                        "above the last", (int)len, s);
        key->kind = PS_KEY_PORT;
        key->port = (uint16_t)lo;
        key->port_end = (uint16_t)hi;
        return 0;
    }
    if (n + 1 == len && s[n] == '-')
        return fail(err, errlen, PS_EPARSE,
                    "range %.*s has no last port", (int)len, s);
    /* Starts like a number: a name only if a service is really called so. */
    key->suspect = 1;
    snprintf(key->suspect_msg, sizeof key->suspect_msg,
             "not a number: trailing junk '%.*s' after %.*s",
             (int)(len - n > 40 ? 40 : len - n), s + n, (int)n, s);
    return 1;
}

static int parse_main(const char *s, size_t len, struct ps_key *key, char *err,
                      size_t errlen)
{
    if (len == 0)
        return fail(err, errlen, PS_EPARSE, "empty port or service name");
    if (is_digit(s[0])) {
        int rc = parse_port_part(s, len, key, err, errlen);
        if (rc <= 0)
            return rc;
    }
    for (size_t i = 0; i < len; i++)
        if (!is_name_char(s[i]) || (i == 0 && !is_alnum(s[0])))
            return fail(err, errlen, PS_EPARSE,
                        "'%.*s' is not a port, a range or a service name "
                        "(unexpected '%c')", (int)len, s, s[i]);
    if (len > PS_NAME_MAX)
        return fail(err, errlen, PS_EPARSE,
                    "service name is longer than %u characters", PS_NAME_MAX);
    key->kind = PS_KEY_NAME;
    memcpy(key->name, s, len);
    key->name[len] = '\0';
    return 0;
}

int ps_key_parse(const char *text, struct ps_key *key, char *err, size_t errlen)
{
    memset(key, 0, sizeof *key);
    key->proto = PS_PROTO_ANY;
    if (err && errlen)
        err[0] = '\0';
    if (!text)
        return fail(err, errlen, PS_EINVAL, "no key");

    size_t len = strlen(text);
    const char *slash = memchr(text, '/', len);
    if (!slash)
        return parse_main(text, len, key, err, errlen);
    if (memchr(slash + 1, '/', len - (size_t)(slash - text) - 1))
        return fail(err, errlen, PS_EPARSE, "more than one '/'");

    size_t left = (size_t)(slash - text), right = len - left - 1;
    /* Either order: "53/udp" or "udp/53". */
    if (ps_proto_parse(slash + 1, right, &key->proto) == 0)
        return parse_main(text, left, key, err, errlen);
    if (ps_proto_parse(text, left, &key->proto) == 0)
        return parse_main(slash + 1, right, key, err, errlen);
    /* Blame the side that is not a port number ("xyz/53" names xyz). */
    bool right_is_port = right > 0 && is_digit(slash[1]);
    const char *bad = right_is_port ? text : slash + 1;
    size_t bad_len = right_is_port ? left : right;
    return fail(err, errlen, PS_EPARSE,
                "unknown transport '%.*s' (expected tcp, udp, sctp, dccp or ddp)",
                (int)(bad_len > 20 ? 20 : bad_len), bad);
}
