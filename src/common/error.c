#include "portscope/error.h"
#include "portscope/version.h"

const char *ps_strerror(int code)
{
    switch (code) {
    case PS_OK:
        return "success";
#define PS__ERR_MSG(name, msg)                                                 \
    case PS_E##name:                                                           \
        return msg;
        PS_ERRNO_MAP(PS__ERR_MSG)
#undef PS__ERR_MSG
    default:
        return "unknown error";
    }
}

const char *ps_err_name(int code)
{
    switch (code) {
    case PS_OK:
        return "PS_OK";
#define PS__ERR_NAME(name, msg)                                                \
    case PS_E##name:                                                           \
        return "PS_E" #name;
        PS_ERRNO_MAP(PS__ERR_NAME)
#undef PS__ERR_NAME
    default:
        return "PS_EUNKNOWN";
    }
}

const char *ps_version(void)
{
    return PS_VERSION_STRING;
}
