/* Entry points that add a source: the built-in table, files and buffers. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry/builtin.h"
#include "registry/internal.h"

int ps_registry_add_builtin(struct ps_registry *reg)
{
    int src = ps__registry_add_source(reg, "builtin", NULL, PS_FORMAT_SERVICES);
    if (src < 0)
        return src;
    for (size_t i = 0; i < ps__builtin_service_count; i++) {
        const struct ps__builtin_service *b = &ps__builtin_services[i];
        struct ps__entry e = {
            .name = b->name, .name_len = strlen(b->name),
            .desc = b->description, .desc_len = strlen(b->description),
            .port = b->port, .port_end = b->port_end,
            .proto = (enum ps_proto)b->proto, .frequency = -1, .stable = true,
        };
        for (size_t k = 0; k < PS__BUILTIN_ALIASES && b->aliases[k]; k++) {
            e.aliases[k] = b->aliases[k];
            e.alias_lens[k] = strlen(b->aliases[k]);
            e.alias_count++;
        }
        int rc = ps__registry_put(reg, (size_t)src, &e);
        if (rc)
            return rc;
    }
    reg->sources[src].lines = ps__builtin_service_count;
    return 0;
}

static bool starts_with_ci(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ps__lower((unsigned char)s[i]) != prefix[i])
            return false;
    return true;
}

/* Looks at the first line that is not a comment: IANA's CSV starts with its
 * header; nmap-services has a number from 0 to 1 as the third field. */
enum ps_format ps_format_detect(const char *data, size_t len)
{
    const char *p = data, *end = data + len;

    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* UTF-8 byte order mark */
    if (starts_with_ci(p, (size_t)(end - p), "service name,"))
        return PS_FORMAT_IANA;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end, *q = p;
        while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < stop && *q != '#') {
            int field = 0;
            while (q < stop && *q != '#') {
                const char *t = q;
                while (q < stop && *q != ' ' && *q != '\t' && *q != '\r' && *q != '#')
                    q++;
                if (++field == 3) {
                    bool num = t < q && *t >= '0' && *t <= '1' && memchr(t, '.', (size_t)(q - t));
                    return num ? PS_FORMAT_NMAP : PS_FORMAT_SERVICES;
                }
                while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r'))
                    q++;
            }
            return PS_FORMAT_SERVICES;
        }
        p = stop + 1;
    }
    return PS_FORMAT_SERVICES;
}

static int keep_buffer(struct ps_registry *reg, char *data)
{
    char **grown = realloc(reg->buffers, (reg->buffer_count + 1) * sizeof *grown);
    if (!grown)
        return PS_ENOMEM;
    reg->buffers = grown;
    reg->buffers[reg->buffer_count++] = data;
    return 0;
}

/* Takes ownership of data (len bytes plus a NUL). */
static int load_owned(struct ps_registry *reg, char *data, size_t len,
                      enum ps_format fmt, const char *label, const char *path,
                      const struct stat *st)
{
    int rc = keep_buffer(reg, data);
    if (rc) {
        free(data);
        return rc;
    }
    if (fmt == PS_FORMAT_AUTO)
        fmt = ps_format_detect(data, len);
    if (!label)
        label = fmt == PS_FORMAT_IANA ? "iana" : path;
    int src = ps__registry_add_source(reg, label, path, fmt);
    if (src < 0)
        return src;
    if (st)
        reg->stamps[src] = (struct ps__stamp){
            .dev = st->st_dev, .ino = st->st_ino, .size = (uint64_t)st->st_size,
            .mtime_sec = st->st_mtim.tv_sec, .mtime_nsec = st->st_mtim.tv_nsec};
    if (fmt == PS_FORMAT_IANA)
        rc = ps__parse_iana(reg, (size_t)src, data, len);
    else
        rc = ps__parse_services(reg, (size_t)src, data, len, fmt == PS_FORMAT_NMAP);
    if (rc)
        return rc;
    const struct ps_source *s = &reg->sources[src];
    if (s->records == 0 && s->skipped > 0)
        return PS_EPARSE;
    return 0;
}

int ps_registry_load_file(struct ps_registry *reg, const char *path,
                          enum ps_format fmt, const char *label)
{
    char *data;
    size_t len;
    struct stat st;

    if (!reg || !path)
        return PS_EINVAL;
    if (reg->sealed)
        return PS_ESTATE;
    int rc = ps__read_file(path, &data, &len, &st);
    if (rc) {
        ps__log(&reg->log, PS_LOG_DEBUG, "%s: %s", path, ps_strerror(rc));
        return rc;
    }
    return load_owned(reg, data, len, fmt, label, path, &st);
}

int ps_registry_load_buffer(struct ps_registry *reg, const char *data,
                            size_t len, enum ps_format fmt, const char *label)
{
    if (!reg || (!data && len) || !label)
        return PS_EINVAL;
    if (reg->sealed)
        return PS_ESTATE;
    char *copy = malloc(len + 1);
    if (!copy)
        return PS_ENOMEM;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return load_owned(reg, copy, len, fmt, label, NULL, NULL);
}
