/* Where scan results go: normal text on stdout, and each -o file with its
 * format writer; plus the progress bar. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/scan_cli.h"

static const char *const format_names[SCAN_OUT__COUNT] = {
    "normal", "xml", "grepable", "json"};
static const char *const oa_suffix[SCAN_OUT__COUNT] = {
    ".nmap", ".xml", ".gnmap", ".jsonl"};

struct scan_output {
    char *path;            /* NULL for stdout */
    FILE *file;
    struct ps_scan_writer *writer;
    int failed;
};

struct scan_outputs {
    struct cli *cli;
    struct scan_output out[SCAN_OUT__COUNT * 2 + 1];
    size_t count;
};

static int add_output(struct scan_outputs *so, int format, const char *path)
{
    struct cli *cli = so->cli;
    struct scan_output *o = &so->out[so->count];
    int err = 0;

    if (path && strcmp(path, "-") != 0) {
        o->path = strdup(path);
        o->file = o->path ? fopen(path, "w") : NULL;
        if (!o->file) {
            cli_error(cli, "scan: cannot write '%s': %s", path,
                      strerror(errno));
            free(o->path);
            o->path = NULL;
            return EXIT_USAGE;
        }
    } else {
        o->file = stdout;
    }
    o->writer = ps_scan_writer_new(format_names[format], o->file, cli->reg,
                                   &cli->log, &err);
    so->count++;
    if (!o->writer) {
        cli_error(cli, "scan: %s output: %s", format_names[format],
                  ps_strerror(err));
        return EXIT_FAILURE_;
    }
    return EXIT_OK;
}

/* -oA BASE names four files. */
static int add_all(struct scan_outputs *so, const char *base)
{
    for (int f = 0; f < SCAN_OUT__COUNT; f++) {
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s%s", base, oa_suffix[f]) >=
            sizeof path) {
            cli_error(so->cli, "scan: -oA %s: name too long", base);
            return EXIT_USAGE;
        }
        int rc = add_output(so, f, path);
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}

struct scan_outputs *scan_outputs_open(struct cli *cli,
                                       const struct scan_opts *o,
                                       int *status)
{
    struct scan_outputs *so = calloc(1, sizeof *so);
    bool stdout_taken = false;

    *status = EXIT_OK;
    if (!so) {
        cli_error(cli, "out of memory");
        *status = EXIT_FAILURE_;
        return NULL;
    }
    so->cli = cli;
    for (int f = 0; f < SCAN_OUT__COUNT && *status == EXIT_OK; f++) {
        if (!o->out_path[f])
            continue;
        stdout_taken |= strcmp(o->out_path[f], "-") == 0;
        *status = add_output(so, f, o->out_path[f]);
    }
    if (*status == EXIT_OK && o->out_all)
        *status = add_all(so, o->out_all);
    /* As nmap: normal output on stdout unless a format was sent there. */
    if (*status == EXIT_OK && !stdout_taken)
        *status = add_output(so, SCAN_OUT_NORMAL, NULL);
    if (*status != EXIT_OK) {
        scan_outputs_free(so);
        return NULL;
    }
    return so;
}

static void check(struct scan_outputs *so, struct scan_output *o, int rc)
{
    if (rc == 0 || o->failed)
        return;
    o->failed = 1;
    /* The writer has logged the cause of a write error already. */
    cli_error(so->cli, "scan: writing %s: %s", o->path ? o->path : "stdout",
              ps_strerror(rc));
}

int scan_outputs_begin(struct scan_outputs *so, const struct ps_scan_info *in)
{
    for (size_t i = 0; i < so->count; i++)
        check(so, &so->out[i], ps_scan_writer_begin(so->out[i].writer, in));
    return EXIT_OK;
}

void scan_outputs_host(struct scan_outputs *so, const struct ps_scan_host *h)
{
    scan_progress_clear();
    for (size_t i = 0; i < so->count; i++)
        check(so, &so->out[i], ps_scan_writer_host(so->out[i].writer, h));
}

int scan_outputs_end(struct scan_outputs *so,
                     const struct ps_scan_summary *sum)
{
    int status = EXIT_OK;

    for (size_t i = 0; i < so->count; i++) {
        struct scan_output *o = &so->out[i];
        check(so, o, ps_scan_writer_end(o->writer, sum));
        if (o->path) {
            if (fclose(o->file) != 0)
                check(so, o, PS_EIO);
            o->file = NULL;
        } else if (fflush(o->file) != 0) {
            check(so, o, PS_EIO);
        }
        if (o->failed)
            status = EXIT_FAILURE_;
    }
    return status;
}

void scan_outputs_free(struct scan_outputs *so)
{
    if (!so)
        return;
    for (size_t i = 0; i < so->count; i++) {
        ps_scan_writer_free(so->out[i].writer);
        if (so->out[i].path && so->out[i].file)
            fclose(so->out[i].file);
        free(so->out[i].path);
    }
    free(so);
}
