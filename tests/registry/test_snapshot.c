/* Snapshots: a saved registry reopens with the same records, whether it is
 * mapped at its preferred address or relocated; stale and damaged files are
 * refused without crashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "portscope/portscope.h"

static const char services_text[] =
    "ssh 22/tcp # Secure Shell\n"
    "domain 53/udp dns nameserver # names\n"
    "http 80/tcp www www-http # web\n"
    "x11 6000/tcp x11-0 # X\n";

struct fixture {
    char dir[64];
    char services[128];
    char snap[128];
};

static char *export_json(const struct ps_registry *reg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(ps_registry_export(reg, PS_EXPORT_JSON, f), 0);
    fclose(f);
    return text;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static struct ps_registry *build(const char *services_path)
{
    struct ps_registry *reg;
    assert_int_equal(ps_registry_new(&reg, NULL), 0);
    assert_int_equal(ps_registry_add_builtin(reg), 0);
    assert_int_equal(ps_registry_load_file(reg, services_path, PS_FORMAT_SERVICES,
                                           "services"), 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    return reg;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ps-snap-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->services, sizeof f->services, "%s/services", f->dir);
    snprintf(f->snap, sizeof f->snap, "%s/registry.snap", f->dir);
    write_file(f->services, services_text, sizeof services_text - 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    unlink(f->services);
    unlink(f->snap);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    struct ps_registry *reg = build(f->services), *back = NULL, *second = NULL;
    assert_int_equal(ps_registry_save(reg, f->snap, "key-1"), 0);
    assert_int_equal(ps_registry_open_snapshot(&back, f->snap, "key-1", NULL), 0);
    /* The first mapping holds the preferred address, so this one must
     * take the relocation path. */
    assert_int_equal(ps_registry_open_snapshot(&second, f->snap, "key-1", NULL), 0);

    char *want = export_json(reg), *got = export_json(back), *got2 = export_json(second);
    assert_string_equal(want, got);
    assert_string_equal(want, got2);
    assert_int_equal(ps_registry_count(back), ps_registry_count(reg));
    assert_int_equal(ps_registry_source_count(back), 2);
    assert_string_equal(ps_registry_source(back, 1)->path, f->services);

    const struct ps_service *out[4];
    assert_int_equal(ps_registry_find_name(second, "NameServer", PS_PROTO_UDP, out, 4), 1);
    assert_int_equal(out[0]->port, 53);
    assert_int_equal(ps_registry_find_port(back, PS_PROTO_TCP, 6000, out, 4) >= 1, 1);
    free(want);
    free(got);
    free(got2);
    ps_registry_free(second);
    ps_registry_free(back);
    ps_registry_free(reg);
}

static void test_stale(void **state)
{
    struct fixture *f = *state;
    struct ps_registry *reg = build(f->services), *back = NULL;
    assert_int_equal(ps_registry_save(reg, f->snap, "key-1"), 0);
    assert_int_equal(ps_registry_open_snapshot(&back, f->snap, "key-2", NULL), PS_ESTALE);
    assert_null(back);

    /* The same size, a different modification time: stale. */
    struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
    assert_int_equal(utimes(f->services, tv), 0);
    assert_int_equal(ps_registry_open_snapshot(&back, f->snap, "key-1", NULL), PS_ESTALE);
    unlink(f->services);
    assert_int_equal(ps_registry_open_snapshot(&back, f->snap, "key-1", NULL), PS_ESTALE);
    assert_int_equal(ps_registry_open_snapshot(&back, "/nonexistent/x.snap", "k", NULL),
                     PS_ENOENT);
    ps_registry_free(reg);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *data = malloc(*len);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

/* Every damaged variant must be refused or, if its damage is harmless,
 * give a registry that can be walked and exported without a fault. */
static void test_damaged(void **state)
{
    struct fixture *f = *state;
    struct ps_registry *reg = build(f->services), *back;
    assert_int_equal(ps_registry_save(reg, f->snap, "key"), 0);
    size_t len;
    char *good = read_all(f->snap, &len);
    char *bad = malloc(len);
    assert_non_null(bad);

    write_file(f->snap, good, len / 2);
    assert_int_equal(ps_registry_open_snapshot(&back, f->snap, "key", NULL), PS_EPARSE);
    write_file(f->snap, "garbage", 7);
    assert_int_equal(ps_registry_open_snapshot(&back, f->snap, "key", NULL), PS_EPARSE);

    srand(7);
    int refused = 0;
    for (int round = 0; round < 300; round++) {
        memcpy(bad, good, len);
        size_t at = round < 100 ? (size_t)round * 4 % 400 : (size_t)rand() % len;
        bad[at] ^= (char)(1 + rand() % 255);
        write_file(f->snap, bad, len);
        back = NULL;
        int rc = ps_registry_open_snapshot(&back, f->snap, "key", NULL);
        if (rc) {
            assert_null(back);
            refused++;
            continue;
        }
        FILE *null = fopen("/dev/null", "w");
        ps_registry_export(back, PS_EXPORT_CSV, null);
        fclose(null);
        const struct ps_service *out[8];
        for (unsigned p = 0; p < 100; p++)
            ps_registry_find_port(back, PS_PROTO_ANY, p, out, 8);
        ps_registry_find_name(back, "ssh", PS_PROTO_ANY, out, 8);
        ps_registry_free(back);
    }
    assert_true(refused > 50); /* header damage is always caught */
    free(bad);
    free(good);
    ps_registry_free(reg);
}

static void test_unsealed(void **state)
{
    struct fixture *f = *state;
    struct ps_registry *reg;
    assert_int_equal(ps_registry_new(&reg, NULL), 0);
    assert_int_equal(ps_registry_save(reg, f->snap, "key"), PS_ESTATE);
    ps_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsealed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
