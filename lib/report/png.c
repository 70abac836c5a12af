/* png.c - small PNG thumbnails and base64 data URIs for the report. The PNG uses stored
 * (uncompressed) deflate blocks: thumbnails are a few kB, so a compressor is not worth a
 * dependency. Box downscaling keeps the page light for large images. */
#include "report_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct png_buf {
    unsigned char *p;
    size_t n, cap;
    int oom;
} png_buf;

static void put(png_buf *b, const void *src, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_u32(png_buf *b, uint32_t v)
{
    unsigned char q[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(b, q, 4);
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

/* One chunk: length, type, data, CRC over type and data. */
static void chunk(png_buf *b, const char *type, const unsigned char *data, size_t n)
{
    put_u32(b, (uint32_t)n);
    put(b, type, 4);
    if (n)
        put(b, data, n);
    uint32_t crc = crc32_update(0, (const unsigned char *)type, 4);
    crc = crc32_update(crc, data, n);
    put_u32(b, crc);
}

unsigned char *rep_png(const unsigned char *chw, int C, int H, int W, int max_side, size_t *len)
{
    static const unsigned char color_type[5] = {0, 0, 4, 2, 6};
    if (C < 1 || C > 4 || H < 1 || W < 1 || max_side < 1)
        return NULL;
    int f = 1; /* box factor */
    while ((H + f - 1) / f > max_side || (W + f - 1) / f > max_side)
        f++;
    int oh = (H + f - 1) / f, ow = (W + f - 1) / f;
    size_t stride = (size_t)ow * (size_t)C + 1; /* filter byte + pixels */
    size_t raw_n = stride * (size_t)oh;
    unsigned char *raw = malloc(raw_n);
    png_buf z = {0}, out = {0};
    if (!raw)
        return NULL;
    for (int y = 0; y < oh; y++) {
        unsigned char *row = raw + (size_t)y * stride;
        row[0] = 0; /* filter: none */
        for (int x = 0; x < ow; x++)
            for (int c = 0; c < C; c++) {
                unsigned sum = 0, cnt = 0;
                for (int dy = 0; dy < f && y * f + dy < H; dy++)
                    for (int dx = 0; dx < f && x * f + dx < W; dx++) {
                        sum += chw[((size_t)c * H + (size_t)(y * f + dy)) * W + (size_t)(x * f + dx)];
                        cnt++;
                    }
                row[1 + (size_t)x * C + c] = (unsigned char)((sum + cnt / 2) / cnt);
            }
    }
    /* zlib stream: header, stored blocks of at most 65535 bytes, Adler-32 */
    const unsigned char zhdr[2] = {0x78, 0x01};
    put(&z, zhdr, 2);
    uint32_t a = 1, bsum = 0;
    for (size_t i = 0; i < raw_n; i++) {
        a = (a + raw[i]) % 65521u;
        bsum = (bsum + a) % 65521u;
    }
    size_t off = 0;
    do {
        size_t n = raw_n - off > 65535 ? 65535 : raw_n - off;
        unsigned char hdr[5] = {(unsigned char)(off + n == raw_n), (unsigned char)n,
                                (unsigned char)(n >> 8), (unsigned char)~n,
                                (unsigned char)(~n >> 8)};
        put(&z, hdr, 5);
        put(&z, raw + off, n);
        off += n;
    } while (off < raw_n);
    put_u32(&z, (bsum << 16) | a);
    free(raw);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put(&out, sig, 8);
    unsigned char ihdr[13] = {(unsigned char)(ow >> 24), (unsigned char)(ow >> 16),
                              (unsigned char)(ow >> 8), (unsigned char)ow,
                              (unsigned char)(oh >> 24), (unsigned char)(oh >> 16),
                              (unsigned char)(oh >> 8), (unsigned char)oh,
                              8, color_type[C], 0, 0, 0};
    chunk(&out, "IHDR", ihdr, sizeof ihdr);
    if (!z.oom)
        chunk(&out, "IDAT", z.p, z.n);
    chunk(&out, "IEND", NULL, 0);
    int bad = z.oom || out.oom;
    free(z.p);
    if (bad) {
        free(out.p);
        return NULL;
    }
    *len = out.n;
    return out.p;
}

char *rep_data_uri(const char *prefix, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t pl = strlen(prefix);
    if (n > (SIZE_MAX - pl - 1) / 4 * 3 - 3)
        return NULL;
    char *s = malloc(pl + (n + 2) / 3 * 4 + 1);
    if (!s)
        return NULL;
    memcpy(s, prefix, pl);
    char *o = s + pl;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = tab[(v >> 6) & 63];
        *o++ = tab[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return s;
}
