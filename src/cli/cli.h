/* Shared state and helpers of the portscope command-line tool. */
#ifndef PS_CLI_H
#define PS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "portscope/portscope.h"

/* Exit statuses, documented in portscope(1). */
enum {
    EXIT_OK = 0,
    EXIT_NOMATCH = 1, /* a key matched nothing; for audit: findings */
    EXIT_USAGE = 2,   /* bad option, key or file named by the user */
    EXIT_FAILURE_ = 3 /* the run itself failed: no memory, write error */
};

struct cli {
    const char *prog;
    /* Global options. */
    const char **registries;     /* --registry FILE, in order */
    size_t registry_count;
    const char *services_path;   /* --services, or NULL for the default */
    const char *nmap_path;       /* --nmap-services, or NULL */
    bool no_system;              /* --no-system: builtin and named files only */
    bool no_cache;               /* --no-cache: parse sources, no snapshot */
    bool json;
    bool color;                  /* decided once: tty, NO_COLOR, --no-color */
    bool no_color;
    bool stdout_tty;
    int verbose;
    const char *proc_root;       /* --proc-root, for tests and containers */
    int risk_filter;             /* lookup --risky: enum ps_risk, or -1 */
    const char *netns;           /* --netns NAME|PATH, or NULL */
    bool all_netns;              /* --all-netns */
    /* After cli_read_sockets: which namespace each socket came from, as
     * spans of the list; NULL (and 0) when only the current one was read. */
    struct cli_netns_span *netns_spans;
    size_t netns_span_count;
    /* State. */
    struct ps_logger log;
    struct ps_registry *reg;
};

struct cli_command {
    const char *name;
    const char *summary;  /* one line for `portscope --help` */
    int (*run)(struct cli *cli, int argc, char **argv);
    void (*usage)(FILE *out);
};

extern const struct cli_command cmd_summary, cmd_lookup, cmd_search,
    cmd_ranges, cmd_export, cmd_explain, cmd_list, cmd_who, cmd_audit,
    cmd_scan;

/* Options a subcommand accepts besides the global ones. on_option returns 0,
 * or an exit status to stop with. Returns the index of the first operand, or
 * -1 after printing help (*status says how to exit). */
struct cli_parse {
    const char *shortopts;               /* the subcommand's own */
    const struct option *longopts;       /* terminated by a zero entry */
    int (*on_option)(struct cli *cli, void *ctx, int opt, const char *arg);
    void *ctx;
    const struct cli_command *cmd;       /* for --help */
    bool stop_at_operand;                /* options only before operands */
    bool long_only;                      /* nmap style: -oX, -iL, -Pn are
                                          * long options with one dash */
};
int cli_parse_options(struct cli *cli, int argc, char **argv,
                      const struct cli_parse *p, int *status);

/* Handles one global option; returns 1 if opt was one, 0 if not, or -1 on a
 * bad value (message printed). */
int cli_global_option(struct cli *cli, int opt, const char *arg);
extern const struct option cli_global_longopts[];
#define CLI_GLOBAL_SHORTOPTS "hvV"

/* The audit's own options: a bare `portscope --fail-on high` is the
 * audit, so main looks for them before any command word. */
extern const struct option cli_audit_longopts[];
#define CLI_AUDIT_FAIL_ON 'f'

/* Loads every source the options name and seals the registry. Returns 0 or
 * an exit status (message printed). */
int cli_load_registry(struct cli *cli);

