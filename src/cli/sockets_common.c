/* What list, who and audit share: reading the socket table and owners. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "cli/cli.h"

/* Dumps the sockets of one namespace (NULL: the current one). With
 * tolerant, a namespace that cannot be entered (its process exited, a
 * stale name) is reported and skipped. */
static int dump_in(struct cli *cli, const char *spec, const struct ps_sock_query *q,
                   struct ps_socket_list *list, bool tolerant)
{
    int saved = -1, rc = 0;
    if (spec && (rc = ps_netns_enter(spec, NULL, &saved)) && tolerant &&
        rc != PS_EACCES) {
        cli_warn(cli, "skipped network namespace %s: %s", spec, ps_strerror(rc));
        return EXIT_OK;
    }
    if (spec && rc) {
        cli_error(cli, "cannot enter network namespace %s: %s%s", spec, ps_strerror(rc),
                  rc == PS_EACCES ? " (needs root)" : "");
        return rc == PS_ENOENT || rc == PS_EINVAL ? EXIT_USAGE : EXIT_FAILURE_;
    }
    rc = ps_sockets_dump(q, cli->proc_root, list, &cli->log);
    if (saved >= 0 && ps_netns_leave(saved)) {
        cli_error(cli, "cannot return to the original network namespace");
        return EXIT_FAILURE_;
    }
    if (rc) {
        cli_error(cli, "cannot read the socket table%s%s: %s", spec ? " of " : "",
                  spec ? spec : "", ps_strerror(rc));
        return EXIT_FAILURE_;
    }
    return EXIT_OK;
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

/* Every namespace in turn, each span of the list labelled with its name. */
static int dump_all(struct cli *cli, const struct ps_sock_query *q,
                    struct ps_socket_list *list)
{
    struct ps_netns *ns;
    size_t n;
    if (ps_netns_list(cli->proc_root, NULL, &ns, &n, &cli->log)) {
        cli_error(cli, "cannot list the network namespaces");
        return EXIT_FAILURE_;
    }
    int status = EXIT_OK;
    for (size_t i = 0; i < n && status == EXIT_OK; i++) {
        status = dump_in(cli, ns[i].path, q, list, true);
        if (status == EXIT_OK)
            status = add_span(cli, list->count, ns[i].name);
    }
    free(ns);
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

static int read_owners_result(struct cli *cli, struct owner_job *job,
                              struct ps_owners **owners)
{
    if (job->rc) {
        cli_error(cli, "cannot read the owners of the sockets from %s: %s",
                  cli->proc_root, ps_strerror(job->rc));
        return job->rc == PS_ENOENT ? EXIT_USAGE : EXIT_FAILURE_;
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
    if (owners_wanted)
        threaded = pthread_create(&walker, NULL, owner_walk, &job) == 0;
    int status = cli->all_netns ? dump_all(cli, q, list)
                                : dump_in(cli, cli->netns, q, list, false);
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

void cli_endpoint(const struct ps_socket *s, bool local, char *buf, size_t len)
{
    char a[64];
    const uint8_t *addr = local ? s->local : s->peer;
    unsigned port = local ? s->local_port : s->peer_port;
    ps_sock_addr_format(s->family, addr, a, sizeof a);
    bool v6 = s->family == AF_INET6 && strcmp(a, "*") != 0;
    if (port == 0 && strcmp(a, "*") == 0)
        snprintf(buf, len, "*:*");
    else
        snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", a, port);
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
