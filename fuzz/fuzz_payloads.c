/* libFuzzer target: ps__payloads_load (the nmap-payloads parser) and the
 * port index built from what it loads. The input is the file, loaded into
 * a fresh built-in set. Then the ports the input names (every run of
 * digits, with its neighbours), the built-in ports and the ends of the
 * port range are looked up; each answer is checked against the documented
 * contract and read to its last byte, so ASan sees a stale or short
 * pointer. A failed load must leave the set as it was, and loading the
 * same file a second time must change nothing (it replaces the ports it
 * covers with the same payloads). Leaks are caught by libFuzzer's ASan. */
#include "fuzz_common.h"

#include "scan/payloads.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_PORTS = 256 };

/* A hash of everything the set gives for port, after checking it. */
static uint64_t look(const struct ps__payloads *p, uint16_t port)
{
    static const struct ps__payload unset;
    const struct ps__payload *out = &unset;
    size_t n = ps__payloads_for(p, port, &out);
    FUZZ_CHECK(n <= PS__PAYLOADS_PER_PORT_MAX);
    FUZZ_CHECK((n == 0) == (out == NULL));
    uint64_t h = n;
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(out[i].data != NULL);
        FUZZ_CHECK(out[i].len <= PS__PAYLOAD_LEN_MAX);
        h = h * 0x100000001b3ull + out[i].len + out[i].source_port;
        for (size_t k = 0; k < out[i].len; k++)
            h = (h ^ out[i].data[k]) * 0x100000001b3ull;
    }
    return h;
}

static void add_port(uint16_t *ports, size_t *n, long v)
{
    if (v >= 0 && v <= 65535 && *n < MAX_PORTS)
        ports[(*n)++] = (uint16_t)v;
}

/* The ports worth looking at: those the input names, and their
 * neighbours (where a range starts or ends), plus fixed ones. */
static size_t pick_ports(const uint8_t *data, size_t size, uint16_t *ports)
{
    size_t n = 0;
    add_port(ports, &n, 0);
    add_port(ports, &n, 1);
    add_port(ports, &n, 65535);
    for (size_t i = 0; i < ps__payload_builtin_count; i++)
        add_port(ports, &n, ps__payload_builtins[i].port);
    for (size_t i = 0; i < size && n + 3 <= MAX_PORTS;) {
        if (data[i] < '0' || data[i] > '9') {
            i++;
            continue;
        }
        long v = 0;
        for (; i < size && data[i] >= '0' && data[i] <= '9'; i++)
            if (v <= 65536)
                v = v * 10 + (data[i] - '0');
        add_port(ports, &n, v - 1);
        add_port(ports, &n, v);
        add_port(ports, &n, v + 1);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint16_t ports[MAX_PORTS];
    uint64_t before[MAX_PORTS], after[MAX_PORTS];
    size_t n = pick_ports(data, size, ports);
    struct ps__payloads *p = ps__payloads_builtin();
    if (!p)
        return 0;

    for (size_t i = 0; i < n; i++)
        before[i] = look(p, ports[i]);
    int rc = ps__payloads_load(p, (const char *)data, size, "fuzz",
                               &fuzz_logger);
    FUZZ_CHECK(rc == 0 || rc == PS_EPARSE || rc == PS_ENOMEM);
    for (size_t i = 0; i < n; i++) {
        after[i] = look(p, ports[i]);
        if (rc != 0)
            FUZZ_CHECK(after[i] == before[i]); /* all or nothing */
    }
    if (rc == 0) {
        rc = ps__payloads_load(p, (const char *)data, size, "fuzz", NULL);
        FUZZ_CHECK(rc == 0 || rc == PS_ENOMEM);
        for (size_t i = 0; rc == 0 && i < n; i++)
            FUZZ_CHECK(look(p, ports[i]) == after[i]);
    }
    ps__payloads_free(p);
    return 0;
}