/* Prints "portscope: " + message to stderr. */
void cli_error(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cli_warn(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a whole decimal number within [min, max]; 0 or -1 (printed). */
int cli_number(const struct cli *cli, const char *what, const char *text,
               long min, long max, long *out);

/* An aligned text table: add rows of cells, then print. */
struct cli_table;
struct cli_table *cli_table_new(size_t columns, const char *const *headers);
/* Copies the cells. Returns 0 or -1 on no memory. */
int cli_table_add(struct cli_table *t, const char *const *cells);
/* Pads every column but the last; truncates the last to the terminal width
 * when stdout is a terminal. Returns 0 or -1 on a write error. */
int cli_table_print(struct cli_table *t, FILE *out, bool color);
void cli_table_free(struct cli_table *t);

/* Writes the comma-joined labels of the sources listing svc into buf. */
void cli_sources_text(const struct cli *cli, const struct ps_service *svc,
                      char *buf, size_t len);

/* Adds svc as a row of the standard service table. */
int cli_service_row(struct cli *cli, struct cli_table *t,
                    const struct ps_service *svc);
extern const char *const cli_service_headers[];
#define CLI_SERVICE_COLUMNS 8

/* Width for prose: the terminal's, else $COLUMNS, else 80; at most 100. */
size_t cli_text_width(void);
/* Prints text wrapped to width; "\n\n" separates paragraphs, which are
 * printed with a blank line between them. */
void cli_wrap(FILE *out, const char *text, size_t indent, size_t width);
/* As cli_wrap, with lines after the first of a paragraph indented by hang. */
void cli_wrap_hanging(FILE *out, const char *text, size_t indent, size_t hang,
                      size_t width);

/* Attaches a line of detail to the last row, printed under it. */
int cli_table_note(struct cli_table *t, const char *text);

/* Parses argc keys into keys, reporting each bad one as "CMD: key 'K':
 * ...". Returns EXIT_OK or EXIT_USAGE. */
int cli_parse_keys(struct cli *cli, const char *cmd, int argc, char **argv,
                   struct ps_key *keys);
/* Reports suspect name keys ("22x") that name nothing in the registry or the
 * knowledge base. Needs the registry loaded. Returns EXIT_OK or EXIT_USAGE. */
int cli_check_suspect_keys(struct cli *cli, const char *cmd, int argc, char **argv,
                           const struct ps_key *keys);
/* Whether a knowledge entry's service or one of its uses is called name. */
bool cli_knowledge_names(const char *name);

/* Reads the sockets matching q (of --netns, or of every namespace with
 * --all-netns; those it may not enter are skipped with one warning) and,
 * if owners_wanted, in one pass their owners. *owners is NULL when not
 * wanted or when the walk failed (said on stderr: the sockets are still
 * listed); stderr also says when other users' processes are hidden.
 * Returns EXIT_OK, EXIT_USAGE (a bad --netns or --proc-root, or both
 * --netns and --all-netns) or EXIT_FAILURE_ (message printed). */
int cli_read_sockets(struct cli *cli, const struct ps_sock_query *q,
                     struct ps_socket_list *list, struct ps_owners **owners,
                     bool owners_wanted);
struct cli_netns_span {
    size_t end;                  /* sockets before this index (after the
                                    previous span's end) */
    char label[64];
};
/* The namespace label of socket i of the last cli_read_sockets(), or NULL. */
const char *cli_netns_of(const struct cli *cli, size_t i);

/* The user to show for s, printable, in buf: its owner's, else the name
 * of the socket's own uid (known without the owner, from the kernel);
 * NULL for a socket without a file (TIME-WAIT), whose uid means nothing. */
const char *cli_user_of(const struct ps_process *p, const struct ps_socket *s, char *buf,
                        size_t len);

/* The first owner of s, or NULL. */
const struct ps_process *cli_owner_of(const struct ps_owners *owners,
                                      const struct ps_socket *s);
/* "127.0.0.1:22", "[::1]:22", "*:22", "*:*" for the local or peer end;
 * the local end of a socket bound to a device as ss shows it, "*%lo:22". */
void cli_endpoint(const struct ps_socket *s, bool local, char *buf, size_t len);
/* The interface s is bound to, in buf: its name, or its index in decimal
 * when the name is unknown; NULL when s is bound to none. */
const char *cli_iface(const struct ps_socket *s, char *buf, size_t len);

/* in, with control characters and bytes that are not UTF-8 shown as \xNN,
 * in out (len bytes, at least 8). Returns out. */
const char *cli_printable(const char *in, char *out, size_t len);

/* Ends output: flushes stdout and reports a write error. */
int cli_finish_output(const struct cli *cli, int status);

#endif
