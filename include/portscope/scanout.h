/* Scan output formats: nmap-style normal text (-oN), nmap XML (-oX),
 * grepable (-oG) and JSON Lines (-oJ). Each format is one module in
 * src/output/ behind one interface; a writer drives one format into one
 * FILE.
 *
 * Call order: ps_scan_writer_new, begin once, host once per finished host
 * (in the order hosts finish), end once (also after an interruption, with
 * summary->interrupted set), then free. Every call flushes what it wrote,
 * so the file holds whole records whenever the process may be stopped:
 * whole lines for grepable and JSON Lines, and for XML a prefix that end()
 * closes into a valid document.
 *
 * What the formats write:
 *   normal    nmap -oN: "# portscope VERSION scan initiated DATE as: CMD",
 *             per host "portscope scan report for NAME (IP)", "Host is
 *             up", "Not shown: ..." for summarised states, the PORT STATE
 *             SERVICE [REASON] table with "[risk: high]" or "[risk:
 *             critical]" after a possibly open port the knowledge base
 *             rates so, an "Incomplete: ..." line for a host cut short,
 *             and "# portscope done at ...", preceded by "# Scan
 *             interrupted..." when the scan stopped early.
 *   xml       nmap -oX, valid against nmap.dtd (xmloutputversion 1.05).
 *             The DTD allows only scanner="nmap": version holds
 *             "portscope VERSION", args the command line. A host cut short
 *             carries comment="incomplete: ..." (and timedout="true" after
 *             --host-timeout); an early stop ends with exit="error" and
 *             errormsg (summary->error, or "interrupted").
 *   grepable  nmap -oG: "Host: IP (NAME)\tStatus: Up" and "Host: IP
 *             (NAME)\tPorts: 22/open/tcp//ssh///, ...\tIgnored State:
 *             closed (N)"; NAME is the reverse DNS name, else the target's.
 *             "Status: Timeout" after --host-timeout; comment lines for an
 *             incomplete host and an early stop.
 *   json      one object per port result: type "port", ip, host (the
 *             target's name, only when there is one), port, proto, state,
 *             reason, service (null when the registry names none), rtt_ms
 *             (null when unknown); then one object of type "summary":
 *             start, end (ISO 8601 UTC), elapsed_s, hosts_total, hosts_up,
 *             ports_scanned (per host, from info->ports), open, closed,
 *             filtered, open_filtered (over every host), probes_sent,
 *             interrupted, and error when summary->error is set.
 *
 * As in nmap, a state with more than 25 ports on a host (25 x (verbose+1)
 * with -v) is summarised instead of listed in normal, grepable and XML;
 * open ports are always listed. With open_only, only open and
 * open|filtered ports are listed (JSON writes no other), and a host with
 * neither is left out of every format. Every host handed to host() is
 * reported as up, for the reason "user-set": the scanner does no host
 * discovery (nmap -Pn). Names, command lines and error texts are written
 * with control characters and malformed UTF-8 replaced by '?'.
 *
 * Dates come from the *_us fields, never from the clock: text and XML use
 * the local time zone, as nmap does; JSON uses UTC. */
#ifndef PORTSCOPE_SCANOUT_H
#define PORTSCOPE_SCANOUT_H

#include <stdint.h>
#include <stdio.h>

#include "portscope/knowledge.h"
#include "portscope/log.h"
#include "portscope/portspec.h"
#include "portscope/registry.h"
#include "portscope/scanres.h"

/* What the scan is, for headers. Only read during begin(): nothing here
 * need outlive that call. */
struct ps_scan_info {
    const char *command_line;  /* the command as typed, or NULL */
    const char *version;       /* PS_VERSION_STRING normally; NULL for it */
    int64_t start_us;          /* wall clock, microseconds since the epoch */
    /* nmap's name: "connect", "syn", "udp". XML needs one of the types
     * nmap.dtd lists; it writes a scaninfo of this type for the TCP ports
     * (none for "udp") and one of type "udp" for the UDP ports. */
    const char *scan_type;
    const struct ps_portset *ports; /* the ports scanned; NULL for none */
    uint64_t target_count;     /* addresses to scan (after exclusions) */
    int verbose;               /* -v count, for XML <verbose level> */
    int show_reason;           /* --reason: add a REASON column to text */
    int open_only;             /* --open: list only (possibly) open ports */
};

/* How the scan ended. */
struct ps_scan_summary {
    int64_t end_us;
    uint64_t hosts_up, hosts_down, hosts_total;
    uint64_t probes_sent;
    int interrupted;           /* 1 after Ctrl-C, SIGTERM or a fatal error */
    const char *error;         /* why it stopped early, or NULL */
};

/* Formats, by name: "normal", "xml", "grepable", "json". */
struct ps_scan_writer;

/* A writer of format into out (not closed by the writer, and not written
 * to after end() returns, so it may be closed before the writer is freed).
 * reg (for service names; may be NULL) must outlive the writer; risk marks
 * in normal text come from the built-in knowledge base and the registry's
 * names. log may be NULL; it is copied. Returns NULL with *errp (errp may
 * be NULL) set to PS_EINVAL for an unknown format or a NULL out, or
 * PS_ENOMEM. */
struct ps_scan_writer *ps_scan_writer_new(const char *format, FILE *out,
                                          const struct ps_registry *reg,
                                          const struct ps_logger *log,
                                          int *errp);

/* Each returns 0, or PS_EIO when writing failed (the writer then ignores
 * later calls and keeps returning PS_EIO, and logs the cause once), or
 * PS_ENOMEM. Also PS_EINVAL for a NULL argument, a host whose ports are
 * not all TCP or UDP (nothing is written for it), or, from the XML
 * begin(), a scan_type nmap.dtd does not allow; PS_ESTATE for a call out
 * of order. After PS_EINVAL or PS_ENOMEM from begin() nothing was written
 * and begin() may be called again. The XML format reports any failure
 * after its output started as PS_EIO, since that document can no longer
 * be completed. host() counts ports per state from host->ports itself;
 * state_count is not read. */
int ps_scan_writer_begin(struct ps_scan_writer *w,
                         const struct ps_scan_info *info);
int ps_scan_writer_host(struct ps_scan_writer *w,
                        const struct ps_scan_host *host);
int ps_scan_writer_end(struct ps_scan_writer *w,
                       const struct ps_scan_summary *summary);
void ps_scan_writer_free(struct ps_scan_writer *w);

/* The names of every format, NULL-terminated, for help and errors. */
const char *const *ps_scan_formats(void);

#endif
