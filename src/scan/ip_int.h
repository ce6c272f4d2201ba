/* struct ps_ip and the socket API, for the scanner's files: one way to
 * build a sockaddr from an address and port, one way back, and one hash
 * for tables keyed by address. Never installed. */
#ifndef PS_SCAN_IP_INT_H
#define PS_SCAN_IP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "portscope/targets.h"

/* Fills ss with ip (AF_INET or AF_INET6) and port; returns its length. */
socklen_t ps__ip_sockaddr(const struct ps_ip *ip, uint16_t port,
                          struct sockaddr_storage *ss);
/* The address and port of an AF_INET or AF_INET6 ss; -1 for another
 * family. port may be NULL. */
int ps__ip_from_sockaddr(const struct sockaddr_storage *ss, struct ps_ip *ip,
                         uint16_t *port);
/* A well-mixed hash of ip (family and all 16 bytes). */
size_t ps__ip_hash(const struct ps_ip *ip);

#endif
