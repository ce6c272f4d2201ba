/* ps_sock_state_name() and ps_sock_addr_format(). */
#include "sock_test.h"

static void state_names(void **state)
{
    (void)state;
    assert_string_equal(ps_sock_state_name(PS_SOCK_LISTEN, PS_PROTO_TCP), "LISTEN");
    assert_string_equal(ps_sock_state_name(PS_SOCK_ESTABLISHED, PS_PROTO_TCP), "ESTAB");
    assert_string_equal(ps_sock_state_name(PS_SOCK_ESTABLISHED, PS_PROTO_UDP), "ESTAB");
    assert_string_equal(ps_sock_state_name(PS_SOCK_CLOSE, PS_PROTO_UDP), "UNCONN");
    assert_string_equal(ps_sock_state_name(PS_SOCK_CLOSE, PS_PROTO_TCP), "CLOSE");
    assert_string_equal(ps_sock_state_name(PS_SOCK_TIME_WAIT, PS_PROTO_TCP), "TIME-WAIT");
    assert_string_equal(ps_sock_state_name(PS_SOCK_SYN_RECV, PS_PROTO_TCP), "SYN-RECV");
    assert_string_equal(ps_sock_state_name(PS_SOCK_CLOSE_WAIT, PS_PROTO_TCP), "CLOSE-WAIT");
    assert_string_equal(ps_sock_state_name(PS_SOCK_FIN_WAIT1, PS_PROTO_TCP), "FIN-WAIT-1");
    for (int s = PS_SOCK_ESTABLISHED; s < PS_SOCK_STATE_MAX; s++)
        assert_string_not_equal(ps_sock_state_name((enum ps_sock_state)s, PS_PROTO_TCP),
                                "UNKNOWN");
    assert_string_equal(ps_sock_state_name((enum ps_sock_state)0, PS_PROTO_TCP), "UNKNOWN");
    assert_string_equal(ps_sock_state_name(PS_SOCK_STATE_MAX, PS_PROTO_TCP), "UNKNOWN");
    assert_string_equal(ps_sock_state_name((enum ps_sock_state)-1, PS_PROTO_UDP), "UNKNOWN");
}

static void addresses(void **state)
{
    (void)state;
    uint8_t a[16] = {0};
    char buf[48];

    sock_test_addr(AF_INET, a, "*");
    sock_test_addr(AF_INET6, a, "*");
    inet_pton(AF_INET, "192.0.2.7", a);
    sock_test_addr(AF_INET, a, "192.0.2.7");
    inet_pton(AF_INET6, "2001:db8::1", a);
    sock_test_addr(AF_INET6, a, "2001:db8::1");
    inet_pton(AF_INET6, "::ffff:10.1.2.3", a);
    sock_test_addr(AF_INET6, a, "::ffff:10.1.2.3");
    inet_pton(AF_INET6, "fe80:1234:5678:9abc:def0:1234:5678:9abc", a);
    sock_test_addr(AF_INET6, a, "fe80:1234:5678:9abc:def0:1234:5678:9abc");
    /* A zero IPv4 address with junk after its 4 bytes is still "any". */
    memset(a, 0, 4);
    sock_test_addr(AF_INET, a, "*");

    assert_string_equal(ps_sock_addr_format(AF_UNIX, a, buf, sizeof buf), "?");
    assert_string_equal(ps_sock_addr_format(AF_INET, NULL, buf, sizeof buf), "?");
    /* Too small a buffer gets a truncated marker, never an overflow. */
    inet_pton(AF_INET, "192.0.2.7", a);
    assert_string_equal(ps_sock_addr_format(AF_INET, a, buf, 4), "?");
    assert_string_equal(ps_sock_addr_format(AF_INET, a, buf, 1), "");
    assert_ptr_equal(ps_sock_addr_format(AF_INET, a, buf, 0), buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_names),
        cmocka_unit_test(addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
