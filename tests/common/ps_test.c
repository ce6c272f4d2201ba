#include "ps_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void log_fn(void *user, enum ps_log_level level, const char *msg)
{
    struct ps_test_log *l = user;
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", msg);
    if (n > 0 && (size_t)n < sizeof l->text - l->len)
        l->len += (size_t)n;
    l->total++;
    if (level == PS_LOG_WARN)
        l->warnings++;
    if (level == PS_LOG_ERROR)
        l->errors++;
}

void ps_test_log_init(struct ps_test_log *l)
{
    memset(l, 0, sizeof *l);
    l->logger.fn = log_fn;
    l->logger.user = l;
    l->logger.max = PS_LOG_DEBUG;
}

struct ps_registry *ps_test_registry(const struct ps_logger *log)
{
    struct ps_registry *reg = NULL;
    assert_int_equal(ps_registry_new(&reg, log), 0);
    assert_non_null(reg);
    return reg;
}

void ps_test_load(struct ps_registry *reg, const char *text, enum ps_format fmt,
                  const char *label, int expect_rc)
{
    int rc = ps_registry_load_buffer(reg, text, strlen(text), fmt, label);
    if (rc != expect_rc)
        fail_msg("loading %s: got %s, expected %s", label, ps_err_name(rc),
                 ps_err_name(expect_rc));
}

struct ps_registry *ps_test_sealed(const char *text, enum ps_format fmt)
{
    struct ps_registry *reg = ps_test_registry(NULL);
    ps_test_load(reg, text, fmt, "test", 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    return reg;
}

const struct ps_service *ps_test_find(const struct ps_registry *reg,
                                      enum ps_proto proto, unsigned port,
                                      const char *name)
{
    const struct ps_service *out[256];
    size_t n = ps_registry_find_port(reg, proto, port, out, 256);
    assert_true(n <= 256);
    for (size_t i = 0; i < n; i++)
        if (strcmp(out[i]->name, name) == 0)
            return out[i];
    return NULL;
}

const struct ps_service *ps_test_get(const struct ps_registry *reg,
                                     enum ps_proto proto, unsigned port,
                                     const char *name)
{
    const struct ps_service *s = ps_test_find(reg, proto, port, name);
    if (!s)
        fail_msg("no record '%s' at %u/%s", name, port, ps_proto_name(proto));
    return s;
}

int ps_test_has_alias(const struct ps_service *svc, const char *a)
{
    for (unsigned i = 0; i < svc->alias_count; i++)
        if (strcmp(svc->aliases[i], a) == 0)
            return 1;
    return 0;
}

int ps_test_source_index(const struct ps_registry *reg, const char *label)
{
    for (size_t i = 0; i < ps_registry_source_count(reg); i++)
        if (strcmp(ps_registry_source(reg, i)->label, label) == 0)
            return (int)i;
    return -1;
}

const char *ps_test_data_path(const char *name, char *buf, size_t len)
{
    const char *dir = getenv("PS_TEST_DATA");
    if (!dir || !*dir)
        fail_msg("PS_TEST_DATA is not set (run the tests through ctest)");
    int n = snprintf(buf, len, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < len);
    return buf;
}

char *ps_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + used, 1, cap - used - 1, f);
        used += n;
        if (n == 0)
            break;
        if (cap - used - 1 == 0) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
}

int ps_test_known_bugs_enabled(void)
{
    const char *v = getenv("PS_TEST_KNOWN_BUGS");
    return v && *v && strcmp(v, "0") != 0;
}
