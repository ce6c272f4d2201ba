/* Socket owners: which processes hold which socket, found in one pass over
 * /proc/PID/fd, with what a person wants to know about each process. */
#ifndef PORTSCOPE_OWNERS_H
#define PORTSCOPE_OWNERS_H

#include <stddef.h>
#include <stdint.h>

#include "portscope/log.h"

struct ps_process {
    int pid;
    uint32_t uid;
    char comm[17];          /* /proc/PID/comm */
    const char *cmdline;    /* argv joined by spaces; "" if unreadable */
    const char *user;       /* user name, or the uid in decimal */
    const char *unit;       /* systemd unit ("ssh.service"), or "" */
    const char *container;  /* container id (docker, podman, containerd,
                               kubepods), or "" */
    int64_t start_time;     /* when it started, seconds since the epoch, or
                               -1 if unknown */
};

struct ps_owners;

/* Scans proc_root (normally "/proc") once: every process's fd links of the
 * form "socket:[INODE]", and the details of each process that holds one.
 * Processes whose fds cannot be read (another user's, without privilege)
 * are counted in ps_owners_hidden(). The walk runs on up to one thread per
 * CPU besides the caller's, which may call the logger (see log.h).
 * Returns 0, PS_EINVAL, PS_ENOENT (no proc_root), PS_EACCES (proc_root
 * unreadable), PS_ELIMIT (out of file descriptors), PS_EIO or PS_ENOMEM;
 * the logger hears the detail. Free with ps_owners_free(). */
int ps_owners_scan(const char *proc_root, struct ps_owners **out,
                   const struct ps_logger *log);

/* Processes holding socket inode (several after fork), by pid. Writes up to
 * max to out and returns how many there are. O(1) average. */
size_t ps_owners_find(const struct ps_owners *o, uint64_t inode,
                      const struct ps_process **out, size_t max);

/* Processes whose file descriptors could not be read. */
size_t ps_owners_hidden(const struct ps_owners *o);

void ps_owners_free(struct ps_owners *o);

/* Parsers of /proc text, exposed for tests and fuzzing. */

/* From /proc/PID/cgroup text: the systemd unit (last path element ending in
 * .service/.scope/.socket under system.slice or user.slice) into unit, and a
 * container id (64 hex digits after docker-/cri-containerd-/libpod- or in a
 * docker/ or kubepods path) into container, each "" if none. Never fails;
 * output is always NUL-terminated. */
void ps_proc_parse_cgroup(const char *text, size_t len, char *unit,
                          size_t unit_len, char *container,
                          size_t container_len);

/* From /proc/PID/stat text: field 22 (starttime, in clock ticks since boot).
 * Handles a comm containing spaces and ')'. Returns 0 or PS_EPARSE. */
int ps_proc_parse_starttime(const char *text, size_t len, uint64_t *ticks);

#endif
