/* The knowledge base: what ports are used for, how risky they are, and
 * what to use instead. Compiled into the library from data/knowledge/ by
 * tools/gen-knowledge; read-only, so every function here is thread-safe. */
#ifndef PORTSCOPE_KNOWLEDGE_H
#define PORTSCOPE_KNOWLEDGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "portscope/registry.h"

enum ps_risk {
    PS_RISK_NONE,
    PS_RISK_LOW,
    PS_RISK_MEDIUM,
    PS_RISK_HIGH,
    PS_RISK_CRITICAL,
};

/* Flags, a fixed vocabulary (ps_kflag_name gives the data-file spelling). */
enum ps_kflag {
    PS_KFLAG_CLEARTEXT = 1u << 0,       /* credentials or data unencrypted */
    PS_KFLAG_WORM_TARGET = 1u << 1,     /* exploited by worms, remote attacks */
    PS_KFLAG_MALWARE = 1u << 2,         /* a trojan's or backdoor's default */
    PS_KFLAG_AMPLIFICATION = 1u << 3,   /* usable for UDP reflection */
    PS_KFLAG_NO_AUTH_DEFAULT = 1u << 4, /* often deployed without auth */
    PS_KFLAG_LEGACY = 1u << 5,          /* obsolete; rarely needed today */
};
#define PS_KFLAG_COUNT 6

/* One use of a port: who uses it and a short note. */
struct ps_use {
    const char *name;  /* "Sub Seven", "BitTorrent" */
    const char *note;  /* one sentence */
};

struct ps_knowledge {
    uint16_t port, port_end;    /* equal unless a range */
    enum ps_proto proto;
    const char *service;        /* registry name it describes, or "" for any */
    const char *title;          /* "File Transfer Protocol (control)" */
    const char *category;       /* "file-transfer", see ps_categories() */
    enum ps_risk risk;
    unsigned flags;             /* enum ps_kflag bits */
    const struct ps_use *uses;
    unsigned use_count;
    const char *alternative;    /* "" when none: the safer choice and why */
    const char *references;     /* "RFC 959, RFC 4217" or "" */
    const char *related;        /* "20/tcp, 990/tcp" or "" */
    const char *explain;        /* paragraphs split by "\n\n", or "" */
};

/* The whole table, ordered by proto, port, service. */
const struct ps_knowledge *ps_knowledge_all(size_t *count);

/* Entries covering (proto, port), ranges included. Writes up to max to out
 * and returns how many there are. proto may be PS_PROTO_ANY. */
size_t ps_knowledge_find_port(enum ps_proto proto, unsigned port,
                              const struct ps_knowledge **out, size_t max);

/* The entry that describes a registry record: same transport, covering its
 * first port, and naming the record's name or an alias (or naming no
 * service). NULL when there is none. */
const struct ps_knowledge *ps_knowledge_for(const struct ps_service *svc);

/* Writes one entry as a single JSON object and a newline: port, port_end
 * (ranges only), proto, service, title, category, uses [{name, note}],
 * risk, flags, alternative, references, related, explain. Returns 0, PS_EIO
 * or PS_ENOMEM. */
int ps_knowledge_write_json(const struct ps_knowledge *k, FILE *out);

/* The category vocabulary, NULL-terminated. */
const char *const *ps_categories(void);

const char *ps_risk_name(enum ps_risk risk);
/* Parses "none".."critical". Returns 0 or PS_EINVAL. */
int ps_risk_parse(const char *text, enum ps_risk *out);
/* Name of one flag bit ("cleartext"), or NULL for an unknown bit. */
const char *ps_kflag_name(unsigned flag);

#endif
