/* The /proc/net/{tcp,tcp6,udp,udp6} tables: the fallback when sock_diag is
 * missing or refused. The text comes from the kernel's seq_file printers
 * (tcp4_seq_show, udp4_format_sock and their IPv6 twins): one header line,
 * then one socket per line,
 *
 *   sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
 *
 * with addresses as 32-bit words printed in host byte order and ports as
 * host-order hex. A line that does not fit that shape is skipped: the
 * fallback must never fail because one row looks odd. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/internal.h"
#include "sockets/sock_internal.h"

/* A view of one line; tokens are separated by spaces or tabs. */
struct cursor {
    const char *p, *end;
};

struct token {
    const char *s;
    size_t n;
};

static bool next_token(struct cursor *c, struct token *t)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
    t->s = c->p;
    while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\r')
        c->p++;
    t->n = (size_t)(c->p - t->s);
    return t->n > 0;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* 1 to 8 hex digits, exactly n of them. */
static bool hex_u32(const char *s, size_t n, uint32_t *v)
{
    uint32_t x = 0;

    if (n == 0 || n > 8)
        return false;
    for (size_t i = 0; i < n; i++) {
        int d = hex_digit(s[i]);
        if (d < 0)
            return false;
        x = x << 4 | (uint32_t)d;
    }
    *v = x;
    return true;
}

