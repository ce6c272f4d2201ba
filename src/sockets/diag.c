/* The live socket table, read from the kernel with a sock_diag dump
 * (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, struct inet_diag_req_v2): the
 * interface ss(8) uses. One request per (protocol, family) pair the query
 * names; each reply is handed to the same parser the fuzzer exercises
 * (diag_parse.c). A pair the kernel will not dump (no sock_diag at all,
 * EPERM in a sandbox, udp_diag not loaded) is read from /proc/net instead. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/internal.h"
#include "sockets/sock_internal.h"

/* The kernel fills at most about 32 KiB per datagram of a dump (see
 * netlink_dump(): max_recvmsg_len is capped there); twice that leaves room
 * for any page size and never truncates. Allocated once per dump, not per
 * message or per socket. */
#define DIAG_BUF_SIZE (64u * 1024u)

static const struct diag_pair {
    enum ps_proto proto;
    unsigned family_bit;     /* PS_SOCK_IPV4 or PS_SOCK_IPV6 */
    uint8_t family;          /* AF_INET or AF_INET6 */
    uint8_t ipproto;         /* IPPROTO_TCP or IPPROTO_UDP */
    const char *label;
} diag_pairs[] = {
    {PS_PROTO_TCP, PS_SOCK_IPV4, AF_INET, IPPROTO_TCP, "tcp"},
    {PS_PROTO_TCP, PS_SOCK_IPV6, AF_INET6, IPPROTO_TCP, "tcp6"},
    {PS_PROTO_UDP, PS_SOCK_IPV4, AF_INET, IPPROTO_UDP, "udp"},
    {PS_PROTO_UDP, PS_SOCK_IPV6, AF_INET6, IPPROTO_UDP, "udp6"},
};

static int send_request(struct mnl_socket *nl, const struct diag_pair *pr,
                        uint32_t states)
{
    union {
        struct nlmsghdr align;
        char bytes[NLMSG_SPACE(sizeof(struct inet_diag_req_v2))];
    } msg;
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg.bytes);

    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = 1;
    struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof *req);
    req->sdiag_family = pr->family;
    req->sdiag_protocol = pr->ipproto;
    /* Both use 1 << state (TCPF_* in the kernel), so the mask passes
     * through; no extensions are asked for, keeping each reply small. */
    req->idiag_states = states;
    return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

/* Reads datagrams until NLMSG_DONE. On failure *err holds the errno the
 * kernel or recvmsg gave, for the log. */
static int receive_dump(struct mnl_socket *nl, void *buf, enum ps_proto proto,
                        const struct ps_sock_query *q, struct ps_socket_list *out,
                        const struct ps_logger *log, int *err)
{
    bool told = false;

    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, buf, DIAG_BUF_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err = n < 0 ? errno : EIO;  /* ENOSPC: a datagram was truncated */
            return PS_EIO;
        }
        struct ps__diag_status st;
        int rc = ps__sockets_parse_diag(buf, (size_t)n, proto, q, out, &st);
        if (st.interrupted && !told) {
            ps__log(log, PS_LOG_DEBUG, "sock_diag: the table changed during the dump");
            told = true;
        }
        if (rc == 1)
            return 0;
        if (rc < 0) {
            *err = st.error ? st.error : EPROTO;
            return rc;
        }
    }
}

/* Dumps one pair on a socket of its own, so a dump abandoned halfway can
 * leave nothing behind for the next one. *no_socket tells the caller that
 * sock_diag itself is missing, not just this pair. */
static int dump_pair(const struct diag_pair *pr, const struct ps_sock_query *q,
                     void *buf, struct ps_socket_list *out,
                     const struct ps_logger *log, int *err, bool *no_socket)
{
    struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
    int rc;

    if (!nl) {
        *err = errno;
        *no_socket = true;
        return ps__from_errno(errno);
    }
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
        send_request(nl, pr, q->states) < 0) {
        *err = errno;
        rc = ps__from_errno(errno);
    } else {
        rc = receive_dump(nl, buf, pr->proto, q, out, log, err);
    }
    mnl_socket_close(nl);
    return rc;
}

/* Says once why /proc is read: for every pair when sock_diag is missing
 * (pr NULL), else for the one pair whose dump failed. */
static void log_fallback(const struct ps_logger *log, const struct diag_pair *pr,
                         int err, const char *proc_root)
{
    const char *root = proc_root ? proc_root : "/proc";

    if (!pr)
        ps__log(log, PS_LOG_INFO, "sock_diag unavailable (%s); reading %s/net instead",
                strerror(err), root);
    else
        ps__log(log, PS_LOG_INFO, "sock_diag dump of %s failed (%s); reading "
                "%s/net/%s instead", pr->label, strerror(err), root, pr->label);
}

/* Reads one pair's /proc/net table, after its netlink dump failed. */
static int fallback_pair(const struct diag_pair *pr, const struct ps_sock_query *q,
                         const char *proc_root, struct ps_socket_list *out,
                         const struct ps_logger *log)
{
    struct ps_sock_query one = {
        .protos = 1u << pr->proto,
        .families = pr->family_bit,
        .states = q->states,
    };
    return ps_sockets_dump_proc(&one, proc_root, out, log);
}

int ps_sockets_dump(const struct ps_sock_query *q, const char *proc_root,
                    struct ps_socket_list *out, const struct ps_logger *log)
{
    bool no_socket = false;
    int rc = 0;
    size_t fell_back = 0, missing = 0; /* pairs read from /proc, tables absent */

    if (!out)
        return PS_EINVAL;
    size_t first = out->count;
    if (!q)
        q = &ps__sock_query_all;
    void *buf = malloc(DIAG_BUF_SIZE);
    if (!buf)
        return PS_ENOMEM;
    for (size_t i = 0; i < sizeof diag_pairs / sizeof diag_pairs[0] && rc >= 0; i++) {
        const struct diag_pair *pr = &diag_pairs[i];
        if (!(q->protos & 1u << pr->proto) || !(q->families & pr->family_bit) ||
            q->states == 0)
            continue;
        size_t mark = out->count;
        int err = 0;
        if (!no_socket) {
            rc = dump_pair(pr, q, buf, out, log, &err, &no_socket);
            if (rc == 0 || rc == PS_ENOMEM)
                continue;
            /* Whatever the failed dump appended may be partial. */
            out->count = mark;
            log_fallback(log, no_socket ? NULL : pr, err, proc_root);
        }
        rc = fallback_pair(pr, q, proc_root, out, log);
        fell_back++;
        if (rc == PS_EIO) {
            /* That table is absent (IPv6 disabled, say): only when every
             * table is, is there nothing to read. */
            missing++;
            rc = 0;
        }
    }
    free(buf);
    if (rc == 0 && fell_back > 0 && missing == fell_back)
        rc = PS_EIO;
    if (rc >= 0)
        ps__sockets_name_ifaces(out, first);
    return rc < 0 ? rc : 0;
}
