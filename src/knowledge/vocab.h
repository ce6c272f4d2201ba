/* The knowledge base's fixed vocabularies, shared by the library and the
 * build-time generator (tools/gen-knowledge) so both agree on every word. */
#ifndef PS_KNOWLEDGE_VOCAB_H
#define PS_KNOWLEDGE_VOCAB_H

#include <stddef.h>

static const char *const ps__category_names[] = {
    "web", "mail", "file-transfer", "file-sharing", "remote-access",
    "name-service", "network-infra", "management", "monitoring", "database",
    "cache", "directory", "authentication", "messaging", "game", "p2p",
    "voip", "streaming", "vpn", "proxy", "printing", "iot", "container",
    "malware", "diagnostic", NULL,
};

/* Indexed by enum ps_risk. */
static const char *const ps__risk_names[] = {
    "none", "low", "medium", "high", "critical",
};

/* Indexed by bit number of enum ps_kflag. */
static const char *const ps__kflag_names[] = {
    "cleartext", "worm-target", "malware", "amplification",
    "no-auth-default", "legacy",
};

#endif
