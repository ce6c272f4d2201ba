/* libFuzzer target: the scan target parser (portscope/targets.h): specs,
 * --exclude lists, -iL and --excludefile files, counts and the iterator.
 *
 * Input: byte 0 is the mode, the rest is "SPEC|EXCLUDE|FILE": the text up
 * to the first '|' is one target spec, the text up to the second '|' an
 * --exclude list, and everything after it the contents of a file (kept in
 * a memfd and opened through /proc/self/fd). A NUL ends a part early, as in
 * argv. Mode bits: 0 PS_TARGETS_PREFER_V6; 1 a fake resolver (else
 * PS_TARGETS_NO_RESOLVE); 2 exclusions added before the targets (else
 * after). No name is ever resolved for real: the fake resolver derives an
 * address in 198.18.0.0/15 or 2001:db8::/32 from the name's hash.
 *
 * Contracts checked: return codes and messages; a failed call leaves the
 * count as it was; a list without file hostnames produces exactly its
 * count (the count and the iterator compute exclusions by different
 * paths); one spec comes out in ascending order; every address produced
 * parses back as a spec; an address is produced under the exclusions
 * exactly when a list of that one address, with the same exclusions,
 * counts 1. */
#include "fuzz_common.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portscope/targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WALK_MAX 4096u  /* addresses walked per list */
#define ORACLE_MAX 8u   /* addresses checked one by one */

static int memfd = -1;
static char memfd_path[64];

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int fake_resolve(void *ud, const char *name, int prefer_v6,
                        struct ps_ip *out)
{
    (void)ud;
    FUZZ_CHECK(name && *name);
    uint32_t h = hash(name);
    if (h % 5 == 0)
        return PS_ENOENT;
    memset(out, 0, sizeof *out);
    if (prefer_v6 && h % 7 != 0) { /* now and then the other family */
        static const uint8_t db8[4] = {0x20, 0x01, 0x0d, 0xb8};
        out->family = AF_INET6;
        memcpy(out->bytes, db8, 4);
        memcpy(out->bytes + 12, &h, 4);
    } else {
        out->family = AF_INET;
        out->bytes[0] = 198;
        out->bytes[1] = (uint8_t)(18 + (h & 1));
        out->bytes[2] = (uint8_t)(h >> 8);
        out->bytes[3] = (uint8_t)(h >> 16);
    }
    return 0;
}

static struct ps_targets *new_list(unsigned mode)
{
    unsigned flags = (mode & 1) ? PS_TARGETS_PREFER_V6 : 0;
    if (!(mode & 2))
        flags |= PS_TARGETS_NO_RESOLVE;
    struct ps_targets *t = ps_targets_new(flags, &fuzz_logger);
    FUZZ_CHECK(t != NULL);
    if (mode & 2)
        ps_targets_set_resolver(t, fake_resolve, NULL);
    return t;
}

/* Checks the result of a call that may fail: a known code, a message, and
 * on failure an unchanged count. */
static void check_call(int rc, const char *err, const struct ps_targets *t,
                       uint64_t before)
{
    FUZZ_CHECK(memchr(err, '\0', 256) != NULL);
    if (rc == 0)
        return;
    FUZZ_CHECK(rc == PS_EPARSE || rc == PS_ERANGE || rc == PS_ENOENT ||
               rc == PS_EUNSUPP || rc == PS_ELIMIT || rc == PS_ESTALE);
    FUZZ_CHECK(err[0] != '\0');
    FUZZ_CHECK(ps_targets_count(t) == before);
}

/* Walks up to WALK_MAX addresses of t into out (may be NULL); returns how
 * many, and sets *done when the end was reached. */
static size_t walk(const struct ps_targets *t, struct ps_ip *out, int *done)
{
    struct ps_target_iter *it = ps_target_iter_new(t);
    FUZZ_CHECK(it != NULL);
    struct ps_target tg;
    size_t n = 0;
    int rc = 0;
    *done = 0;
    while (n < WALK_MAX && (rc = ps_target_iter_next(it, &tg)) == 1) {
        FUZZ_CHECK(tg.ip.family == AF_INET || tg.ip.family == AF_INET6);
        if (tg.ip.family == AF_INET) {
            for (int i = 4; i < 16; i++)
                FUZZ_CHECK(tg.ip.bytes[i] == 0);
        }
        if (tg.name)
            FUZZ_CHECK(strlen(tg.name) > 0);
        if (out)
            out[n] = tg.ip;
        n++;
    }
    FUZZ_CHECK(rc >= 0);
    if (n < WALK_MAX || ps_target_iter_next(it, &tg) == 0)
        *done = 1;
    ps_target_iter_free(it);
    return n;
}

static int ip_cmp(const struct ps_ip *a, const struct ps_ip *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->bytes, b->bytes, 16);
}

/* The count of a list holding only ip, with the exclusions excl. */
static uint64_t single_count(unsigned mode, const struct ps_ip *ip,
                             const char *excl)
{
    char a[64], err[256];
    struct ps_targets *t = new_list(mode);
    FUZZ_CHECK(ps_targets_exclude(t, excl, err, sizeof err) == 0);
    FUZZ_CHECK(ps_targets_add(t, ps_ip_format(ip, a, sizeof a), err,
                              sizeof err) == 0);
    uint64_t n = ps_targets_count(t);
    ps_targets_free(t);
    return n;
}

