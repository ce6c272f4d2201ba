/* libFuzzer target: the IANA service-names-port-numbers CSV loader (libcsv
 * underneath), and format detection.
 *
 * Byte 0 picks the set-up: bit 0 PS_FORMAT_AUTO (else PS_FORMAT_IANA),
 * bit 1 load the built-in table first (so records merge). The rest is the
 * file. After sealing, the registry is looked up, iterated and exported in
 * all three formats to /dev/null. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    enum ps_format fmt = (mode & 1) ? PS_FORMAT_AUTO : PS_FORMAT_IANA;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    enum ps_format detected = ps_format_detect(text, len);
    FUZZ_CHECK(detected == PS_FORMAT_SERVICES || detected == PS_FORMAT_NMAP ||
               detected == PS_FORMAT_IANA);

    struct ps_registry *reg;
    if (ps_registry_new(&reg, &fuzz_logger))
        return 0;
    if ((mode & 2) && ps_registry_add_builtin(reg))
        goto out;
    int rc = ps_registry_load_buffer(reg, text, len, fmt, "fuzz");
    FUZZ_CHECK(rc == 0 || rc == PS_EPARSE || rc == PS_ENOMEM);
    if (rc == 0) {
        const struct ps_source *src =
            ps_registry_source(reg, ps_registry_source_count(reg) - 1);
        FUZZ_CHECK(src->format == (fmt == PS_FORMAT_AUTO ? detected : fmt));
    }
    if (ps_registry_seal(reg))
        goto out;
    fuzz_exercise(reg, data + 1, len);
out:
    ps_registry_free(reg);
    return 0;
}
