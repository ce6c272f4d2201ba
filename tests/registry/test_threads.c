/* A sealed registry may be shared between threads: lookups, iteration,
 * search and export from several threads at once give the answers a
 * single thread gets. (Run it under TSan to also catch races.) */
#include "ps_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 4
#define ROUNDS 3

struct job {
    const struct ps_registry *reg;
    unsigned long digest; /* of everything the thread saw */
    int failed;
};

static unsigned long mix(unsigned long h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211ul;
    return h;
}

static unsigned long mix_service(unsigned long h, const struct ps_service *s)
{
    h = mix(h, s->name, strlen(s->name));
    h = mix(h, &s->port, sizeof s->port);
    h = mix(h, &s->port_end, sizeof s->port_end);
    h = mix(h, &s->proto, sizeof s->proto);
    for (unsigned i = 0; i < s->alias_count; i++)
        h = mix(h, s->aliases[i], strlen(s->aliases[i]));
    return h;
}

/* Everything one thread does; returns a digest of the answers. */
static unsigned long work(const struct ps_registry *reg, int *failed)
{
    unsigned long h = 14695981039346656037ul;
    const struct ps_service *out[64];
    for (unsigned port = 0; port < 12000; port++) {
        size_t n = ps_registry_find_port(reg, PS_PROTO_ANY, port, out, 64);
        for (size_t i = 0; i < n && i < 64; i++)
            h = mix_service(h, out[i]);
        float f = ps_registry_frequency(reg, PS_PROTO_TCP, port);
        h = mix(h, &f, sizeof f);
    }
    struct ps_registry_iter it = {0};
    const struct ps_service *s;
    while ((s = ps_registry_next(reg, &it))) {
        size_t n = ps_registry_find_name(reg, s->name[0] ? s->name : "none",
                                         s->proto, out, 64);
        h = mix(h, &n, sizeof n);
    }
    static const char *const words[][2] = {{"mail", NULL}, {"secure", "shell"},
                                            {"web", NULL}, {"quokka", NULL}};
    for (size_t w = 0; w < 4; w++) {
        struct ps_match *m;
        size_t n;
        if (ps_registry_search(reg, words[w], words[w][1] ? 2 : 1, &m, &n) != 0) {
            *failed = 1;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            h = mix_service(h, m[i].service);
            h = mix(h, &m[i].score, sizeof m[i].score);
        }
        free(m);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem || ps_registry_export(reg, PS_EXPORT_JSON, mem) != 0)
        *failed = 1;
    if (mem)
        fclose(mem);
    h = mix(h, buf ? buf : "", len);
    free(buf);
    return h;
}

static void *thread_main(void *arg)
{
    struct job *j = arg;
    for (int r = 0; r < ROUNDS; r++) {
        unsigned long d = work(j->reg, &j->failed);
        if (r > 0 && d != j->digest)
            j->failed = 1;
        j->digest = d;
    }
    return NULL;
}

static void run_threads(const struct ps_registry *reg)
{
    int failed = 0;
    unsigned long want = work(reg, &failed);
    assert_int_equal(failed, 0);
    struct job jobs[THREADS];
    pthread_t tid[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct job){.reg = reg};
        assert_int_equal(pthread_create(&tid[i], NULL, thread_main, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(tid[i], NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(jobs[i].failed, 0);
        if (jobs[i].digest != want)
            fail_msg("thread %d saw other answers than a single thread", i);
    }
}

static struct ps_registry *build(void)
{
    char path[4096];
    struct ps_registry *reg = ps_test_registry(NULL);
    assert_int_equal(ps_registry_add_builtin(reg), 0);
    ps_test_data_path("services.txt", path, sizeof path);
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_SERVICES, "services"), 0);
    ps_test_data_path("nmap-services.txt", path, sizeof path);
    assert_int_equal(ps_registry_load_file(reg, path, PS_FORMAT_NMAP, "nmap"), 0);
    assert_int_equal(ps_registry_seal(reg), 0);
    return reg;
}

static void shared_sealed_registry(void **state)
{
    (void)state;
    struct ps_registry *reg = build();
    run_threads(reg);
    ps_registry_free(reg);
}

static void shared_snapshot(void **state)
{
    (void)state;
    struct ps_registry *reg = build(), *snap = NULL;
    char path[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/ps-threads-%ld.snap", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    assert_int_equal(ps_registry_save(reg, path, "threads"), 0);
    int rc = ps_registry_open_snapshot(&snap, path, "threads", NULL);
    unlink(path);
    assert_int_equal(rc, 0);
    run_threads(snap);
    ps_registry_free(snap);
    ps_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_sealed_registry),
        cmocka_unit_test(shared_snapshot),
    };
    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
