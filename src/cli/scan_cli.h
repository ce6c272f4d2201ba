/* The scan subcommand's pieces: options (scan_opts.c), output files and
 * progress (scan_out.c), and the command (cmd_scan.c). */
#ifndef PS_CLI_SCAN_H
#define PS_CLI_SCAN_H

#include "cli/cli.h"
#include "portscope/scan.h"

enum { SCAN_OUT_NORMAL, SCAN_OUT_XML, SCAN_OUT_GREP, SCAN_OUT_JSON,
       SCAN_OUT__COUNT };

struct scan_opts {
    unsigned types;
    const char *ports_spec;       /* -p */
    long top_ports;               /* --top-ports, -F (100); -1 none */
    const char *exclude_ports;
    const char **targets;         /* operands */
    size_t target_count;
    const char *input_list;       /* -iL */
    const char *exclude, *exclude_file;
    bool no_dns, ipv6, open_only, reason;
    struct ps_scan_timing timing;
    uint64_t seed;
    bool seed_set;
    unsigned shard_k, shard_n;
    unsigned threads;             /* --threads; 0: one per CPU */
    const char *interface;        /* -e */
    struct ps_ip source_ip;       /* -S; family 0: none */
    int source_port;              /* -g, --source-port; -1: none */
    const char *out_path[SCAN_OUT__COUNT];   /* -oN -oX -oG -oJ */
    const char *out_all;                     /* -oA BASE */
    int64_t stats_every_us;
    bool progress;                /* stderr is a terminal */
};

/* Parses the command line into o. Returns the index of the first operand
 * after collecting them into o->targets, or -1 with *status set. */
int scan_parse_options(struct cli *cli, int argc, char **argv,
                       struct scan_opts *o, int *status);
void scan_opts_free(struct scan_opts *o);

/* The writers of one run: stdout and every -o file. */
struct scan_outputs;

/* Opens every output the options name (files are created now, so an
 * unwritable path is reported before anything is sent). Returns NULL with
 * *status set (message printed). */
struct scan_outputs *scan_outputs_open(struct cli *cli,
                                       const struct scan_opts *o,
                                       int *status);
int scan_outputs_begin(struct scan_outputs *so, const struct ps_scan_info *in);
void scan_outputs_host(struct scan_outputs *so, const struct ps_scan_host *h);
/* Ends every writer and closes the files. Returns EXIT_OK or
 * EXIT_FAILURE_ (a write failed; message printed). */
int scan_outputs_end(struct scan_outputs *so,
                     const struct ps_scan_summary *sum);
void scan_outputs_free(struct scan_outputs *so);

/* What the engine's callbacks get as ud. */
struct scan_run {
    struct cli *cli;
    const struct scan_opts *opts;
    struct scan_outputs *outputs;
};

/* Progress on stderr: a bar on a terminal, lines for --stats-every. ud is
 * a struct scan_run. */
void scan_progress_report(void *ud, const struct ps_scan_progress *p);
void scan_progress_clear(void);

/* nmap time values: "500ms", "2s", "5m", "1h"; a bare number is seconds. */
int scan_parse_time(const char *text, int64_t *out_us);

#endif
