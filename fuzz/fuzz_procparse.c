/* libFuzzer target: the parsers of /proc text behind socket owners
 * (ps_proc_parse_cgroup, ps_proc_parse_starttime, and the internal comm,
 * uid and btime parsers). Another process chooses its own comm and, inside
 * a container, its cgroup names, so this text is outside input. Every
 * parser sees every input, copied into a buffer of exactly its size so
 * that a read past len is caught; the seeds are real files of this
 * machine's /proc, unchanged. */
#include "fuzz_common.h"

#include "portscope/owners.h"
#include "sockets/owners_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int all_hex(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* Full-size outputs, then tiny ones: the tiny ones must be prefixes. */
static void check_cgroup(const char *text, size_t size)
{
    char unit[256], ctr[65], u4[4], c13[13];

    memset(unit, 'x', sizeof unit);
    memset(ctr, 'x', sizeof ctr);
    ps_proc_parse_cgroup(text, size, unit, sizeof unit, ctr, sizeof ctr);
    FUZZ_CHECK(memchr(unit, '\0', sizeof unit) != NULL);
    FUZZ_CHECK(memchr(ctr, '\0', sizeof ctr) != NULL);
    FUZZ_CHECK(ctr[0] == '\0' || (strlen(ctr) == 64 && all_hex(ctr)));

    ps_proc_parse_cgroup(text, size, u4, sizeof u4, c13, sizeof c13);
    FUZZ_CHECK(strncmp(u4, unit, sizeof u4 - 1) == 0);
    FUZZ_CHECK(strlen(u4) == (strlen(unit) < 3 ? strlen(unit) : 3));
    FUZZ_CHECK(strncmp(c13, ctr, sizeof c13 - 1) == 0);
    ps_proc_parse_cgroup(text, size, NULL, 0, NULL, 0);
}

static void check_stat(const char *text, size_t size)
{
    uint64_t ticks = 0;
    char comm[17];

    int rc = ps_proc_parse_starttime(text, size, &ticks);
    FUZZ_CHECK(rc == 0 || rc == PS_EPARSE);
    /* A starttime needs a comm around it. */
    if (rc == 0)
        FUZZ_CHECK(ps__proc_parse_comm(text, size, NULL, 0) == 0);
    memset(comm, 'x', sizeof comm);
    rc = ps__proc_parse_comm(text, size, comm, sizeof comm);
    FUZZ_CHECK(rc == 0 || rc == PS_EPARSE);
    if (rc == 0)
        FUZZ_CHECK(memchr(comm, '\0', sizeof comm) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly size bytes, no NUL after them. */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);

    check_cgroup(text, size);
    check_stat(text, size);
    uint32_t uid;
    int rc = ps__proc_parse_uid(text, size, &uid);
    FUZZ_CHECK(rc == 0 || rc == PS_EPARSE);
    int64_t btime;
    rc = ps__proc_parse_btime(text, size, &btime);
    FUZZ_CHECK(rc == 0 || rc == PS_EPARSE);
    if (rc == 0)
        FUZZ_CHECK(btime >= 0);

    free(text);
    return 0;
}
