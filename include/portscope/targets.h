/* Scan targets: nmap-compatible target specifications, exclusions and a
 * streaming iterator over the addresses they name.
 *
 * Specification syntax (one spec per command-line operand, or one or more
 * per line of an -iL file, separated by blanks; '#' starts a comment that
 * runs to the end of the line):
 *
 *   198.18.0.7            an IPv4 address (dotted quad; leading zeros are
 *                         decimal, never octal)
 *   2001:db8::7           an IPv6 address (no -6 needed); a zone ("%eth0")
 *                         is refused
 *   198.18.0.0/24         a CIDR block, IPv4 /0../32 or IPv6 /96../128;
 *   2001:db8::/120        the host bits of the address are ignored, as nmap
 *   198.18.0.1-20         nmap octet ranges: each of the four octets is a
 *   198.18.0-1.1,3,5-7    comma list of numbers and a-b ranges; "-" alone
 *   198.18.*.1            or "*" is 0-255; "-20" is 0-20, "5-" is 5-255.
 *                         A prefix length cannot follow octet ranges.
 *   localhost, host/24    a hostname (letters, digits, '-', '_', dots; the
 *                         last label not all digits), resolved once when
 *                         added, through the list's resolver (by default
 *                         getaddrinfo(): first IPv4 address, or first IPv6
 *                         one with PS_TARGETS_PREFER_V6); may carry a CIDR
 *                         suffix like nmap, counted in bits of the family
 *                         the flags ask for
 *
 * A spec may name at most 2^32 addresses (an IPv6 block shorter than /96
 * is refused), and be at most 4096 bytes long. Addresses are produced in
 * spec order and, within a spec, in ascending order; an address named twice
 * is produced twice (as nmap). Excluded addresses (--exclude,
 * --excludefile; same syntax) are skipped. An IPv4 exclusion never removes
 * an IPv6 address (not even an IPv4-mapped one), nor the reverse.
 *
 * Memory: command-line specs are held as ranges, never expanded; an -iL
 * file is checked completely when added (so a bad line is reported before
 * anything is scanned) but only its path and status are kept, and the
 * iterator reads it again line by line, so a list of a million addresses is
 * never held in memory. Standard input ("-") and other files that cannot be
 * read twice (pipes, /dev/stdin) are read once and their text is kept.
 * Hostnames in a file are checked for syntax when the file is added and
 * resolved by the iterator when it reaches them (each time it reaches
 * them); one that does not resolve then is skipped with a warning to the
 * logger, as nmap does. Exclusions are held as ranges, sorted and merged,
 * and the iterator steps over an excluded range in one move, whatever its
 * size. */
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

/* A new, empty target list. log may be NULL; if not, it must outlive the
 * list. Returns NULL without memory. A list is not thread-safe while it is
 * being changed; once built, any number of threads may iterate it. */
struct ps_targets *ps_targets_new(unsigned flags, const struct ps_logger *log);
void ps_targets_free(struct ps_targets *t);

/* A name resolver: puts one address of name (a NUL-terminated hostname,
 * never a numeric address) in out and returns 0, or returns PS_ENOENT when
 * the name has no address (PS_ENOMEM is passed on; any other failure counts
 * as PS_ENOENT). prefer_v6 is 1 when the list has PS_TARGETS_PREFER_V6: an
 * IPv6 address is wanted then, an IPv4 one otherwise; an address of the
 * other family is still accepted. out->family must be AF_INET or AF_INET6,
 * with the IPv4 bytes in out->bytes[0..3] and the rest zero. ud is the
 * pointer given to ps_targets_set_resolver(). Called from
 * ps_targets_add(), ps_targets_exclude(), ps_targets_exclude_file() and,
 * for hostnames in -iL files, ps_target_iter_next(); several iterators
 * running in several threads call it concurrently. */
typedef int (*ps_resolve_fn)(void *ud, const char *name, int prefer_v6,
                             struct ps_ip *out);

/* Makes fn (with ud) t's resolver; fn NULL restores the default, which
 * uses getaddrinfo() and so may send DNS queries. Tests and fuzzing should
 * install their own or use PS_TARGETS_NO_RESOLVE. Set it before adding
 * specs: names already resolved stay as they were. */
void ps_targets_set_resolver(struct ps_targets *t, ps_resolve_fn fn, void *ud);

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
 * unreadable file, PS_EISDIR for a directory; a NUL byte or a spec longer
 * than 4096 bytes is PS_EPARSE); err names the file, the line number and
 * the spec ("file targets.txt line 12: 198.18.0.300: octet 4 is above
 * 255"). Nothing is added on failure. */
int ps_targets_add_file(struct ps_targets *t, const char *path, char *err,
                        size_t errlen);

/* --exclude (a comma-separated list of specs, so octet lists with commas
 * cannot be used there, as in nmap) and --excludefile (the -iL syntax; the
 * whole file is read now). Hostnames are resolved now. Same returns as
 * above, plus PS_ELIMIT for an octet-range exclusion that splits into more
 * than 65536 separate ranges ("*.*.*.1") or for more than 2^24 separate
 * excluded ranges in all (24 bytes each), and, when -iL files were added
 * before, whatever reading them again to recount returns (PS_ESTALE for a
 * file that changed). Adding exclusions before files avoids that second
 * reading. Nothing changes on failure. */
int ps_targets_exclude(struct ps_targets *t, const char *list, char *err,
                       size_t errlen);
int ps_targets_exclude_file(struct ps_targets *t, const char *path,
                            char *err, size_t errlen);

/* The number of addresses the list produces after exclusions, counted when
 * specs, files and exclusions were added; 0 for NULL. A hostname in an -iL
 * file counts as the size of its block (1 without a prefix), before
 * exclusions, since it is resolved only by the iterator; so does one that
 * will not resolve. Saturates at UINT64_MAX. */
uint64_t ps_targets_count(const struct ps_targets *t);

/* One produced target. name is the hostname the spec gave, or NULL; it
 * stays valid until the iterator is freed (names met in -iL files are
 * kept by the iterator, once per run of specs with the same name). */
struct ps_target {
    struct ps_ip ip;
    const char *name;
};

struct ps_target_iter;

/* Starts an iteration over t, which must outlive the iterator and not be
 * changed meanwhile. Several iterators may run at once, in one thread or
 * several. Returns NULL for a NULL t or without memory. The iterator holds
 * one spec and, inside an -iL file, a 64 KiB read buffer. */
struct ps_target_iter *ps_target_iter_new(const struct ps_targets *t);

/* Produces the next target: returns 1 and fills out, 0 at the end (and
 * again on later calls), or a negative PS_E* code: PS_ESTALE for an -iL
 * file that changed since it was checked, the open error for one that
 * vanished, PS_EIO, PS_ENOMEM, PS_EINVAL for NULL arguments. An error is
 * sticky (later calls return it again) and its message goes to the
 * logger. */
int ps_target_iter_next(struct ps_target_iter *it, struct ps_target *out);
void ps_target_iter_free(struct ps_target_iter *it);

#endif
