/* test_hash.c - MD5 and CRC-32 against their published test vectors (RFC 1321 appendix A.5;
 * the CRC-32 check value of "123456789"), across block boundaries. */
#include "check.h"
#include "lc_hash.h"

#include <stdio.h>
#include <string.h>

static void md5_hex(const char *s, size_t n, char out[33])
{
    unsigned char d[16];
    lc_md5(s, n, d);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int main(void)
{
    static const struct {
        const char *in, *md5;
    } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char h[33];
        md5_hex(v[i].in, strlen(v[i].in), h);
        CHECK_MSG(strcmp(h, v[i].md5) == 0, "md5('%s') = %s, want %s", v[i].in, h, v[i].md5);
    }
    /* 55, 56 and 64 bytes: the padding spills into a second block at 56 */
    char buf[130];
    memset(buf, 'x', sizeof buf);
    char h55[33], h56[33], h64[33];
    md5_hex(buf, 55, h55);
    md5_hex(buf, 56, h56);
    md5_hex(buf, 64, h64);
    /* references from Python's hashlib */
    CHECK_MSG(strcmp(h55, "04364420e25c512fd958a70738aa8f72") == 0, "md5(55 x) = %s", h55);
    CHECK_MSG(strcmp(h56, "668a72d5ba17f08e62dabcafad6db14b") == 0, "md5(56 x) = %s", h56);
    CHECK_MSG(strcmp(h64, "c1bb4f81d892b2d57947682aeb252456") == 0, "md5(64 x) = %s", h64);
    CHECK(lc_crc32("123456789", 9) == 0xCBF43926u);
    CHECK(lc_crc32("", 0) == 0);
    CHECK(lc_crc32("The quick brown fox jumps over the lazy dog", 43) == 0x414FA339u);
    return check_exit("test_hash");
}