static bool dec_u64(const struct token *t, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;

    if (t->n == 0 || t->n > 20)
        return false;
    for (size_t i = 0; i < t->n; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return false;
        unsigned d = (unsigned)(t->s[i] - '0');
        if (x > (max - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

/* "0100007F:0016" or 32 hex digits and a port. Each 8-digit word is the
 * value of one __be32 as the kernel's CPU read it, so storing the parsed
 * word in host order gives back the network-order bytes. */
static bool parse_endpoint(const struct token *t, int *family, uint8_t *addr,
                           uint16_t *port)
{
    const char *colon = memchr(t->s, ':', t->n);
    uint32_t word, p;

    if (!colon)
        return false;
    size_t alen = (size_t)(colon - t->s), words = alen / 8;
    if (alen != 8 && alen != 32)
        return false;
    for (size_t i = 0; i < words; i++) {
        if (!hex_u32(t->s + 8 * i, 8, &word))
            return false;
        memcpy(addr + 4 * i, &word, sizeof word);
    }
    if (!hex_u32(colon + 1, t->n - alen - 1, &p) || p > UINT16_MAX)
        return false;
    *family = alen == 8 ? AF_INET : AF_INET6;
    *port = (uint16_t)p;
    return true;
}

/* "00000000:00000000", the transmit and receive queues. */
static bool parse_queues(const struct token *t, uint32_t *tx, uint32_t *rx)
{
    const char *colon = memchr(t->s, ':', t->n);

    if (!colon)
        return false;
    size_t n = (size_t)(colon - t->s);
    return hex_u32(t->s, n, tx) && hex_u32(colon + 1, t->n - n - 1, rx);
}

/* Fills s from one table row; false if the row is malformed. */
static bool parse_row(struct cursor *c, struct ps_socket *s)
{
    struct token t;
    uint32_t state, tx, rx;
    uint64_t uid, inode;
    int rfamily;

    /* "sl" is a decimal slot number and a colon. */
    if (!next_token(c, &t) || t.s[t.n - 1] != ':')
        return false;
    if (!next_token(c, &t) || !parse_endpoint(&t, &s->family, s->local, &s->local_port))
        return false;
    if (!next_token(c, &t) || !parse_endpoint(&t, &rfamily, s->peer, &s->peer_port) ||
        rfamily != s->family)
        return false;
    if (!next_token(c, &t) || !hex_u32(t.s, t.n, &state) || t.n > 2)
        return false;
    if (!next_token(c, &t) || !parse_queues(&t, &tx, &rx))
        return false;
    /* tr:tm->when and retrnsmt only need to be there. */
    if (!next_token(c, &t) || !next_token(c, &t))
        return false;
    if (!next_token(c, &t) || !dec_u64(&t, UINT32_MAX, &uid))
        return false;
    if (!next_token(c, &t)) /* timeout */
        return false;
    if (!next_token(c, &t) || !dec_u64(&t, UINT64_MAX, &inode))
        return false;
    s->state = (enum ps_sock_state)state;
    s->uid = (uint32_t)uid;
    s->inode = inode;
    s->rqueue = rx;
    s->wqueue = tx;
    return true;
}

/* Parses into a scratch record first, so a skipped row costs no push. */
static int add_row(const char *line, const char *end, enum ps_proto proto,
                   const struct ps_sock_query *q, struct ps_socket_list *out)
{
    struct cursor c = {line, end};
    struct ps_socket s = {0};

    if (!parse_row(&c, &s) || !ps__sock_query_match(q, proto, s.family, s.state))
        return 0;
    s.proto = proto;
    struct ps_socket *slot = ps__socket_list_push(out);
    if (!slot)
        return PS_ENOMEM;
    *slot = s;
    return 0;
}

int ps_sockets_parse_proc(const char *text, size_t len, enum ps_proto proto,
                          const struct ps_sock_query *q,
                          struct ps_socket_list *out)
{
    static const char header[] = "local_address";

    if (!out)
        return PS_EINVAL;
    if (!text || len == 0)
        return PS_EPARSE;
    const char *end = text + len;
    const char *nl = memchr(text, '\n', len);
    const char *line_end = nl ? nl : end;
    if (!memmem(text, (size_t)(line_end - text), header, sizeof header - 1))
        return PS_EPARSE;
    for (const char *p = line_end; p < end; p = line_end) {
        p++; /* past the '\n' */
        nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        line_end = nl ? nl : end;
        int rc = add_row(p, line_end, proto, q, out);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const struct proc_table {
    enum ps_proto proto;
    unsigned family;   /* PS_SOCK_IPV4 or PS_SOCK_IPV6 */
    const char *name;
} proc_tables[] = {
    {PS_PROTO_TCP, PS_SOCK_IPV4, "tcp"},
    {PS_PROTO_TCP, PS_SOCK_IPV6, "tcp6"},
    {PS_PROTO_UDP, PS_SOCK_IPV4, "udp"},
    {PS_PROTO_UDP, PS_SOCK_IPV6, "udp6"},
};

/* Reads one table. A missing file is not an error here (IPv6 may be off);
 * the caller decides once it knows whether any table was there. */
static int read_table(const char *root, const struct proc_table *t,
                      const struct ps_sock_query *q, struct ps_socket_list *out,
                      const struct ps_logger *log, bool *missing)
{
    char path[PATH_MAX];
    char *text = NULL;
    size_t len = 0;

    if (snprintf(path, sizeof path, "%s/net/%s", root, t->name) >= (int)sizeof path)
        return PS_EIO;
    int rc = ps__read_file(path, &text, &len, NULL);
    *missing = rc == PS_ENOENT;
    if (rc == PS_ENOENT) {
        ps__log(log, PS_LOG_DEBUG, "%s: not present; skipped", path);
        return 0;
    }
    if (rc < 0) {
        ps__log(log, PS_LOG_WARN, "%s: %s", path, ps_strerror(rc));
        return rc == PS_ENOMEM || rc == PS_EACCES ? rc : PS_EIO;
    }
    rc = ps_sockets_parse_proc(text, len, t->proto, q, out);
    free(text);
    if (rc == PS_EPARSE) {
        ps__log(log, PS_LOG_WARN, "%s: no header line; not a socket table", path);
        return PS_EIO;
    }
    return rc;
}

int ps_sockets_dump_proc(const struct ps_sock_query *q, const char *proc_root,
                         struct ps_socket_list *out, const struct ps_logger *log)
{
    size_t wanted = 0, missing = 0;

    if (!out)
        return PS_EINVAL;
    if (!q)
        q = &ps__sock_query_all;
    if (!proc_root)
        proc_root = "/proc";
    for (size_t i = 0; i < sizeof proc_tables / sizeof proc_tables[0]; i++) {
        const struct proc_table *t = &proc_tables[i];
        bool gone = false;
        if (!(q->protos & 1u << t->proto) || !(q->families & t->family))
            continue;
        wanted++;
        int rc = read_table(proc_root, t, q, out, log, &gone);
        if (rc < 0)
            return rc;
        missing += gone;
    }
    if (wanted > 0 && missing == wanted) {
        ps__log(log, PS_LOG_WARN, "%s/net: no socket table to read", proc_root);
        return PS_EIO;
    }
    return 0;
}
