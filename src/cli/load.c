/* Loads the registry sources the options and environment name, through a
 * snapshot in the user's cache when one matches. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

#define SYSTEM_SERVICES "/etc/services"
#define SYSTEM_NMAP "/usr/share/nmap/nmap-services"

/* One source to load: path, format, label; named means the user asked for
 * it, so it must exist. */
struct source_req {
    const char *path;
    enum ps_format format;
    const char *label;
    bool named;
    const char *how;     /* the option that named it, for messages */
};

struct plan {
    struct source_req req[PS_SOURCES_MAX];
    size_t count;
    char *env_copy;      /* PORTSCOPE_REGISTRY, split in place */
    char key[8192];      /* describes the plan, for the snapshot */
    bool uncacheable;    /* key cut short, or a source failed to load */
};

static int plan_add(struct cli *cli, struct plan *p, struct source_req r)
{
    struct stat st;
    if (!r.named && stat(r.path, &st) != 0)
        return 0; /* a missing default file is simply not there */
    if (p->count == PS_SOURCES_MAX - 1) {
        cli_error(cli, "too many registry files (at most %u)", PS_SOURCES_MAX - 1);
        return EXIT_USAGE;
    }
    p->req[p->count++] = r;
    size_t used = strlen(p->key);
    int n = snprintf(p->key + used, sizeof p->key - used, "|%d:%s:%s", (int)r.format,
                     r.label ? r.label : "", r.path);
    if (n < 0 || (size_t)n >= sizeof p->key - used)
        p->uncacheable = true; /* two plans must never share a key */
    return 0;
}

static int plan_build(struct cli *cli, struct plan *p)
{
    int rc = 0;
    snprintf(p->key, sizeof p->key, "portscope-registry");
    if (!cli->no_system || cli->services_path)
        rc = plan_add(cli, p, (struct source_req){
            cli->services_path ? cli->services_path : SYSTEM_SERVICES,
            PS_FORMAT_SERVICES, "services", cli->services_path != NULL,
            cli->services_path ? "--services" : "reading"});
    if (rc == 0 && (!cli->no_system || cli->nmap_path))
        rc = plan_add(cli, p, (struct source_req){
            cli->nmap_path ? cli->nmap_path : SYSTEM_NMAP, PS_FORMAT_NMAP, "nmap",
            cli->nmap_path != NULL, cli->nmap_path ? "--nmap-services" : "reading"});
    const char *env = getenv("PORTSCOPE_REGISTRY");
    if (rc == 0 && env && *env) {
        char *save = NULL;
        if (!(p->env_copy = strdup(env)))
            return EXIT_FAILURE_;
        for (char *path = strtok_r(p->env_copy, ":", &save); path && rc == 0;
             path = strtok_r(NULL, ":", &save))
            rc = plan_add(cli, p, (struct source_req){path, PS_FORMAT_AUTO, NULL,
                                                      true, "PORTSCOPE_REGISTRY"});
    }
    for (size_t i = 0; rc == 0 && i < cli->registry_count; i++)
        rc = plan_add(cli, p, (struct source_req){cli->registries[i], PS_FORMAT_AUTO,
                                                  NULL, true, "--registry"});
    return rc;
}

static int load_one(struct cli *cli, const struct source_req *r, bool *failed)
{
    int rc = ps_registry_load_file(cli->reg, r->path, r->format, r->label);
    if (rc == PS_ENOMEM) {
        cli_error(cli, "out of memory loading %s", r->path);
        return EXIT_FAILURE_;
    }
    if (rc) {
        *failed = true; /* a snapshot would hide it once it is readable */
        cli_error(cli, "%s %s: %s", r->how, r->path,
                  rc == PS_EPARSE ? "not a registry file (nothing in it could be read)"
                                  : ps_strerror(rc));
        return r->named ? EXIT_USAGE : 0;
    }
    return 0;
}

/* Malformed lines in files the user named deserve a word even when the
 * registry came from a snapshot; system files stay quiet unless -v. */
static void warn_skipped(const struct cli *cli, const struct plan *p)
{
    if (cli->verbose)
        return; /* each line was reported as it was read */
    for (size_t i = 0; i < ps_registry_source_count(cli->reg); i++) {
        const struct ps_source *s = ps_registry_source(cli->reg, i);
        for (size_t k = 0; s->path && s->skipped && k < p->count; k++)
            if (p->req[k].named && strcmp(p->req[k].path, s->path) == 0) {
                cli_warn(cli, "%s: %zu malformed line%s skipped (first at line "
                         "%zu; -v lists them)", s->path, s->skipped,
                         s->skipped == 1 ? "" : "s", s->first_bad_line);
                break;
            }
    }
}

/* $PORTSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/portscope, else
 * ~/.cache/portscope. Returns false when there is none. */
static bool cache_path(const struct plan *p, char *out, size_t len, char *dir,
                       size_t dirlen)
{
    const char *env = getenv("PORTSCOPE_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(dir, dirlen, "%s", env);
    else if (xdg && *xdg == '/')
        n = snprintf(dir, dirlen, "%s/portscope", xdg);
    else if (home && *home == '/')
        n = snprintf(dir, dirlen, "%s/.cache/portscope", home);
    else
        return false;
    if (n < 0 || (size_t)n >= dirlen)
        return false;
    uint32_t h = 2166136261u;
    for (const char *c = p->key; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    n = snprintf(out, len, "%s/registry-%08x.snap", dir, h);
    return n > 0 && (size_t)n < len;
}

/* Creates dir and its missing parents, private to the user. */
static void make_dirs(char *dir)
{
    for (char *s = dir + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(dir, 0700);
            *s = '/';
        }
    mkdir(dir, 0700);
}

static int load_sources(struct cli *cli, struct plan *p)
{
    if (ps_registry_new(&cli->reg, &cli->log) || ps_registry_add_builtin(cli->reg)) {
        cli_error(cli, "out of memory");
        return EXIT_FAILURE_;
    }
    for (size_t i = 0; i < p->count; i++) {
        int status = load_one(cli, &p->req[i], &p->uncacheable);
        if (status)
            return status;
    }
    if (ps_registry_seal(cli->reg)) {
        cli_error(cli, "out of memory");
        return EXIT_FAILURE_;
    }
    return 0;
}

int cli_load_registry(struct cli *cli)
{
    struct plan *p = calloc(1, sizeof *p);
    char path[4096], dir[4096];
    int status;

    if (cli->reg)
        return 0;
    if (!p)
        return EXIT_FAILURE_;
    status = plan_build(cli, p);
    bool cached = status == 0 && !cli->no_cache && cli->verbose == 0 && !p->uncacheable &&
                  cache_path(p, path, sizeof path, dir, sizeof dir);
    if (status == 0 && !(cached &&
                         ps_registry_open_snapshot(&cli->reg, path, p->key, &cli->log) == 0)) {
        status = load_sources(cli, p);
        if (status == 0 && cached && !p->uncacheable) {
            make_dirs(dir);
            /* A cache that cannot be written only costs speed next time. */
            (void)ps_registry_save(cli->reg, path, p->key);
        }
    }
    if (status == 0)
        warn_skipped(cli, p);
    free(p->env_copy);
    free(p);
    return status;
}
