/* Loads the registry sources the options and environment name. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define SYSTEM_SERVICES "/etc/services"
#define SYSTEM_NMAP "/usr/share/nmap/nmap-services"

/* A default file may be missing; one the user named may not. */
static int load_one(struct cli *cli, const char *path, enum ps_format fmt,
                    const char *label, bool named, const char *how)
{
    int rc = ps_registry_load_file(cli->reg, path, fmt, label);
    if (rc == PS_ENOENT && !named)
        return 0;
    if (rc == PS_ENOMEM) {
        cli_error(cli, "out of memory loading %s", path);
        return EXIT_FAILURE_;
    }
    if (rc) {
        cli_error(cli, "%s %s: %s", how, path,
                  rc == PS_EPARSE ? "no line in it is a registry entry"
                                  : ps_strerror(rc));
        return named ? EXIT_USAGE : 0;
    }
    size_t n = ps_registry_source_count(cli->reg);
    const struct ps_source *s = ps_registry_source(cli->reg, n - 1);
    if (s->skipped && named && cli->verbose == 0)
        cli_warn(cli, "%s: %zu malformed line%s skipped (first at line %zu; "
                 "-v lists them)", path, s->skipped, s->skipped == 1 ? "" : "s",
                 s->first_bad_line);
    return 0;
}

static int load_env_list(struct cli *cli)
{
    const char *env = getenv("PORTSCOPE_REGISTRY");
    if (!env || !*env)
        return 0;
    char *copy = strdup(env), *save = NULL;
    int status = copy ? 0 : EXIT_FAILURE_;
    for (char *path = copy ? strtok_r(copy, ":", &save) : NULL;
         path && status == 0; path = strtok_r(NULL, ":", &save))
        status = load_one(cli, path, PS_FORMAT_AUTO, NULL, true,
                          "PORTSCOPE_REGISTRY");
    free(copy);
    return status;
}

int cli_load_registry(struct cli *cli)
{
    int status;

    if (cli->reg)
        return 0;
    if (ps_registry_new(&cli->reg, &cli->log) || ps_registry_add_builtin(cli->reg)) {
        cli_error(cli, "out of memory");
        return EXIT_FAILURE_;
    }
    if (!cli->no_system || cli->services_path) {
        status = load_one(cli, cli->services_path ? cli->services_path : SYSTEM_SERVICES,
                          PS_FORMAT_SERVICES, "services", cli->services_path != NULL,
                          "--services");
        if (status)
            return status;
    }
    if (!cli->no_system || cli->nmap_path) {
        status = load_one(cli, cli->nmap_path ? cli->nmap_path : SYSTEM_NMAP,
                          PS_FORMAT_NMAP, "nmap", cli->nmap_path != NULL,
                          "--nmap-services");
        if (status)
            return status;
    }
    if ((status = load_env_list(cli)))
        return status;
    for (size_t i = 0; i < cli->registry_count; i++)
        if ((status = load_one(cli, cli->registries[i], PS_FORMAT_AUTO, NULL,
                               true, "--registry")))
            return status;
    if (ps_registry_seal(cli->reg)) {
        cli_error(cli, "out of memory");
        return EXIT_FAILURE_;
    }
    return 0;
}
