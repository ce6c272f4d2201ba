/* Probe cookies: see stateless.h. */
#include <string.h>

#include "common/siphash.h"
#include "scan/stateless.h"

uint32_t ps__cookie(const uint8_t key[16], const struct ps_ip *src,
                    const struct ps_ip *dst, uint16_t sport, uint16_t dport)
{
    uint8_t msg[37];

    msg[0] = src->family;
    memcpy(msg + 1, src->bytes, 16);
    memcpy(msg + 17, dst->bytes, 16);
    msg[33] = (uint8_t)(sport >> 8);
    msg[34] = (uint8_t)sport;
    msg[35] = (uint8_t)(dport >> 8);
    msg[36] = (uint8_t)dport;
    uint64_t h = ps__siphash24(key, msg, sizeof msg);
    return (uint32_t)(h ^ (h >> 32));
}
