/* What list, who and audit share: reading the socket table and owners. */
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "cli/cli.h"

/* Dumps the sockets of the namespace the thread is in, then returns to
 * the one saved by ps_netns_enter() (saved < 0: none was entered). label
 * names the namespace in messages, or is NULL for our own. */
static int dump_and_leave(struct cli *cli, int saved, const char *label,
                          const struct ps_sock_query *q, struct ps_socket_list *list)
{
    int rc = ps_sockets_dump(q, cli->proc_root, list, &cli->log);
    if (saved >= 0 && ps_netns_leave(saved)) {
        cli_error(cli, "cannot return to the original network namespace");
        return EXIT_FAILURE_;
    }
    if (rc) {
        cli_error(cli, "cannot read the socket table%s%s: %s", label ? " of " : "",
                  label ? label : "", ps_strerror(rc));
        return EXIT_FAILURE_;
    }
    return EXIT_OK;
}

/* Dumps the sockets of one namespace (NULL: the current one). */
static int dump_in(struct cli *cli, const char *spec, const struct ps_sock_query *q,
                   struct ps_socket_list *list)
{
    int saved = -1, rc = spec ? ps_netns_enter(spec, NULL, &saved) : 0;
    if (rc) {
        cli_error(cli, "cannot enter network namespace %s: %s%s", spec, ps_strerror(rc),
                  rc == PS_EACCES ? " (needs root)" : "");
        return rc == PS_ENOENT || rc == PS_EINVAL ? EXIT_USAGE : EXIT_FAILURE_;
    }
    return dump_and_leave(cli, saved, spec, q, list);
}

static int add_span(struct cli *cli, size_t end, const char *label)
{
    struct cli_netns_span *grown =
        realloc(cli->netns_spans, (cli->netns_span_count + 1) * sizeof *grown);
    if (!grown)
        return EXIT_FAILURE_;
    cli->netns_spans = grown;
    grown[cli->netns_span_count].end = end;
    snprintf(grown[cli->netns_span_count++].label, sizeof grown->label, "%s", label);
    return EXIT_OK;
}

/* The inode of the calling thread's network namespace, or 0. */
static uint64_t own_netns(void)
{
    struct stat st;
    if (stat("/proc/thread-self/ns/net", &st) == 0 || stat("/proc/self/ns/net", &st) == 0)
        return (uint64_t)st.st_ino;
    return 0;
}

/* One namespace of --all-netns: our own is read where we are, without
 * entering it, which needs no privilege. A namespace that cannot be
 * entered is skipped: for lack of privilege it is counted in *denied, to
 * be reported once; otherwise (its process exited, a stale name) it is
 * reported now. */
static int dump_one_of_all(struct cli *cli, const struct ps_netns *ns, uint64_t self,
                           const struct ps_sock_query *q, struct ps_socket_list *list,
                           size_t *denied)
{
    int saved = -1, rc = 0;
    if (ns->inode != self && (rc = ps_netns_enter(ns->path, NULL, &saved))) {
        if (rc == PS_EACCES)
            (*denied)++;
        else
            cli_warn(cli, "skipped network namespace %s: %s", ns->name, ps_strerror(rc));
        return EXIT_OK;
    }
    int status = dump_and_leave(cli, saved, ns->name, q, list);
    return status ? status : add_span(cli, list->count, ns->name);
}

/* Every namespace in turn, each span of the list labelled with its name. */
static int dump_all(struct cli *cli, const struct ps_sock_query *q,
                    struct ps_socket_list *list)
{
    struct ps_netns *ns;
    size_t n, denied = 0;
    if (ps_netns_list(cli->proc_root, NULL, &ns, &n, &cli->log)) {
        cli_error(cli, "cannot list the network namespaces");
        return EXIT_FAILURE_;
    }
    uint64_t self = own_netns();
    int status = EXIT_OK;
    for (size_t i = 0; i < n && status == EXIT_OK; i++)
        status = dump_one_of_all(cli, &ns[i], self, q, list, &denied);
    free(ns);
    if (status == EXIT_OK && denied)
        cli_warn(cli, "skipped %zu network namespace%s: entering %s needs root "
                 "(CAP_SYS_ADMIN); only this one is listed", denied,
                 denied == 1 ? "" : "s", denied == 1 ? "it" : "them");
    return status;
}

const char *cli_netns_of(const struct cli *cli, size_t i)
{
    for (size_t k = 0; k < cli->netns_span_count; k++)
        if (i < cli->netns_spans[k].end)
            return cli->netns_spans[k].label;
    return NULL;
}

/* The owner walk reads /proc and the dump reads netlink: neither needs
 * the other, so they run side by side, the walk in a thread of its own
 * (it is the longer of the two on a busy host). */
struct owner_job {
    struct cli *cli;
    struct ps_owners *owners;
    int rc;
};

static void *owner_walk(void *arg)
{
    struct owner_job *job = arg;
    job->rc = ps_owners_scan(job->cli->proc_root, &job->owners, &job->cli->log);
    return NULL;
}

/* A walk that failed costs the owners, not the sockets: they are listed
 * without, and stderr says why. Only a --proc-root that names nothing is
 * the user's error. */
