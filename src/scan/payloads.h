/* UDP probe payloads: what the UDP scan (-sU) sends to a port.
 *
 * A UDP service rarely answers an empty datagram, so a port that is open
 * looks the same as one behind a firewall that drops ("open|filtered").
 * For well-known ports we send a request of the port's protocol (a DNS
 * query to 53, an NTP client request to 123...), which the service
 * answers, and the port shows as open. Every other port gets an empty
 * datagram.
 *
 * The set starts from a built-in table written from the protocol
 * specifications (payloads_builtin.c) and may take nmap's nmap-payloads
 * file on top (payloads_parse.c); the file's entries replace the built-in
 * ones for every port the file covers, as nmap's own file would. A port
 * may have several payloads (nmap sends each, and so should we): the UDP
 * probe sends all of them, in the order given.
 *
 * Life cycle: build with ps__payloads_builtin(), load files (one thread),
 * then share the set read-only: ps__payloads_for() writes nothing and may
 * run in any number of threads at once. */
#ifndef PS_SCAN_PAYLOADS_H
#define PS_SCAN_PAYLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "portscope/log.h"

/* One payload: the bytes of one datagram. */
struct ps__payload {
    const uint8_t *data;     /* len bytes; never NULL, even when len is 0 */
    size_t len;              /* at most PS__PAYLOAD_LEN_MAX; 0 is allowed */
    /* The source port the payload works best from ("source N" in the
     * file), 0 for any. nmap records it and ignores it; IKEv1 responders
     * are the known case that answer only to port 500. */
    uint16_t source_port;
};

/* port -> payloads; immutable once built, shareable by threads. */
struct ps__payloads;

/* The largest payload a datagram carries over IPv4: 65535 less the IPv4
 * and UDP headers. */
#define PS__PAYLOAD_LEN_MAX 65507u
/* At most this many payloads for one port, as in nmap. It also bounds the
 * index: a hostile file cannot make it grow with the square of its size. */
#define PS__PAYLOADS_PER_PORT_MAX 255u

/* A new set holding the built-in payloads only (their bytes are static,
 * not copied). NULL without memory. Free with ps__payloads_free(). */
struct ps__payloads *ps__payloads_builtin(void);

/* Adds the payloads of an nmap-payloads file (text, len bytes; need not be
 * NUL-terminated) to p. Entries for a port the file covers replace those p
 * had for that port (built-in or from an earlier file); other ports keep
 * theirs. The load is all or nothing: on any error p is unchanged.
 * name (a path or a label) starts every message.
 * Returns 0; PS_EPARSE for malformed input, after logging one error
 * "NAME:LINE: what" (the first problem; loading stops there); PS_ENOMEM;
 * PS_EINVAL for a NULL p, name, or text with len > 0.
 * Not thread-safe: no other call may use p meanwhile. */
int ps__payloads_load(struct ps__payloads *p, const char *text, size_t len,
                      const char *name, const struct ps_logger *log);

/* Reads path (e.g. /usr/share/nmap/nmap-payloads) and loads it as
 * ps__payloads_load() does. Returns its codes, plus PS_ENOENT when the file
 * does not exist (logged at debug level only: the caller decides whether a
 * missing optional file matters), PS_EACCES, PS_EIO (logged as errors). */
int ps__payloads_load_file(struct ps__payloads *p, const char *path,
                           const struct ps_logger *log);

/* The payloads for UDP port port: returns how many (0 to
 * PS__PAYLOADS_PER_PORT_MAX) and points *out at that many, in file order;
 * 0 means send an empty datagram (*out is then NULL). The array and the
 * bytes stay valid, unchanged, until ps__payloads_free(p) or the next load
 * into p. Thread-safe on a set nobody is loading into. */
size_t ps__payloads_for(const struct ps__payloads *p, uint16_t port,
                        const struct ps__payload **out);

/* Frees p and every payload it holds; NULL is a no-op. */
void ps__payloads_free(struct ps__payloads *p);

/* ---- Between payloads.c, payloads_parse.c and payloads_builtin.c only. */

/* Ports lo..hi (1 <= lo <= hi) get payload number payload of a batch. */
struct ps__payload_range {
    uint16_t lo, hi;
    uint32_t payload;
};

/* A new, empty set. */
struct ps__payloads *ps__payloads_new(void);

/* Adds one batch (a file, or the built-in table) as a new layer over what
 * p holds: for every port the ranges cover, the batch's payloads replace
 * the older ones. pl[i].data must stay valid for p's life unless copy is
 * set, in which case the bytes are copied into p. The caller guarantees
 * that no port gets more than PS__PAYLOADS_PER_PORT_MAX payloads from the
 * batch. Returns 0 or PS_ENOMEM (p then unchanged). */
int ps__payloads_add(struct ps__payloads *p, const struct ps__payload *pl,
                     size_t npl, const struct ps__payload_range *r, size_t nr,
                     int copy);

/* The built-in table (payloads_builtin.c). */
struct ps__payload_builtin {
    uint16_t port;
    struct ps__payload payload;
    const char *what;        /* "DNS query for the root's NS records" */
};
extern const struct ps__payload_builtin ps__payload_builtins[];
extern const size_t ps__payload_builtin_count;

#endif
