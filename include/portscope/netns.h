/* Network namespaces: entering one for a dump, and finding them all. */
#ifndef PORTSCOPE_NETNS_H
#define PORTSCOPE_NETNS_H

#include <stddef.h>
#include <stdint.h>

#include "portscope/log.h"

struct ps_netns {
    char name[64];    /* "NAME" for /run/netns/NAME, "pid:N" for a process's */
    char path[128];   /* the file that refers to it */
    uint64_t inode;   /* its identity */
};

/* Every distinct network namespace: the named ones under run_dir (normally
 * "/run/netns") first, then those of running processes under proc_root
 * that have no name, each once; the caller's own is included. *out is
 * malloc'd. Returns 0, PS_ENOMEM, or PS_ENOENT when proc_root is missing. */
int ps_netns_list(const char *proc_root, const char *run_dir,
                  struct ps_netns **out, size_t *count,
                  const struct ps_logger *log);

/* Moves the calling thread into the namespace named by spec: a name under
 * run_dir, or a path such as /proc/PID/ns/net. *saved receives a file
 * descriptor of the namespace it was in, for ps_netns_leave(). Needs
 * CAP_SYS_ADMIN. Returns 0, PS_ENOENT, PS_EACCES or PS_EIO. */
int ps_netns_enter(const char *spec, const char *run_dir, int *saved);

/* Returns the thread to the namespace saved by ps_netns_enter() and closes
 * the descriptor. Returns 0 or PS_EIO. */
int ps_netns_leave(int saved);

#endif
