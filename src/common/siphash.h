/* SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a keyed 64-bit hash, cheap on short inputs and unpredictable to
 * whoever lacks the key. The scanner derives its probe cookies from it, so
 * a forged answer cannot pass for a reply. Never installed. */
#ifndef PS_COMMON_SIPHASH_H
#define PS_COMMON_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The SipHash-2-4 of len bytes at data under a 128-bit key, read as two
 * little-endian words as the paper specifies, so results match its test
 * vectors on any host. data may be NULL when len is 0. Pure and
 * thread-safe. */
uint64_t ps__siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
