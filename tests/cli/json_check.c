/* ps-json-check: checks JSON Lines on stdin for the CLI tests, so they need
 * neither jq nor python.
 *
 *   ps-json-check [--lines N] [--require KEY]... [--forbid KEY]...
 *                 [--print PATH]...
 *
 * Every non-empty line must be one JSON object. --require/--forbid name keys
 * every object must have / must not have. --print writes, per line, the
 * values at each PATH (dotted keys, array indexes as numbers:
 * "host.reserved.0.first") separated by tabs: strings raw, null as "null",
 * a missing value as "(missing)", reals with 6 significant digits,
 * anything else as compact JSON.
 * Exit status: 0 all good, 1 a check failed (message on stderr), 2 usage. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 32

static json_t *at_path(json_t *v, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    for (char *part = strtok_r(buf, ".", &save); v && part;
         part = strtok_r(NULL, ".", &save)) {
        if (json_is_array(v)) {
            char *end;
            unsigned long i = strtoul(part, &end, 10);
            v = *end ? NULL : json_array_get(v, i);
        } else {
            v = json_object_get(v, part);
        }
    }
    return v;
}

static void print_value(json_t *v)
{
    if (!v) {
        fputs("(missing)", stdout);
    } else if (json_is_string(v)) {
        fputs(json_string_value(v), stdout);
    } else if (json_is_real(v)) {
        printf("%g", json_real_value(v)); /* 6 significant digits */
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        fputs(s ? s : "?", stdout);
        free(s);
    }
}

int main(int argc, char **argv)
{
    const char *require[MAX_ARGS], *forbid[MAX_ARGS], *print[MAX_ARGS];
    size_t nreq = 0, nforbid = 0, nprint = 0;
    long want_lines = -1;

    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            fprintf(stderr, "ps-json-check: '%s' needs a value\n", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--require") == 0 && nreq < MAX_ARGS)
            require[nreq++] = argv[++i];
        else if (strcmp(argv[i], "--forbid") == 0 && nforbid < MAX_ARGS)
            forbid[nforbid++] = argv[++i];
        else if (strcmp(argv[i], "--print") == 0 && nprint < MAX_ARGS)
            print[nprint++] = argv[++i];
        else if (strcmp(argv[i], "--lines") == 0)
            want_lines = strtol(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "ps-json-check: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }

    char *line = NULL;
    size_t cap = 0;
    long lines = 0;
    int bad = 0;
    ssize_t len;
    while (!bad && (len = getline(&line, &cap, stdin)) != -1) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len == 0)
            continue;
        lines++;
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (!o || !json_is_object(o)) {
            fprintf(stderr, "ps-json-check: line %ld is not a JSON object (%s): %s\n",
                    lines, o ? "other JSON value" : err.text, line);
            bad = 1;
        }
        for (size_t k = 0; !bad && k < nreq; k++)
            if (!at_path(o, require[k])) {
                fprintf(stderr, "ps-json-check: line %ld has no \"%s\": %s\n",
                        lines, require[k], line);
                bad = 1;
            }
        for (size_t k = 0; !bad && k < nforbid; k++)
            if (at_path(o, forbid[k])) {
                fprintf(stderr, "ps-json-check: line %ld has \"%s\": %s\n", lines,
                        forbid[k], line);
                bad = 1;
            }
        for (size_t k = 0; !bad && k < nprint; k++) {
            if (k)
                fputc('\t', stdout);
            print_value(at_path(o, print[k]));
            if (k + 1 == nprint)
                fputc('\n', stdout);
        }
        json_decref(o);
    }
    free(line);
    if (!bad && want_lines >= 0 && lines != want_lines) {
        fprintf(stderr, "ps-json-check: %ld lines, expected %ld\n", lines, want_lines);
        bad = 1;
    }
    return bad;
}
