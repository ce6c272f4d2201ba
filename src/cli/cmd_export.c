/* portscope export: the whole merged registry in one format. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

static void export_usage(FILE *out)
{
    fputs("Usage: portscope export [--format services|csv|json] [-o FILE]\n"
          "\n"
          "Writes every record of the merged registry, ordered by port and\n"
          "transport:\n"
          "  services  /etc/services syntax (the default); a range becomes one\n"
          "            line per port, and records with no name are left out\n"
          "  csv       a header row, then port,port_end,proto,name,aliases,\n"
          "            description,source,class,frequency\n"
          "  json      JSON Lines, the same objects as lookup --json\n"
          "\n"
          "Options:\n"
          "  -f, --format FMT   services, csv or json (--json means json)\n"
          "  -o, --output FILE  write to FILE, replaced only once complete\n",
          out);
}

struct export_opts {
    const char *format;
    const char *output;
};

static int export_option(struct cli *cli, void *ctx, int opt, const char *arg)
{
    struct export_opts *o = ctx;
    (void)cli;
    if (opt == 'f')
        o->format = arg;
    else if (opt == 'o')
        o->output = arg;
    else
        return EXIT_USAGE;
    return 0;
}

static const struct option export_longopts[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {0, 0, 0, 0},
};

/* Writes straight to something that is not a regular file (a device, a
 * FIFO): replacing it would destroy it. */
static int export_to_special(struct cli *cli, enum ps_export_format fmt,
                             const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_error(cli, "export: cannot open %s: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    int rc = ps_registry_export(cli->reg, fmt, f);
    if (fclose(f) != 0 && rc == 0)
        rc = PS_EIO;
    if (rc) {
        cli_error(cli, "export: writing %s: %s", path, ps_strerror(rc));
        return EXIT_FAILURE_;
    }
    return EXIT_OK;
}

/* Writes to a temporary file beside FILE and renames it over FILE, so an
 * interrupted or failed export never leaves a truncated file behind. A
 * symbolic link is followed, so the file it names is the one replaced, and
 * an existing file keeps its permissions. */
static int export_to_file(struct cli *cli, enum ps_export_format fmt,
                          const char *path)
{
    char tmp[4096], real[4096];
    struct stat st;
    bool existed = stat(path, &st) == 0;
    if (existed && !S_ISREG(st.st_mode))
        return export_to_special(cli, fmt, path);
    mode_t mode = existed ? st.st_mode & 07777 : 0;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(path, real))
        path = real;
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
        cli_error(cli, "export: output path too long");
        return EXIT_USAGE;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cli_error(cli, "export: cannot write beside %s: %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, existed ? mode : 0666 & ~mask);
    FILE *f = fdopen(fd, "w");
    int rc = f ? ps_registry_export(cli->reg, fmt, f) : PS_ENOMEM;
    int err = errno;
    if (f && fclose(f) != 0 && rc == 0) {
        rc = PS_EIO;
        err = errno;
    } else if (!f) {
        close(fd);
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = PS_EIO;
        err = errno;
    }
    if (rc) {
        cli_error(cli, "export: writing %s: %s", path,
                  rc == PS_EIO ? strerror(err) : ps_strerror(rc));
        unlink(tmp);
        return EXIT_FAILURE_;
    }
    return EXIT_OK;
}

static int export_run(struct cli *cli, int argc, char **argv)
{
    struct export_opts o = {0};
    struct cli_parse p = {.cmd = &cmd_export, .shortopts = "f:o:",
                          .longopts = export_longopts,
                          .on_option = export_option, .ctx = &o};
    int status, first = cli_parse_options(cli, argc, argv, &p, &status);
    if (first < 0)
        return status;
    if (first < argc) {
        cli_error(cli, "export: unexpected argument '%s'", argv[first]);
        return EXIT_USAGE;
    }
    enum ps_export_format fmt = cli->json ? PS_EXPORT_JSON : PS_EXPORT_SERVICES;
    if (o.format && ps_export_format_parse(o.format, &fmt)) {
        cli_error(cli, "export: unknown format '%s' (services, csv or json)", o.format);
        return EXIT_USAGE;
    }
    if ((status = cli_load_registry(cli)))
        return status;
    if (o.output && strcmp(o.output, "-") != 0)
        return export_to_file(cli, fmt, o.output);
    int rc = ps_registry_export(cli->reg, fmt, stdout);
    if (rc && rc != PS_EIO)
        cli_error(cli, "export: %s", ps_strerror(rc));
    return cli_finish_output(cli, rc ? EXIT_FAILURE_ : EXIT_OK);
}

const struct cli_command cmd_export = {
    .name = "export",
    .summary = "write the merged registry as services, CSV or JSON",
    .run = export_run,
    .usage = export_usage,
};
