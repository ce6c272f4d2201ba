/* Names of the registry's enums, and parsing them back. */
#include <string.h>

#include "registry/internal.h"

static const char *const proto_names[PS_PROTO_COUNT] = {"tcp", "udp", "sctp",
                                                        "dccp", "ddp"};

const char *ps_proto_name(enum ps_proto proto)
{
    return proto < PS_PROTO_COUNT ? proto_names[proto] : "any";
}

int ps_proto_parse(const char *text, size_t len, enum ps_proto *out)
{
    for (int p = 0; p < PS_PROTO_COUNT; p++) {
        const char *n = proto_names[p];
        if (strlen(n) != len)
            continue;
        size_t i = 0;
        while (i < len && ps__lower((unsigned char)text[i]) == n[i])
            i++;
        if (i == len) {
            *out = (enum ps_proto)p;
            return 0;
        }
    }
    return PS_EINVAL;
}

enum ps_port_class ps_port_class_of(unsigned port)
{
    if (port <= 1023)
        return PS_CLASS_SYSTEM;
    return port <= 49151 ? PS_CLASS_USER : PS_CLASS_DYNAMIC;
}

const char *ps_port_class_name(enum ps_port_class cls)
{
    switch (cls) {
    case PS_CLASS_SYSTEM:
        return "system";
    case PS_CLASS_USER:
        return "user";
    case PS_CLASS_DYNAMIC:
        return "dynamic";
    }
    return "unknown";
}

const char *ps_format_name(enum ps_format fmt)
{
    switch (fmt) {
    case PS_FORMAT_AUTO:
        return "auto";
    case PS_FORMAT_SERVICES:
        return "services";
    case PS_FORMAT_NMAP:
        return "nmap-services";
    case PS_FORMAT_IANA:
        return "iana-csv";
    }
    return "unknown";
}
