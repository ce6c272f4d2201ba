/* The syntax of one target specification: IPv4 and IPv6 literals, CIDR
 * blocks, nmap octet ranges and hostnames (targets_int.h). The sets they
 * name are in targets_set.c. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "scan/targets_int.h"

#define SHOW_BYTES 64u

void ps__terr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    if (n < 0)
        err[0] = '\0';
}

const char *ps__tshow(char *buf, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == SHOW_BYTES) {
            memcpy(buf + o, "...", 4);
            return buf;
        }
        if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(buf + o, PS__SHOW_CAP - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
    return buf;
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

/* ---- Parsing ------------------------------------------------------------ */

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    c = ps__lower(c);
    return c >= 'a' && c <= 'z';
}

/* A run of decimal digits at *p, capped at 9999 so a long number is still
 * "above". Returns the number of digits read. */
static size_t read_num(const char **p, const char *end, unsigned *v)
{
    const char *start = *p;
    unsigned n = 0;
    for (; *p < end && is_digit((unsigned char)**p); (*p)++) {
        n = n * 10 + (unsigned)(**p - '0');
        if (n > 9999)
            n = 9999;
    }
    *v = n;
    return (size_t)(*p - start);
}

/* Octet number idx (1-4) from f[0..len) into o->map[idx - 1]. */
static int parse_octet(const char *spec, int idx, const char *f, size_t len,
                       struct ps__octets *o, char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP], buf2[PS__SHOW_CAP];
    const char *p = f, *end = f + len;
    ps__tshow(buf, spec, strlen(spec));
    if (len == 0) {
        ps__terr(err, errlen, "%s: octet %d is empty", buf, idx);
        return PS_EPARSE;
    }
    for (;;) {
        const char *item = p;
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *iend = comma ? comma : end;
        unsigned lo = 0, hi = 255;
        if (iend == item) {
            ps__terr(err, errlen, "%s: octet %d has an empty item", buf, idx);
            return PS_EPARSE;
        }
        if (iend - item == 1 && *item == '*') {
            p = iend;
        } else {
            size_t nlo = read_num(&p, iend, &lo);
            int dash = p < iend && *p == '-';
            size_t nhi = 0;
            if (dash) {
                p++;
                nhi = read_num(&p, iend, &hi);
            }
            if (p != iend || (!nlo && !dash)) {
                ps__terr(err, errlen, "%s: octet %d: '%s' is not a number "
                         "or range (0-255, a-b, *)", buf, idx,
                         ps__tshow(buf2, item, (size_t)(iend - item)));
                return PS_EPARSE;
            }
            if (!dash)
                hi = lo;
            if (!nhi && dash)
                hi = 255;
            if (lo > 255 || hi > 255) {
                ps__terr(err, errlen, "%s: octet %d is above 255", buf, idx);
                return PS_ERANGE;
            }
            if (lo > hi) {
                ps__terr(err, errlen, "%s: octet %d has a reversed range "
                         "%u-%u", buf, idx, lo, hi);
                return PS_ERANGE;
            }
        }
        ps__oct_add(o, idx - 1, lo, hi);
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static int parse_ipv4(const char *spec, const char *a, size_t alen, int prefix,
                      struct ps__tspec *out, char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP];
    ps__tshow(buf, spec, strlen(spec));
    int dots = 0, ranges = 0;
    for (size_t i = 0; i < alen; i++) {
        dots += a[i] == '.';
        ranges += a[i] == ',' || a[i] == '-' || a[i] == '*';
    }
    if (dots != 3) {
        ps__terr(err, errlen, "%s: expected 4 octets separated by dots, "
                 "found %d", buf, dots + 1);
        return PS_EPARSE;
    }
    const char *p = a, *end = a + alen;
    for (int idx = 1; idx <= 4; idx++) {
        const char *dot = idx < 4 ? memchr(p, '.', (size_t)(end - p)) : end;
        int rc = parse_octet(spec, idx, p, (size_t)(dot - p), &out->oct, err,
                             errlen);
        if (rc)
            return rc;
        p = dot + 1;
    }
    ps__tspec_octets_done(out);
    if (prefix < 0)
        return 0;
    if (ranges) {
        ps__terr(err, errlen, "%s: a prefix length cannot follow octet "
                 "ranges", buf);
        return PS_EPARSE;
    }
    struct ps_ip ip;
    ps__trange_ip(&out->range, out->range.lo, &ip);
    return ps__tspec_from_ip(&ip, prefix, spec, out, err, errlen);
}

