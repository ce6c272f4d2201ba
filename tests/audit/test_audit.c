/* Audit rules on made-up sockets: severity from the knowledge base's risk,
 * adjusted for who can reach the socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "portscope/portscope.h"

static struct ps_registry *reg;

static struct ps_socket sock(enum ps_proto proto, const char *addr, unsigned port)
{
    struct ps_socket s = {.proto = proto, .local_port = (uint16_t)port,
                          .state = proto == PS_PROTO_TCP ? PS_SOCK_LISTEN : PS_SOCK_CLOSE};
    if (inet_pton(AF_INET, addr, s.local) == 1)
        s.family = AF_INET;
    else if (inet_pton(AF_INET6, addr, s.local) == 1)
        s.family = AF_INET6;
    return s;
}

static int judge(enum ps_proto proto, const char *addr, unsigned port, struct ps_finding *f)
{
    struct ps_socket s = sock(proto, addr, port);
    return ps_audit_socket(&s, reg, f);
}

static void trojan_port_is_critical_anywhere(void **state)
{
    (void)state;
    struct ps_finding f;
    assert_int_equal(judge(PS_PROTO_UDP, "127.0.0.1", 31337, &f), 1);
    assert_int_equal(f.severity, PS_SEV_CRITICAL);
    assert_int_equal(f.exposure, PS_EXPOSED_LOOPBACK);
    assert_non_null(strstr(f.action, "remove"));
    assert_int_equal(judge(PS_PROTO_TCP, "0.0.0.0", 12345, &f), 1);
    assert_int_equal(f.severity, PS_SEV_CRITICAL);
}

static void cleartext_login_everywhere_is_high(void **state)
{
    (void)state;
    struct ps_finding f;
    assert_int_equal(judge(PS_PROTO_TCP, "0.0.0.0", 23, &f), 1);
    assert_true(f.severity >= PS_SEV_HIGH);
    assert_int_equal(f.exposure, PS_EXPOSED_ALL);
    assert_non_null(strcasestr(f.action, "ssh"));
    assert_int_equal(judge(PS_PROTO_TCP, "::", 21, &f), 1);
    assert_true(f.severity >= PS_SEV_HIGH);
}

static void loopback_lowers_severity(void **state)
{
    (void)state;
    struct ps_finding all, local;
    assert_int_equal(judge(PS_PROTO_TCP, "0.0.0.0", 6379, &all), 1);
    int found = judge(PS_PROTO_TCP, "127.0.0.1", 6379, &local);
    assert_true(!found || local.severity < PS_SEV_HIGH);
    assert_true(all.severity > (found ? local.severity : PS_SEV_INFO));
    assert_string_equal(all.service, "redis");
    found = judge(PS_PROTO_TCP, "::1", 6379, &local);
    assert_true(!found || local.severity < PS_SEV_HIGH);
}

/* On loopback the advice fits where the socket is: not "bind it to
 * 127.0.0.1" again, but authentication against other local users. */
static void loopback_advice(void **state)
{
    (void)state;
    struct ps_finding f;
    assert_int_equal(judge(PS_PROTO_TCP, "127.0.0.1", 6379, &f), 1);
    assert_null(strstr(f.action, "bind 127.0.0.1"));
    assert_null(strstr(f.action, "replacing"));
    assert_non_null(strstr(f.action, "requirepass"));
    assert_non_null(strstr(f.action, "protected-mode"));
    /* A cleartext login on loopback: a safer protocol is still worth it. */
    assert_int_equal(judge(PS_PROTO_TCP, "127.0.0.1", 23, &f), 1);
    assert_non_null(strcasestr(f.action, "ssh"));
    /* On every interface the advice is still to bind to loopback. */
    assert_int_equal(judge(PS_PROTO_TCP, "0.0.0.0", 6379, &f), 1);
    assert_non_null(strstr(f.action, "127.0.0.1"));
}

static void unknown_ports(void **state)
{
    (void)state;
    struct ps_finding f;
    assert_int_equal(judge(PS_PROTO_TCP, "127.0.0.1", 47999, &f), 0);
    assert_int_equal(judge(PS_PROTO_TCP, "0.0.0.0", 47999, &f), 1);
    assert_int_equal(f.severity, PS_SEV_INFO);
    assert_null(f.knowledge);
}

