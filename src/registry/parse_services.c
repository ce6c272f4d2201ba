/* Parser for /etc/services syntax and nmap-services, which adds an open
 * frequency as the third field:
 *
 *   name  port/proto  [aliases...]  [# comment]
 *   name  port/proto  frequency     [# comment]        (nmap)
 *
 * The comment becomes the description. Parsing is in place: the buffer is
 * owned by the registry, so separators become NULs and records point into
 * it without copies, which keeps loading nmap-services (27,000 lines) fast. */
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* As glibc's parser: a name is any run of printable characters other than
 * white space and '#' (IANA has names such as "sql*net" and "914c/g"). */
static bool is_name_char(char c)
{
    return (unsigned char)c > ' ' && (unsigned char)c < 0x7f && c != '#';
}

/* Splits the next whitespace-separated token off *p (stopping at '#'). */
static char *next_token(char **p, size_t *len)
{
    char *s = *p;
    while (is_space(*s))
        s++;
    if (*s == '\0' || *s == '#') {
        *p = s;
        return NULL;
    }
    char *t = s;
    while (*s && !is_space(*s) && *s != '#')
        s++;
    *len = (size_t)(s - t);
    *p = s;
    return t;
}

/* "22/tcp" -> port, proto. Returns NULL on success or why it failed. */
static const char *parse_port_proto(const char *t, size_t len, unsigned *port,
                                    enum ps_proto *proto)
{
    size_t i = 0;
    unsigned v = 0;
    while (i < len && t[i] >= '0' && t[i] <= '9') {
        v = v * 10 + (unsigned)(t[i] - '0');
        if (v > PS_PORT_MAX)
            return "port number above 65535";
        i++;
    }
    if (i == 0)
        return "second field is not PORT/PROTO";
    if (i == len || t[i] != '/')
        return "port number has no /protocol";
    if (ps_proto_parse(t + i + 1, len - i - 1, proto))
        return "unknown protocol";
    *port = v;
    return NULL;
}

static bool parse_frequency(const char *t, size_t len, float *out)
{
    char buf[32], *end;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, t, len);
    buf[len] = '\0';
    double f = strtod(buf, &end);
    if (*end || !(f >= 0.0 && f <= 1.0))
        return false;
    *out = (float)f;
    return true;
}

static void description_of(char *p, struct ps__entry *e)
{
    while (is_space(*p))
        p++;
    if (*p != '#')
        return;
    p++;
    while (is_space(*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && is_space(p[n - 1]))
        n--;
    p[n] = '\0';
    e->desc = p;
    e->desc_len = n;
}

/* The one reason that is not about the line: loading must stop. */
static const char out_of_memory[] = "out of memory";

/* Parses one line (NUL-terminated, no newline). Returns NULL when the line
 * was used or blank, or a reason to skip it. */
static const char *parse_line(struct ps_registry *reg, size_t src, char *line,
                              bool nmap)
{
    struct ps__entry e = {.frequency = -1, .stable = true};
    char *p = line, *tok, *name_end;
    size_t len;

    if (!(tok = next_token(&p, &len)))
        return NULL; /* blank or comment */
    for (size_t i = 0; i < len; i++)
        if (!is_name_char(tok[i]))
            return "service name has a character not allowed in names";
    if (len > PS_NAME_MAX)
        return "service name longer than 63 characters";
    e.name = tok;
    e.name_len = len;
    name_end = tok + len;
    if (!(tok = next_token(&p, &len)))
        return "no PORT/PROTO field";
    const char *why = parse_port_proto(tok, len, &e.port, &e.proto);
    if (why)
        return why;
    e.port_end = e.port;
    char *tok_end[19] = {name_end, tok + len};
    size_t ends = 2;
    if (nmap) {
        if (!(tok = next_token(&p, &len)) || !parse_frequency(tok, len, &e.frequency))
            return "nmap frequency missing or not a number from 0 to 1";
        tok_end[ends++] = tok + len;
    }
    while (e.alias_count < 16 && (tok = next_token(&p, &len))) {
        if (len <= PS_NAME_MAX) {
            e.aliases[e.alias_count] = tok;
            e.alias_lens[e.alias_count++] = len;
            tok_end[ends++] = tok + len;
        }
    }
    while (next_token(&p, &len))
        ; /* aliases past the 16th are dropped */
    description_of(p, &e);
    for (size_t i = 0; i < ends; i++)
        *tok_end[i] = '\0'; /* after reading the comment: '#' may touch a token */

    if (nmap && ps__registry_put_frequency(reg, e.proto, e.port, e.frequency))
        return out_of_memory;
    if (nmap && strcmp(e.name, "unknown") == 0)
        return NULL; /* a frequency without a service name */
    return ps__registry_put(reg, src, &e) ? out_of_memory : NULL;
}

int ps__parse_services(struct ps_registry *reg, size_t src, char *data,
                       size_t len, bool nmap)
{
    char *p = data, *end = data + len;
    size_t line = 0;

    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        *stop = '\0';
        line++;
        /* A NUL inside the line would hide the rest: treat it as the end. */
        const char *why = parse_line(reg, src, p, nmap);
        if (why == out_of_memory)
            return PS_ENOMEM;
        if (why)
            ps__source_bad_line(reg, src, line, why);
        p = stop + 1;
    }
    reg->sources[src].lines = line;
    return 0;
}
