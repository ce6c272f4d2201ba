/* The parser of sock_diag dump replies: a pure function over bytes, so the
 * fuzzer can feed it anything. Headers and messages are copied out with
 * memcpy rather than cast in place, because a caller's buffer (a fuzzer's,
 * a file read at an odd offset) need not be aligned for struct nlmsghdr. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <string.h>
#include <sys/socket.h>

#include "common/internal.h"
#include "sockets/sock_internal.h"

/* Appends the socket one inet_diag_msg describes, if q wants it. */
static int add_socket(const unsigned char *payload, size_t len,
                      enum ps_proto proto, const struct ps_sock_query *q,
                      struct ps_socket_list *out)
{
    struct inet_diag_msg m;

    if (len < sizeof m)
        return PS_EPARSE;
    memcpy(&m, payload, sizeof m);
    if (!ps__sock_query_match(q, proto, m.idiag_family, m.idiag_state))
        return 0;
    struct ps_socket *s = ps__socket_list_push(out);
    if (!s)
        return PS_ENOMEM;
    /* inet_diag_sockid keeps addresses and ports in network order, as
     * struct ps_socket does for addresses. */
    size_t width = m.idiag_family == AF_INET6 ? 16 : 4;
    s->proto = proto;
    s->family = m.idiag_family;
    s->state = (enum ps_sock_state)m.idiag_state;
    memcpy(s->local, m.id.idiag_src, width);
    memcpy(s->peer, m.id.idiag_dst, width);
    s->local_port = ntohs(m.id.idiag_sport);
    s->peer_port = ntohs(m.id.idiag_dport);
    s->ifindex = m.id.idiag_if;
    s->uid = m.idiag_uid;
    s->inode = m.idiag_inode;
    s->rqueue = m.idiag_rqueue;
    s->wqueue = m.idiag_wqueue;
    return 0;
}

/* The int at the start of an NLMSG_ERROR or NLMSG_DONE payload. */
static int read_error(const unsigned char *payload, size_t len, int *err)
{
    if (len < sizeof *err)
        return PS_EPARSE;
    memcpy(err, payload, sizeof *err);
    return 0;
}

/* The errno a kernel error code stands for. Real codes are small negative
 * numbers; anything else (a hostile or corrupt buffer) becomes EIO rather
 * than overflowing on negation. */
static int errno_of(int code)
{
    return code < 0 && code > -4096 ? -code : EIO;
}

/* Handles one message whose length was already checked. Returns 0 to go
 * on, 1 at the end of the dump, or a PS_E* code. */
static int one_message(const struct nlmsghdr *h, const unsigned char *payload,
                       enum ps_proto proto, const struct ps_sock_query *q,
                       struct ps_socket_list *out, struct ps__diag_status *st)
{
    size_t len = h->nlmsg_len - NLMSG_HDRLEN;
    int err = 0;

    if (h->nlmsg_flags & NLM_F_DUMP_INTR)
        st->interrupted = true;
    switch (h->nlmsg_type) {
    case SOCK_DIAG_BY_FAMILY:
        return add_socket(payload, len, proto, q, out);
    case NLMSG_DONE:
        /* Kernels since 4.x put the dump's own result here; old ones may
         * send an empty payload, which means success. */
        if (len >= sizeof err && read_error(payload, len, &err) == 0 && err < 0) {
            st->error = errno_of(err);
            return PS_EIO;
        }
        return 1;
    case NLMSG_ERROR:
        if (read_error(payload, len, &err) != 0)
            return PS_EPARSE;
        if (err == 0)
            return 0; /* an acknowledgement, not a failure */
        st->error = errno_of(err);
        return PS_EIO;
    default:
        return 0; /* NLMSG_NOOP and types a newer kernel may add */
    }
}

int ps__sockets_parse_diag(const void *buf, size_t len, enum ps_proto proto,
                           const struct ps_sock_query *q,
                           struct ps_socket_list *out, struct ps__diag_status *st)
{
    const unsigned char *p = buf;
    struct ps__diag_status ignored;
    size_t off = 0;

    if (!st)
        st = &ignored;
    memset(st, 0, sizeof *st);
    if (!out)
        return PS_EINVAL;
    if (!buf && len)
        return PS_EPARSE;
    while (off < len) {
        struct nlmsghdr h;
        if (len - off < sizeof h)
            return PS_EPARSE;
        memcpy(&h, p + off, sizeof h);
        if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
            return PS_EPARSE;
        int rc = one_message(&h, p + off + NLMSG_HDRLEN, proto, q, out, st);
        if (rc != 0)
            return rc;
        /* In size_t, so a length near UINT32_MAX cannot wrap to zero; the
         * last message of a buffer may lack its padding. */
        size_t step = ((size_t)h.nlmsg_len + NLMSG_ALIGNTO - 1) &
                      ~(size_t)(NLMSG_ALIGNTO - 1);
        if (step >= len - off)
            break;
        off += step;
    }
    return 0;
}

int ps_sockets_parse_diag(const void *buf, size_t len, enum ps_proto proto,
                          const struct ps_sock_query *q,
                          struct ps_socket_list *out)
{
    return ps__sockets_parse_diag(buf, len, proto, q, out, NULL);
}
