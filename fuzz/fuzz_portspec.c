/* libFuzzer target: ps_portspec_parse and ps_portset_remove_spec, the
 * parser of nmap-style port specifications ("U:53,111,T:21-25,80", "-",
 * "http*"). The input is copied into a NUL-terminated string; a NUL inside
 * it ends the spec early, as in argv. Names are looked up in a registry
 * built once from the built-in table. */
#include "fuzz_common.h"

#include "portscope/portspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ps_registry *reg;
static struct ps_portset set, excl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reg) {
        if (ps_registry_new(&reg, NULL) || ps_registry_add_builtin(reg) ||
            ps_registry_seal(reg))
            abort();
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    unsigned protos = size ? 1u + data[0] % 3u : PS_PORTSPEC_TCP;
    char err[160];
    memset(err, 'x', sizeof err);
    ps_portset_clear(&set);
    int rc = ps_portspec_parse(text, reg, protos, &set, err, sizeof err);
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    size_t total = ps_portset_count(&set, PS_PROTO_ANY);
    if (rc == 0) {
        FUZZ_CHECK(err[0] == '\0');
        FUZZ_CHECK(total > 0);
        FUZZ_CHECK(total <= 2u * 65536u);
        /* Removing the same spec empties the set. */
        memcpy(&excl, &set, sizeof set);
        FUZZ_CHECK(ps_portset_remove_spec(&excl, text, reg, protos, err,
                                          sizeof err) == 0);
        FUZZ_CHECK(ps_portset_count(&excl, PS_PROTO_ANY) == 0);
        /* Walking the set agrees with its count. */
        size_t walked = 0;
        for (unsigned p = PS_PROTO_TCP; p <= PS_PROTO_UDP; p++)
            for (long port = ps_portset_next(&set, p, 0); port >= 0;
                 port = ps_portset_next(&set, p, (unsigned long)port + 1)) {
                FUZZ_CHECK(port <= 65535);
                walked++;
            }
        FUZZ_CHECK(walked == total);
    } else {
        FUZZ_CHECK(rc == PS_EPARSE || rc == PS_ERANGE || rc == PS_EUNSUPP);
        FUZZ_CHECK(err[0] != '\0');
        FUZZ_CHECK(total == 0);
    }

    /* Without a registry numbers still parse; a tiny error buffer is
     * truncated, not overrun. */
    char small[8];
    rc = ps_portspec_parse(text, NULL, protos, &set, small, sizeof small);
    if (rc)
        FUZZ_CHECK(memchr(small, '\0', sizeof small) != NULL);
    (void)ps_portspec_parse(text, reg, protos, &set, NULL, 0);

    free(text);
    return 0;
}
