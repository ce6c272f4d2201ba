/* Keys as lookup and explain take them: every key is checked before any
 * output, so a typo in the last key never leaves half an answer. */
#include <stdlib.h>
#include <strings.h>

#include "cli/cli.h"

int cli_parse_keys(struct cli *cli, const char *cmd, int argc, char **argv,
                   struct ps_key *keys)
{
    int status = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        char err[160];
        if (ps_key_parse(argv[i], &keys[i], err, sizeof err) != 0) {
            cli_error(cli, "%s: key '%s': %s", cmd, argv[i], err);
            status = EXIT_USAGE;
        }
    }
    return status;
}

int cli_check_suspect_keys(struct cli *cli, const char *cmd, int argc, char **argv,
                           const struct ps_key *keys)
{
    int status = EXIT_OK;
    for (int i = 0; i < argc; i++)
        if (keys[i].kind == PS_KEY_NAME && keys[i].suspect &&
            ps_registry_find_name(cli->reg, keys[i].name, PS_PROTO_ANY, NULL, 0) == 0 &&
            !cli_knowledge_names(keys[i].name)) {
            cli_error(cli, "%s: key '%s': %s", cmd, argv[i], keys[i].suspect_msg);
            status = EXIT_USAGE;
        }
    return status;
}

bool cli_knowledge_names(const char *name)
{
    size_t count;
    const struct ps_knowledge *all = ps_knowledge_all(&count);
    for (size_t i = 0; i < count; i++) {
        if (strcasecmp(all[i].service, name) == 0)
            return true;
        for (unsigned u = 0; u < all[i].use_count; u++)
            if (strcasecmp(all[i].uses[u].name, name) == 0)
                return true;
    }
    return false;
}
