/* libFuzzer target: the /etc/services and nmap-services loaders.
 *
 * Byte 0 picks the set-up: bit 0 nmap-services syntax (else services),
 * bit 1 load the built-in table first (so records merge), bit 2 split the
 * rest in two sources at a point given by byte 1 (merging across sources).
 * The rest is the file. After sealing, the registry is looked up, iterated
 * and exported in all three formats to /dev/null. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    enum ps_format fmt = (mode & 1) ? PS_FORMAT_NMAP : PS_FORMAT_SERVICES;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    struct ps_registry *reg;
    if (ps_registry_new(&reg, &fuzz_logger))
        return 0;
    if ((mode & 2) && ps_registry_add_builtin(reg))
        goto out;

    size_t first = len;
    if ((mode & 4) && len > 0)
        first = (size_t)data[1 % size] * len / 256;
    int rc = ps_registry_load_buffer(reg, text, first, fmt, "fuzz");
    FUZZ_CHECK(rc == 0 || rc == PS_EPARSE || rc == PS_ENOMEM);
    if (first < len) {
        rc = ps_registry_load_buffer(reg, text + first, len - first,
                                     fmt == PS_FORMAT_NMAP ? PS_FORMAT_SERVICES
                                                           : PS_FORMAT_NMAP,
                                     "fuzz2");
        FUZZ_CHECK(rc == 0 || rc == PS_EPARSE || rc == PS_ENOMEM);
    }
    if (ps_registry_seal(reg))
        goto out;
    FUZZ_CHECK(ps_registry_seal(reg) == PS_ESTATE);
    FUZZ_CHECK(ps_registry_load_buffer(reg, "a 1/tcp\n", 8, fmt, "late") ==
               PS_ESTATE);
    fuzz_exercise(reg, data + 1, len);
out:
    ps_registry_free(reg);
    return 0;
}
