/* libFuzzer target: ps_sockets_parse_diag, the parser of sock_diag dump
 * replies (struct nlmsghdr + struct inet_diag_msg ...). The input is the
 * datagram itself, so recorded recv() buffers are the seeds; the query
 * comes from the input's length. The same bytes are also parsed at an odd
 * address, which must change nothing. */
#include "fuzz_sock_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parse(const uint8_t *data, size_t size, enum ps_proto proto,
                 const struct ps_sock_query *q, struct ps_socket_list *l)
{
    size_t before = l->count;
    int rc = ps_sockets_parse_diag(data, size, proto, q, l);
    FUZZ_CHECK(rc == 0 || rc == 1 || rc == PS_EPARSE || rc == PS_EIO ||
               rc == PS_ENOMEM);
    /* Each socket takes a header and an inet_diag_msg of the input. */
    FUZZ_CHECK(l->count - before <= size / (16 + 72));
    fuzz_check_sockets(l, before, proto, q);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ps_socket_list all = {0}, some = {0}, odd = {0};
    struct ps_sock_query q = fuzz_sock_query((unsigned char)size);

    int rc = parse(data, size, PS_PROTO_TCP, NULL, &all);
    parse(data, size, PS_PROTO_UDP, &q, &some);

    uint8_t *copy = malloc(size + 1);
    if (copy) {
        memcpy(copy + 1, data, size);
        FUZZ_CHECK(parse(copy + 1, size, PS_PROTO_TCP, NULL, &odd) == rc);
        FUZZ_CHECK(odd.count == all.count);
        FUZZ_CHECK(odd.count == 0 ||
                   memcmp(odd.v, all.v, all.count * sizeof *all.v) == 0);
        free(copy);
    }
    ps_socket_list_clear(&all);
    ps_socket_list_clear(&some);
    ps_socket_list_clear(&odd);
    return 0;
}
