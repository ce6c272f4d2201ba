/* Fuzzes ps_registry_open_snapshot(): a snapshot lives in a user-writable
 * cache, so a damaged or hostile file must be refused or used safely.
 *
 * A snapshot only reaches the interesting checks when its build id and key
 * match, and the build id changes with every build, so a committed corpus of
 * whole files would be refused at the first check. Instead the input is a
 * patch applied to a valid snapshot made at start-up:
 *
 *   byte 0-1     new length, as a fraction of the original (0xffff: keep)
 *   then records of  u32 offset, u8 length, that many bytes  to overwrite
 *
 * so the fuzzer explores damage inside a file that is otherwise well made. */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz_common.h"

static char *good;       /* the valid snapshot */
static size_t good_len;
static char path[64];

static const char services[] =
    "ssh 22/tcp secure-shell # Secure Shell\n"
    "domain 53/udp dns nameserver # names\n"
    "x11 6000/tcp x11-0 # X\n"
    "http 80/tcp www # web\n";
static const char nmap[] =
    "ssh 22/tcp 0.182286 # SSH\n"
    "unknown 4/tcp 0.000477\n"
    "http 80/tcp 0.484143 # web\n";

static void make_snapshot(void)
{
    struct ps_registry *reg;
    if (ps_registry_new(&reg, NULL) || ps_registry_add_builtin(reg) ||
        ps_registry_load_buffer(reg, services, sizeof services - 1, PS_FORMAT_SERVICES,
                                "services") ||
        ps_registry_load_buffer(reg, nmap, sizeof nmap - 1, PS_FORMAT_NMAP, "nmap") ||
        ps_registry_seal(reg) || ps_registry_save(reg, path, "k"))
        abort();
    ps_registry_free(reg);
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0)
        abort();
    good_len = (size_t)ftell(f);
    rewind(f);
    good = malloc(good_len);
    if (!good || fread(good, 1, good_len, f) != good_len)
        abort();
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/tmp/fuzz-snapshot-%ld.snap", (long)getpid());
    make_snapshot();
    return 0;
}

static void exercise(const struct ps_registry *reg)
{
    const struct ps_service *out[16];
    for (unsigned p = 0; p < 100; p++)
        FUZZ_CHECK(ps_registry_find_port(reg, PS_PROTO_ANY, p, out, 16) < 1000000);
    ps_registry_find_port(reg, PS_PROTO_TCP, 6031, out, 16);
    ps_registry_find_name(reg, "ssh", PS_PROTO_ANY, out, 16);
    ps_registry_find_name(reg, "nameserver", PS_PROTO_UDP, out, 16);
    ps_registry_frequency(reg, PS_PROTO_TCP, 22);
    ps_registry_frequency(reg, PS_PROTO_UDP, 9999);
    const char *words[] = {"secure"};
    struct ps_match *m;
    size_t n;
    if (ps_registry_search(reg, words, 1, &m, &n) == 0)
        free(m);
    for (int f = PS_EXPORT_SERVICES; f <= PS_EXPORT_JSON; f++)
        ps_registry_export(reg, (enum ps_export_format)f, fuzz_devnull());
    for (size_t i = 0; i < ps_registry_source_count(reg); i++)
        FUZZ_CHECK(ps_registry_source(reg, i)->label != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(good_len);
    if (!buf)
        return 0;
    memcpy(buf, good, good_len);
    size_t len = good_len;
    if (size >= 2) {
        unsigned frac = (unsigned)data[0] << 8 | data[1];
        if (frac != 0xffff)
            len = good_len * frac / 0xffff;
        data += 2;
        size -= 2;
    }
    while (size >= 5) {
        uint32_t off = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
                       (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
        size_t n = data[4];
        data += 5;
        size -= 5;
        if (n > size)
            n = size;
        for (size_t i = 0; i < n && len; i++)
            buf[(off + i) % len] = (char)data[i];
        data += n;
        size -= n;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
        abort();
    close(fd);
    free(buf);
    struct ps_registry *reg = NULL;
    if (ps_registry_open_snapshot(&reg, path, "k", &fuzz_logger) == 0) {
        exercise(reg);
        ps_registry_free(reg);
    } else {
        FUZZ_CHECK(reg == NULL);
    }
    return 0;
}
