/* Scan targets: nmap-compatible target specifications, exclusions and a
 * streaming iterator over the addresses they name.
 *
 * Specification syntax (one spec per command-line operand, or one or more
 * per line of an -iL file, separated by blanks; '#' starts a comment):
 *
 *   198.18.0.7            an IPv4 address
 *   2001:db8::7           an IPv6 address (no -6 needed); a zone is refused
 *   198.18.0.0/24         a CIDR block, IPv4 /0../32 or IPv6 /0../128;
 *                         the host bits of the address are ignored, as nmap
 *   198.18.0.1-20         nmap octet ranges: each of the four octets is a
 *   198.18.0-1.1,3,5-7    comma list of numbers and a-b ranges; "-" alone
 *   198.18.*.1            or "*" is 0-255; "-20" is 0-20, "5-" is 5-255
 *   localhost, host/24    a hostname, resolved once when added, through
 *                         getaddrinfo() (first IPv4 address, or first IPv6
 *                         one with PS_TARGETS_PREFER_V6); may carry a CIDR
 *                         suffix like nmap
 *
 * A spec may name at most 2^32 addresses (an IPv6 block shorter than /96
 * is refused). Addresses are produced in spec order and, within a spec,
 * in ascending order; an address named twice is produced twice (as nmap).
 * Excluded addresses (--exclude, --excludefile; same syntax) are skipped.
 *
 * Memory: command-line specs are held as ranges, never expanded; an -iL
 * file is checked completely when added (so a bad line is reported before
 * anything is scanned) but only its path is kept, and the iterator reads it
 * again line by line, so a list of a million addresses is never held in
 * memory. Hostnames in a file are checked for syntax when the file is added
 * and resolved (once) when the iterator reaches them; one that does not
 * resolve then is skipped with a warning to the logger, as nmap does.
 * Exclusions are held as ranges, sorted and merged. */
#ifndef PORTSCOPE_TARGETS_H
#define PORTSCOPE_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "portscope/log.h"

/* An IPv4 or IPv6 address. family is AF_INET or AF_INET6 (from
 * <sys/socket.h>); an IPv4 address sits in bytes[0..3], network order, with
 * the other 12 bytes zero, so two addresses compare with memcmp. */
struct ps_ip {
    uint8_t family;
    uint8_t bytes[16];
};

/* Formats ip into buf (at least 46 bytes, INET6_ADDRSTRLEN) and returns
 * buf; "?" for a bad family. */
const char *ps_ip_format(const struct ps_ip *ip, char *buf, size_t len);

/* Parses a numeric IPv4 or IPv6 address (no prefix, no zone). Returns 0 or
 * PS_EPARSE. */
int ps_ip_parse(const char *text, struct ps_ip *out);

/* Flags for ps_targets_new(). */
#define PS_TARGETS_PREFER_V6 1u  /* -6: hostnames resolve to IPv6 */
#define PS_TARGETS_NO_RESOLVE 2u /* refuse hostnames (tests, fuzzing) */

struct ps_targets;

/* A new, empty target list. log may be NULL. Returns NULL without memory. */
struct ps_targets *ps_targets_new(unsigned flags, const struct ps_logger *log);
void ps_targets_free(struct ps_targets *t);

/* Adds one spec (syntax above). Returns 0, or
 *   PS_EPARSE   malformed spec (bad octet, bad prefix length, junk);
 *   PS_ERANGE   an octet above 255, a reversed range, a block over 2^32;
 *   PS_ENOENT   a hostname that does not resolve;
 *   PS_EUNSUPP  a hostname with PS_TARGETS_NO_RESOLVE;
 *   PS_EINVAL / PS_ENOMEM.
 * On failure err (errlen bytes, may be NULL/0) gets one line naming the
 * spec and what is wrong with it, and the list is unchanged. */
int ps_targets_add(struct ps_targets *t, const char *spec, char *err,
                   size_t errlen);

/* -iL: checks every spec of the file at path ("-" is standard input, which
 * is read once and held in memory) and records it for the iterator.
 * Returns 0 or a code as ps_targets_add (PS_EIO/PS_ENOENT/PS_EACCES for an
 * unreadable file); err names the file, the line number and the spec. */
int ps_targets_add_file(struct ps_targets *t, const char *path, char *err,
                        size_t errlen);

/* --exclude (a comma-separated list of specs) and --excludefile. Same
 * returns as above. */
int ps_targets_exclude(struct ps_targets *t, const char *list, char *err,
                       size_t errlen);
int ps_targets_exclude_file(struct ps_targets *t, const char *path,
                            char *err, size_t errlen);

/* The number of addresses the list produces after exclusions, counted when
 * specs and files were added (files included). */
uint64_t ps_targets_count(const struct ps_targets *t);

/* One produced target. name is the hostname the spec gave, or NULL; it
 * stays valid until the iterator is freed. */
struct ps_target {
    struct ps_ip ip;
    const char *name;
};

struct ps_target_iter;

/* Starts an iteration over t, which must outlive the iterator and not be
 * changed meanwhile. Several iterators may run at once. */
struct ps_target_iter *ps_target_iter_new(const struct ps_targets *t);

/* Produces the next target: returns 1 and fills out, 0 at the end, or a
 * negative PS_E* code (a file that changed or vanished since it was
 * checked; message to the logger). */
int ps_target_iter_next(struct ps_target_iter *it, struct ps_target *out);
void ps_target_iter_free(struct ps_target_iter *it);

#endif