int ps__tspec_from_ip(const struct ps_ip *ip, int prefix, const char *spec,
                      struct ps__tspec *out, char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP];
    struct ps__trange r;
    memset(&r, 0, sizeof r);
    r.family = ip->family;
    int low_bits; /* prefix bits that fall in the low 32 */
    if (ip->family == AF_INET) {
        if (prefix > 32) {
            ps__terr(err, errlen, "%s: prefix length above 32",
                     ps__tshow(buf, spec, strlen(spec)));
            return PS_EPARSE;
        }
        low_bits = prefix < 0 ? 32 : prefix;
        r.lo = be32(ip->bytes);
    } else {
        if (prefix > 128) {
            ps__terr(err, errlen, "%s: prefix length above 128",
                     ps__tshow(buf, spec, strlen(spec)));
            return PS_EPARSE;
        }
        if (prefix >= 0 && prefix < 96) {
            ps__terr(err, errlen, "%s: prefix /%d names more than 2^32 "
                     "addresses (an IPv6 block must be /96 or longer)",
                     ps__tshow(buf, spec, strlen(spec)), prefix);
            return PS_ERANGE;
        }
        low_bits = prefix < 0 ? 32 : prefix - 96;
        for (int i = 0; i < 3; i++)
            r.top[i] = be32(ip->bytes + 4 * i);
        r.lo = be32(ip->bytes + 12);
    }
    uint32_t mask = low_bits == 0 ? 0 : UINT32_MAX << (32 - low_bits);
    r.lo &= mask;
    r.hi = r.lo | ~mask;
    memset(out, 0, sizeof *out);
    out->kind = PS__TSPEC_RANGE;
    out->range = r;
    out->prefix = -1;
    return 0;
}

static int parse_ipv6(const char *spec, const char *a, size_t alen, int prefix,
                      struct ps__tspec *out, char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP], text[64];
    ps__tshow(buf, spec, strlen(spec));
    const char *zone = memchr(a, '%', alen);
    if (zone) {
        char zbuf[PS__SHOW_CAP];
        ps__terr(err, errlen, "%s: zone '%s' not supported (link-local "
                 "scopes cannot be scanned)", buf,
                 ps__tshow(zbuf, zone, (size_t)(a + alen - zone)));
        return PS_EPARSE;
    }
    struct ps_ip ip;
    memset(&ip, 0, sizeof ip);
    if (alen >= sizeof text) {
        ps__terr(err, errlen, "%s: not a valid IPv6 address", buf);
        return PS_EPARSE;
    }
    memcpy(text, a, alen);
    text[alen] = '\0';
    if (inet_pton(AF_INET6, text, ip.bytes) != 1) {
        ps__terr(err, errlen, "%s: not a valid IPv6 address", buf);
        return PS_EPARSE;
    }
    ip.family = AF_INET6;
    return ps__tspec_from_ip(&ip, prefix, spec, out, err, errlen);
}

/* RFC 1123 names, with '_' allowed (as resolvers do) and one trailing
 * dot; the last label may not be all digits (that is an address). */
