/* libFuzzer target: ps_sockets_parse_proc, the parser of /proc/net/tcp,
 * tcp6, udp and udp6. The input is the text (not NUL-terminated: the
 * parser takes a length), so recorded tables are the seeds; the query
 * comes from the input's length. */
#include "fuzz_sock_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct ps_sock_query q = fuzz_sock_query((unsigned char)size);
    size_t lines = 1;

    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    for (int pass = 0; pass < 2; pass++) {
        struct ps_socket_list l = {0};
        enum ps_proto proto = pass ? PS_PROTO_UDP : PS_PROTO_TCP;
        const struct ps_sock_query *qp = pass ? &q : NULL;
        int rc = ps_sockets_parse_proc(text, size, proto, qp, &l);
        FUZZ_CHECK(rc == 0 || rc == PS_EPARSE || rc == PS_ENOMEM);
        FUZZ_CHECK(rc != PS_EPARSE || l.count == 0);
        /* One socket per line after the header, at most. */
        FUZZ_CHECK(l.count < lines);
        fuzz_check_sockets(&l, 0, proto, qp);
        ps_socket_list_clear(&l);
    }
    return 0;
}
