#ifndef PORTSCOPE_VERSION_H
#define PORTSCOPE_VERSION_H

#define PS_VERSION_MAJOR 0
#define PS_VERSION_MINOR 1
#define PS_VERSION_PATCH 0
#define PS_VERSION_STRING "0.1.0"

/* The version of the library actually linked, e.g. "0.1.0". */
const char *ps_version(void);

#endif
