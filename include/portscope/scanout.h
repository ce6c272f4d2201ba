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
 * closes into a valid document. */
#ifndef PORTSCOPE_SCANOUT_H
#define PORTSCOPE_SCANOUT_H

#include <stdint.h>
#include <stdio.h>

#include "portscope/knowledge.h"
#include "portscope/log.h"
#include "portscope/portspec.h"
#include "portscope/registry.h"
#include "portscope/scanres.h"

/* What the scan is, for headers. */
struct ps_scan_info {
    const char *command_line;  /* the command as typed, for "args" */
    const char *version;       /* PS_VERSION_STRING normally */
    int64_t start_us;          /* wall clock, microseconds since the epoch */
    const char *scan_type;     /* nmap's name: "connect", "syn", "udp" */
    const struct ps_portset *ports; /* the ports scanned */
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

/* A writer of format into out (not closed by the writer). reg (for service
 * names; may be NULL) must outlive the writer; risk marks in normal text
 * come from the built-in knowledge base. log may be NULL. Returns NULL with
 * *errp set to PS_EINVAL for an unknown format, or PS_ENOMEM. */
struct ps_scan_writer *ps_scan_writer_new(const char *format, FILE *out,
                                          const struct ps_registry *reg,
                                          const struct ps_logger *log,
                                          int *errp);

/* Each returns 0, or PS_EIO when writing failed (the writer then ignores
 * later calls and keeps returning PS_EIO), or PS_ENOMEM. */
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
