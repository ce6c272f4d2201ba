/* Port sets and nmap-compatible port specifications (nmap's -p,
 * --exclude-ports and --top-ports), for the scanner.
 *
 * A port set holds two bitmaps of 65536 bits, one for TCP and one for UDP;
 * bit p of a bitmap is (map[p / 64] >> (p % 64)) & 1. A zeroed struct is an
 * empty set. Other transports are not scanned and are refused.
 *
 * Specification syntax (as nmap's -p):
 *
 *   spec    := item { "," item }
 *   item    := [ prefix ] target
 *   prefix  := "T:" | "U:"        (any case; "S:" is recognised and refused)
 *   target  := port | port "-" port | "-" port | port "-" | "-" | name
 *
 *   22            one port
 *   1000-2000     a range, both ends included
 *   -1024         1-1024 (an open start is 1; "-0" is port 0)
 *   60000-        60000-65535
 *   -             1-65535 (nmap's -p-)
 *   http,ssh      service names, looked up in the registry by name or alias,
 *                 case-insensitively, for each protocol in scope; a record
 *                 covering a range adds the whole range
 *   http*, ?ttp   wildcards: '*' any run of characters, '?' one character,
 *                 matched against names and aliases of every record
 *
 * A prefix applies to its own item and to every later item up to the next
 * prefix: "U:53,111,137,T:21-25,80" is UDP 53, 111, 137 and TCP 21-25, 80.
 * Items before the first prefix apply to the protocols in default_protos.
 * Port 0 is included only when written as a number ("0", "0-10"), never
 * through an open range, as in nmap. Leading zeros are allowed (022 is
 * 22). Nothing else is accepted: no blanks, no empty items, no nmap "[...]"
 * ranges of registry ports. A token that starts with a digit but is not a
 * number ("3com-tsmux") is tried as a service name before it is reported
 * as a number with trailing junk. */
#ifndef PORTSCOPE_PORTSPEC_H
#define PORTSCOPE_PORTSPEC_H

#include <stddef.h>
#include <stdint.h>

#include "portscope/registry.h"

struct ps_portset {
    uint64_t tcp[1024];
    uint64_t udp[1024];
};

/* The default_protos bits ps_portspec_parse() accepts. */
#define PS_PORTSPEC_TCP (1u << PS_PROTO_TCP)
#define PS_PORTSPEC_UDP (1u << PS_PROTO_UDP)
#define PS_PORTSPEC_BOTH (PS_PORTSPEC_TCP | PS_PORTSPEC_UDP)

/* Empties the set. */
void ps_portset_clear(struct ps_portset *set);

/* Adds port (0-65535) for proto (PS_PROTO_TCP or PS_PROTO_UDP). Returns 0,
 * or PS_EINVAL for another proto or a port above 65535. */
int ps_portset_add(struct ps_portset *set, enum ps_proto proto, unsigned port);

/* Adds first..last (inclusive) for proto. Returns 0, or PS_EINVAL for
 * another proto, a port above 65535 or first > last. */
int ps_portset_add_range(struct ps_portset *set, enum ps_proto proto,
                         unsigned first, unsigned last);

/* 1 if port is in the set for proto, else 0 (also for a bad proto or
 * port). */
int ps_portset_has(const struct ps_portset *set, enum ps_proto proto,
                   unsigned port);

/* Ports in the set for proto; PS_PROTO_ANY counts TCP and UDP together.
 * 0 for another proto. */
size_t ps_portset_count(const struct ps_portset *set, enum ps_proto proto);

/* The lowest port >= from in the set for proto, or -1 when there is none.
 * Walk a set with: for (p = next(s, pr, 0); p >= 0; p = next(s, pr, p + 1)). */
long ps_portset_next(const struct ps_portset *set, enum ps_proto proto,
                     unsigned long from);

/* set = set minus remove, for both protocols. */
void ps_portset_subtract(struct ps_portset *set,
                         const struct ps_portset *remove);

/* Parses spec (syntax above) and ADDS its ports to out; out is not cleared
 * first, and is left unchanged on any error. reg is used for service names
 * and must be sealed; it may be NULL when spec holds none. default_protos is
 * a non-empty subset of PS_PORTSPEC_BOTH.
 *
 * Returns 0 on success;
 *   PS_EPARSE  malformed spec: empty spec or item, trailing junk after a
 *              number, an unexpected character, a bad or dangling prefix,
 *              an unknown service name, a wildcard matching nothing;
 *   PS_ERANGE  a port above 65535, or a reversed range ("2000-1000");
 *   PS_EUNSUPP the SCTP prefix "S:";
 *   PS_EINVAL  NULL spec or out, bad default_protos, or a service name with
 *              no registry;
 *   PS_ENOMEM.
 * On failure err (errlen bytes, may be NULL/0) receives one line naming the
 * offending item and what is wrong with it; on success it gets "". Never
 * reads past the terminating NUL of spec. Thread-safe for distinct out. */
int ps_portspec_parse(const char *spec, const struct ps_registry *reg,
                      unsigned default_protos, struct ps_portset *out,
                      char *err, size_t errlen);

/* --exclude-ports: parses spec exactly as ps_portspec_parse() and removes
 * its ports from set. Same return codes; set is unchanged on error. */
int ps_portset_remove_spec(struct ps_portset *set, const char *spec,
                           const struct ps_registry *reg,
                           unsigned default_protos, char *err, size_t errlen);

/* --top-ports: ADDS to out the n ports of proto (PS_PROTO_TCP or
 * PS_PROTO_UDP) most likely to be open, and returns how many it added
 * (min(n, 65535)), or PS_EINVAL for a NULL argument or another proto.
 *
 * Ports are taken in this order until n are chosen:
 *  1. ports with a frequency (ps_registry_frequency() >= 0, i.e. listed by a
 *     loaded nmap-services), highest frequency first, ties by lower port;
 *  2. then ports any record of the registry covers for proto (for a registry
 *     without nmap-services, the built-in table's ports), in port order;
 *  3. then every other port, in port order.
 * Port 0 is never chosen. reg must be sealed (an unsealed registry knows no
 * ports, so only rule 3 applies). Returns PS_ENOMEM when memory runs out,
 * leaving out unchanged. */
int ps_portset_top(const struct ps_registry *reg, enum ps_proto proto,
                   size_t n, struct ps_portset *out);

#endif