static int valid_hostname(const char *a, size_t alen)
{
    if (alen && a[alen - 1] == '.')
        alen--;
    if (alen == 0 || alen > 253)
        return 0;
    size_t label = 0;
    int digits_only = 1;
    for (size_t i = 0; i <= alen; i++) {
        int c = i < alen ? (unsigned char)a[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63 || a[i - 1] == '-')
                return 0;
            if (i == alen && digits_only)
                return 0;
            label = 0;
            digits_only = 1;
            continue;
        }
        if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_')
            return 0;
        if (label == 0 && c == '-')
            return 0;
        if (!is_digit(c))
            digits_only = 0;
        label++;
    }
    return 1;
}

static int parse_host(const char *spec, const char *a, size_t alen, int prefix,
                      unsigned flags, struct ps__tspec *out, char *err,
                      size_t errlen)
{
    char buf[PS__SHOW_CAP];
    ps__tshow(buf, spec, strlen(spec));
    if (!valid_hostname(a, alen)) {
        ps__terr(err, errlen, "%s: not a valid address or hostname", buf);
        return PS_EPARSE;
    }
    if (flags & PS_TARGETS_NO_RESOLVE) {
        ps__terr(err, errlen, "%s: hostnames are not accepted here (name "
                 "resolution is off)", buf);
        return PS_EUNSUPP;
    }
    int v6 = (flags & PS_TARGETS_PREFER_V6) != 0;
    if (prefix > (v6 ? 128 : 32)) {
        ps__terr(err, errlen, "%s: prefix length above %d", buf, v6 ? 128 : 32);
        return PS_EPARSE;
    }
    if (v6 && prefix >= 0 && prefix < 96) {
        ps__terr(err, errlen, "%s: prefix /%d names more than 2^32 addresses "
                 "(an IPv6 block must be /96 or longer)", buf, prefix);
        return PS_ERANGE;
    }
    out->kind = PS__TSPEC_HOST;
    out->prefix = prefix;
    out->name = a;
    return 0;
}

int ps__tspec_parse(const char *text, unsigned flags, struct ps__tspec *out,
                    char *err, size_t errlen)
{
    char buf[PS__SHOW_CAP], buf2[PS__SHOW_CAP];
    size_t len = strlen(text);
    memset(out, 0, sizeof *out);
    out->prefix = -1;
    if (len == 0) {
        ps__terr(err, errlen, "empty target specification");
        return PS_EPARSE;
    }
    ps__tshow(buf, text, len);
    if (len > PS__TSPEC_MAX) {
        ps__terr(err, errlen, "%s: longer than %u characters", buf,
                 PS__TSPEC_MAX);
        return PS_EPARSE;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c <= 0x20 || c >= 0x7f) {
            ps__terr(err, errlen, "%s: unexpected character '%s'", buf,
                     ps__tshow(buf2, text + i, 1));
            return PS_EPARSE;
        }
    }

    size_t alen = len;
    int prefix = -1;
    const char *slash = strchr(text, '/');
    if (slash) {
        const char *p = slash + 1;
        unsigned v;
        size_t nd = read_num(&p, text + len, &v);
        if (nd == 0 || p != text + len) {
            ps__terr(err, errlen, "%s: bad prefix length '%s' (expected a "
                     "number after '/')", buf,
                     ps__tshow(buf2, slash + 1, strlen(slash + 1)));
            return PS_EPARSE;
        }
        /* Above 128 (or 32) is refused by the family's own check. */
        prefix = (int)v;
        alen = (size_t)(slash - text);
        if (alen == 0) {
            ps__terr(err, errlen, "%s: no address before the prefix length",
                     buf);
            return PS_EPARSE;
        }
    }

    if (memchr(text, ':', alen) || memchr(text, '%', alen))
        return parse_ipv6(text, text, alen, prefix, out, err, errlen);
    int octets = 1;
    for (size_t i = 0; i < alen && octets; i++)
        octets = is_digit((unsigned char)text[i]) || strchr(".,-*", text[i]);
    if (octets)
        return parse_ipv4(text, text, alen, prefix, out, err, errlen);
    return parse_host(text, text, alen, prefix, flags, out, err, errlen);
}
