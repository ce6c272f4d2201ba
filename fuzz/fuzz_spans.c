/* libFuzzer target: ps_port_spans_parse, the parser of the kernel's
 * /proc/sys/net/ipv4/ip_local_reserved_ports ("8080,9000-9100"). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    struct ps_port_span *spans = (struct ps_port_span *)1;
    size_t count = 12345;
    int rc = ps_port_spans_parse(text, &spans, &count);
    if (rc == 0) {
        FUZZ_CHECK((count == 0) == (spans == NULL));
        for (size_t i = 0; i < count; i++)
            FUZZ_CHECK(spans[i].first <= spans[i].last &&
                       spans[i].last <= PS_PORT_MAX);
    } else {
        FUZZ_CHECK(rc == PS_EPARSE);
        FUZZ_CHECK(spans == NULL && count == 0);
    }
    free(spans);
    free(text);
    return 0;
}