/* One spec alone, then with the exclusions. */
static void fuzz_spec(unsigned mode, const char *spec, const char *excl)
{
    static struct ps_ip all[WALK_MAX], kept[WALK_MAX];
    char err[256];
    memset(err, 'x', sizeof err);
    struct ps_targets *t = new_list(mode);
    int rc = ps_targets_add(t, spec, err, sizeof err);
    check_call(rc, err, t, 0);
    if (rc) {
        ps_targets_free(t);
        return;
    }
    FUZZ_CHECK(err[0] == '\0');
    uint64_t count = ps_targets_count(t);
    FUZZ_CHECK(count >= 1 && count <= (UINT64_C(1) << 32));
    int done;
    size_t n = walk(t, all, &done);
    FUZZ_CHECK(done ? n == count : count > WALK_MAX);
    for (size_t i = 1; i < n; i++)
        FUZZ_CHECK(ip_cmp(&all[i - 1], &all[i]) < 0);
    for (size_t i = 0; i < n && i < 4; i++) {
        char a[64];
        struct ps_targets *back = new_list(mode & ~2u);
        FUZZ_CHECK(ps_targets_add(back, ps_ip_format(&all[i], a, sizeof a),
                                  err, sizeof err) == 0);
        FUZZ_CHECK(ps_targets_count(back) == 1);
        ps_targets_free(back);
    }

    rc = ps_targets_exclude(t, excl, err, sizeof err);
    check_call(rc, err, t, count);
    if (rc == 0) {
        uint64_t left = ps_targets_count(t);
        FUZZ_CHECK(left <= count);
        size_t m = walk(t, kept, &done);
        FUZZ_CHECK(done ? m == left : left > WALK_MAX);
        /* What is kept is what a one-address list keeps. */
        size_t j = 0;
        for (size_t i = 0; i < n && i < ORACLE_MAX; i++) {
            int in = j < m && ip_cmp(&kept[j], &all[i]) == 0;
            FUZZ_CHECK(single_count(mode, &all[i], excl) == (uint64_t)in);
            j += in;
        }
    }
    ps_targets_free(t);
}

/* The file as -iL, with the spec and exclusions around it, and as an
 * --excludefile. */
static void fuzz_file(unsigned mode, const char *spec, const char *excl)
{
    char err[256];
    memset(err, 'x', sizeof err);
    struct ps_targets *t = new_list(mode);
    uint64_t before;
    int rc;
    if (mode & 4) {
        before = ps_targets_count(t);
        rc = ps_targets_exclude(t, excl, err, sizeof err);
        check_call(rc, err, t, before);
    }
    before = ps_targets_count(t);
    rc = ps_targets_add_file(t, memfd_path, err, sizeof err);
    check_call(rc, err, t, before);
    before = ps_targets_count(t);
    rc = ps_targets_add(t, spec, err, sizeof err);
    check_call(rc, err, t, before);
    if (!(mode & 4)) {
        before = ps_targets_count(t);
        rc = ps_targets_exclude(t, excl, err, sizeof err);
        check_call(rc, err, t, before);
    }
    uint64_t count = ps_targets_count(t);
    int done;
    size_t n = walk(t, NULL, &done);
    if (mode & 2) /* file hostnames count before exclusions, resolved or not */
        FUZZ_CHECK(n <= count);
    else
        FUZZ_CHECK(done ? n == count : count > WALK_MAX);
    ps_targets_free(t);

    t = new_list(mode);
    rc = ps_targets_exclude_file(t, memfd_path, err, sizeof err);
    check_call(rc, err, t, 0);
    if (rc == 0 && ps_targets_add(t, spec, err, sizeof err) == 0)
        FUZZ_CHECK(ps_targets_count(t) <= (UINT64_C(1) << 32));
    ps_targets_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        memfd = memfd_create("fuzz_targets", MFD_CLOEXEC);
        FUZZ_CHECK(memfd >= 0);
        snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
    }
    if (size == 0)
        return 0;
    unsigned mode = data[0];
    data++;
    size--;

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *spec = text, *excl = "", *file = NULL;
    size_t file_len = 0;
    char *bar = memchr(text, '|', size);
    if (bar) {
        *bar = '\0';
        excl = bar + 1;
        char *bar2 = memchr(excl, '|', size - (size_t)(excl - text));
        if (bar2) {
            *bar2 = '\0';
            file = bar2 + 1;
            file_len = size - (size_t)(file - text);
        }
    }
    FUZZ_CHECK(ftruncate(memfd, 0) == 0);
    if (file_len)
        FUZZ_CHECK(pwrite(memfd, file, file_len, 0) == (ssize_t)file_len);

    fuzz_spec(mode, spec, excl);
    fuzz_file(mode, spec, excl);

    /* A tiny error buffer is cut, not overrun. */
    struct ps_targets *t = new_list(mode);
    char small[5];
    if (ps_targets_add(t, spec, small, sizeof small) != 0)
        FUZZ_CHECK(memchr(small, '\0', sizeof small) != NULL);
    (void)ps_targets_exclude(t, excl, NULL, 0);
    ps_targets_free(t);
    free(text);
    return 0;
}
