/* libFuzzer target: ps_key_parse, the parser of lookup keys typed by people
 * ("22", "6881-6999", "ssh", "53/udp", "udp/53"). The input is copied into
 * a NUL-terminated string; a NUL inside it ends the key early, as in argv. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    struct ps_key key;
    char err[160];
    memset(err, 'x', sizeof err);
    int rc = ps_key_parse(text, &key, err, sizeof err);
    FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    if (rc == 0) {
        FUZZ_CHECK(key.proto <= PS_PROTO_ANY);
        if (key.kind == PS_KEY_PORT) {
            FUZZ_CHECK(key.port <= key.port_end);
        } else {
            FUZZ_CHECK(key.kind == PS_KEY_NAME);
            FUZZ_CHECK(memchr(key.name, '\0', sizeof key.name) != NULL);
            FUZZ_CHECK(key.name[0] != '\0');
            if (key.suspect)
                FUZZ_CHECK(memchr(key.suspect_msg, '\0', sizeof key.suspect_msg));
        }
    } else {
        FUZZ_CHECK(rc == PS_EPARSE || rc == PS_ERANGE);
        FUZZ_CHECK(err[0] != '\0');
    }

    /* A tiny error buffer must be truncated, not overrun. */
    char small[8];
    rc = ps_key_parse(text, &key, small, sizeof small);
    if (rc)
        FUZZ_CHECK(memchr(small, '\0', sizeof small) != NULL);
    (void)ps_key_parse(text, &key, NULL, 0);

    free(text);
    return 0;
}
