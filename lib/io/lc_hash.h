/* lc_hash.h - the two standard digests Ludwig's hash split uses: MD5 (RFC 1321) and the CRC-32 of
 * zlib (polynomial 0xEDB88320, reflected), for data that must land in the same split as it does
 * in Ludwig. Not for security. */
#ifndef LC_HASH_H
#define LC_HASH_H

#include <stddef.h>
#include <stdint.h>

void lc_md5(const void *data, size_t n, unsigned char out[16]);
uint32_t lc_crc32(const void *data, size_t n);

#endif
