/* Giving up privileges once the privileged work is done. A SYN scan needs
 * CAP_NET_RAW only to open its raw socket and its capture; everything
 * after that, above all the parsing of packets from the network, runs
 * better without it. */
#ifndef PORTSCOPE_PRIV_H
#define PORTSCOPE_PRIV_H

#include "portscope/log.h"

/* Gives up root and every capability, for good: with root as the real,
 * effective or saved user, becomes user (NULL: "nobody", or uid and gid
 * 65534 when the system has no such account), with no supplementary
 * groups; then clears the capability sets (a binary given CAP_NET_RAW by
 * setcap keeps none either) and sets no_new_privs, so no later exec can
 * bring privileges back. Descriptors already open stay usable.
 *
 * Call it before the process starts any thread: capability sets belong to
 * each thread. Returns 0 (also when there was nothing to give up),
 * PS_ENOENT (user is not an account), or PS_EACCES when a step failed or
 * could be undone: the caller must not go on. The logger says what. */
int ps_drop_privileges(const char *user, const struct ps_logger *log);

#endif
