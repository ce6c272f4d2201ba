/* What the build-time generators share: where they are in their input, and
 * how they stop on a bad line. Generators are programs, not library code,
 * so exiting here is right. */
#ifndef PS_TOOLS_GEN_COMMON_H
#define PS_TOOLS_GEN_COMMON_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *gen_file;          /* input being read, for messages */
static unsigned long gen_line;        /* its current line */
static const char *gen_output;        /* removed on failure: no half table */

/* Prints "FILE:LINE: message", removes the partial output and exits 1. */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%lu: ", gen_file, gen_line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (gen_output)
        remove(gen_output);
    exit(1);
}

#endif