static void exposure_and_names(void **state)
{
    (void)state;
    struct ps_socket s = sock(PS_PROTO_TCP, "198.18.0.1", 80);
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_ADDRESS);
    s = sock(PS_PROTO_TCP, "127.4.5.6", 80);
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_LOOPBACK);
    s = sock(PS_PROTO_TCP, "2001:db8::1", 80);
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_ADDRESS);
    /* Dual-stack listeners show IPv4 as mapped addresses. */
    s = sock(PS_PROTO_TCP, "::ffff:127.0.0.1", 6379);
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_LOOPBACK);
    s = sock(PS_PROTO_TCP, "::ffff:0.0.0.0", 6379);
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_ALL);
    s = sock(PS_PROTO_TCP, "::ffff:198.18.0.1", 6379);
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_ADDRESS);
    enum ps_severity sev;
    assert_int_equal(ps_severity_parse("High", &sev), 0);
    assert_int_equal(sev, PS_SEV_HIGH);
    assert_int_equal(ps_severity_parse("severe", &sev), PS_EINVAL);
    assert_string_equal(ps_severity_name(PS_SEV_INFO), "info");
}

/* A socket bound to a device is reached only through it: through lo,
 * from this host alone. */
static void bound_to_a_device(void **state)
{
    (void)state;
    struct ps_finding f;
    struct ps_socket s = sock(PS_PROTO_TCP, "0.0.0.0", 3389);
    s.ifindex = 1;
    memcpy(s.ifname, "lo", 3);
    s.if_loopback = true;
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_LOOPBACK);
    ps_audit_socket(&s, reg, &f);
    assert_true(f.severity < PS_SEV_HIGH);
    assert_non_null(strstr(f.reason, "loopback device lo"));
    s = sock(PS_PROTO_TCP, "0.0.0.0", 23);
    s.ifindex = 7;
    memcpy(s.ifname, "eth1", 5);
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_INTERFACE);
    assert_int_equal(ps_audit_socket(&s, reg, &f), 1);
    assert_int_equal(f.exposure, PS_EXPOSED_INTERFACE);
    assert_non_null(strstr(f.reason, "interface eth1 only"));
    /* A name not found since the dump: the index, still one interface. */
    s.ifname[0] = '\0';
    assert_int_equal(ps_audit_socket(&s, reg, &f), 1);
    assert_non_null(strstr(f.reason, "index 7"));
    /* An address narrows as before; loopback stays loopback. */
    s = sock(PS_PROTO_TCP, "198.18.0.1", 23);
    s.ifindex = 7;
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_ADDRESS);
    s = sock(PS_PROTO_TCP, "127.0.0.1", 23);
    s.ifindex = 7;
    assert_int_equal(ps_socket_exposure(&s), PS_EXPOSED_LOOPBACK);
}

/* A port inside a registered range is named by its own record. */
static void service_names(void **state)
{
    (void)state;
    const struct ps_service *svc = ps_port_service(reg, PS_PROTO_UDP, 31337);
    assert_non_null(svc);
    assert_string_equal(svc->name, "back-orifice");
    svc = ps_port_service(reg, PS_PROTO_UDP, 31338);
    assert_non_null(svc);
    assert_string_equal(svc->name, "kube-nodeport");
    assert_null(ps_port_service(reg, PS_PROTO_TCP, 47999));
    assert_null(ps_port_service(NULL, PS_PROTO_TCP, 22));
    struct ps_finding f;
    assert_int_equal(judge(PS_PROTO_UDP, "0.0.0.0", 31337, &f), 1);
    assert_string_equal(f.service, "back-orifice");
}

static int setup(void **state)
{
    (void)state;
    return ps_registry_new(&reg, NULL) || ps_registry_add_builtin(reg) ||
           ps_registry_seal(reg);
}

static int teardown(void **state)
{
    (void)state;
    ps_registry_free(reg);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trojan_port_is_critical_anywhere),
        cmocka_unit_test(cleartext_login_everywhere_is_high),
        cmocka_unit_test(loopback_lowers_severity),
        cmocka_unit_test(loopback_advice),
        cmocka_unit_test(unknown_ports),
        cmocka_unit_test(exposure_and_names),
        cmocka_unit_test(service_names),
        cmocka_unit_test(bound_to_a_device),
    };
    return cmocka_run_group_tests_name("audit", tests, setup, teardown);
}