static int read_owners_result(struct cli *cli, struct owner_job *job,
                              struct ps_owners **owners)
{
    if (job->rc == PS_ENOENT) {
        cli_error(cli, "cannot read the owners of the sockets: %s: %s", cli->proc_root,
                  ps_strerror(job->rc));
        return EXIT_USAGE;
    }
    if (job->rc) {
        cli_warn(cli, "cannot read the owners of the sockets from %s: %s; they are "
                 "listed without owners", cli->proc_root,
                 job->rc == PS_ELIMIT ? "out of file descriptors" : ps_strerror(job->rc));
        return EXIT_OK;
    }
    *owners = job->owners;
    if (ps_owners_hidden(*owners))
        cli_warn(cli, "%zu process%s could not be inspected, so the owners of "
                 "their sockets are not shown%s", ps_owners_hidden(*owners),
                 ps_owners_hidden(*owners) == 1 ? "" : "es",
                 geteuid() ? "; run as root to see them" : "");
    return EXIT_OK;
}

int cli_read_sockets(struct cli *cli, const struct ps_sock_query *q,
                     struct ps_socket_list *list, struct ps_owners **owners,
                     bool owners_wanted)
{
    struct owner_job job = {.cli = cli};
    pthread_t walker;
    bool threaded = false;

    *owners = NULL;
    if (cli->netns && cli->all_netns) {
        cli_error(cli, "--netns and --all-netns cannot be used together");
        return EXIT_USAGE;
    }
    if (owners_wanted)
        threaded = pthread_create(&walker, NULL, owner_walk, &job) == 0;
    int status = cli->all_netns ? dump_all(cli, q, list)
                                : dump_in(cli, cli->netns, q, list);
    if (status == EXIT_OK && cli->netns && !cli->all_netns)
        status = add_span(cli, list->count, cli->netns);
    if (threaded)
        pthread_join(walker, NULL);
    else if (owners_wanted && status == EXIT_OK)
        owner_walk(&job); /* no thread to be had: walk now */
    if (status == EXIT_OK && owners_wanted)
        status = read_owners_result(cli, &job, owners);
    if (status) {
        if (!*owners)
            ps_owners_free(job.owners);
        *owners = NULL;
        ps_socket_list_clear(list);
    }
    return status;
}

const struct ps_process *cli_owner_of(const struct ps_owners *owners,
                                      const struct ps_socket *s)
{
    const struct ps_process *p = NULL;
    if (owners && s->inode)
        ps_owners_find(owners, s->inode, &p, 1);
    return p;
}

/* The name of uid, or the uid in decimal, from a small cache: a listing
 * has few distinct uids and a lookup may go through NSS. */
static const char *uid_name(uint32_t uid, char *buf, size_t len)
{
    static struct {
        uint32_t uid;
        char name[64];
    } cache[16];
    static size_t used, next;
    for (size_t i = 0; i < used; i++)
        if (cache[i].uid == uid)
            return snprintf(buf, len, "%s", cache[i].name), buf;
    struct passwd pw, *res = NULL;
    char pwbuf[4096];
    if (getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof pwbuf, &res) == 0 && res &&
        strlen(res->pw_name) < sizeof cache[0].name)
        snprintf(buf, len, "%s", res->pw_name);
    else
        snprintf(buf, len, "%u", (unsigned)uid);
    size_t slot = used < 16 ? used++ : next++ % 16;
    cache[slot].uid = uid;
    snprintf(cache[slot].name, sizeof cache[slot].name, "%s", buf);
    return buf;
}

const char *cli_user_of(const struct ps_process *p, const struct ps_socket *s, char *buf,
                        size_t len)
{
    if (p)
        return cli_printable(p->user, buf, len);
    if (!s->inode)
        return NULL; /* no file (TIME-WAIT): its uid means nothing */
    char name[64];
    return cli_printable(uid_name(s->uid, name, sizeof name), buf, len);
}

const char *cli_iface(const struct ps_socket *s, char *buf, size_t len)
{
    if (!s->ifindex)
        return NULL;
    if (s->ifname[0])
        snprintf(buf, len, "%.*s", (int)sizeof s->ifname, s->ifname);
    else
        snprintf(buf, len, "%u", (unsigned)s->ifindex); /* gone since the dump */
    return buf;
}

void cli_endpoint(const struct ps_socket *s, bool local, char *buf, size_t len)
{
    char a[64], ifbuf[24], dev[32] = "";
    const uint8_t *addr = local ? s->local : s->peer;
    unsigned port = local ? s->local_port : s->peer_port;
    ps_sock_addr_format(s->family, addr, a, sizeof a);
    bool v6 = s->family == AF_INET6 && strcmp(a, "*") != 0;
    /* As ss: "*%lo:3389" for a socket bound to a device. */
    const char *ifname = local ? cli_iface(s, ifbuf, sizeof ifbuf) : NULL;
    if (ifname)
        snprintf(dev, sizeof dev, "%%%s", ifname);
    if (port == 0 && strcmp(a, "*") == 0)
        snprintf(buf, len, "*%s:*", dev);
    else
        snprintf(buf, len, v6 ? "[%s]%s:%u" : "%s%s:%u", a, dev, port);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3
             : (s[0] >> 3) == 30 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

const char *cli_printable(const char *in, char *out, size_t len)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)in;
    while (*s && o + 5 < len) {
        size_t n = utf8_len(s);
        if (n == 0 || *s < 0x20 || *s == 0x7f) {
            /* Any local user can name a process; its bytes must not reach
             * root's terminal as escape sequences. */
            o += (size_t)snprintf(out + o, len - o, "\\x%02x", *s);
            s++;
            continue;
        }
        memcpy(out + o, s, n);
        o += n;
        s += n;
    }
    out[o] = '\0';
    return out;
}
