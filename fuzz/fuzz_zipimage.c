/* fuzz_zipimage.c - libFuzzer target for the image reader: the input is decoded as one image
 * (header sniff, decode to 1..4 channels, both resize methods), then opened as a zip archive
 * whose first entries are read by name, sniffed and loaded as a batch, as the dataset loader
 * does with --raw_data. Images over 2^20 pixels are only sniffed, to keep executions fast
 * (the size limits themselves are tested in tests/e2e/test_bad_inputs.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zip.h>

#include "fuzz_util.h"
#include "lc_image.h"
#include "lc_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ENTRIES 4
#define DECODE_PIXELS_MAX ((size_t)1 << 20)

static void one_image(const uint8_t *data, size_t size)
{
    lc_error e;
    lc_error_clear(&e);
    int h, w, c;
    if (lc_image_info(data, size, "fuzz", &h, &w, &c, &e) != LC_OK) {
        if (!e.msg[0])
            __builtin_trap();
        return;
    }
    if ((size_t)h * (size_t)w > DECODE_PIXELS_MAX)
        return;
    int channels = size ? data[size - 1] % 5 : 0;
    lc_image im;
    if (lc_image_decode(data, size, channels, "fuzz", &im, &e) != LC_OK)
        return;
    if (im.h != h || im.w != w || im.c < 1 || im.c > 4)
        __builtin_trap(); /* the header and the decoder must agree */
    for (int m = 0; m < 2; m++) {
        lc_image out;
        if (lc_image_resize(&im, 7, 5, m ? LC_RESIZE_INTERPOLATE : LC_RESIZE_CROP_OR_PAD, &out, &e) == LC_OK)
            lc_image_free(&out);
    }
    lc_image_free(&im);
}

static void as_zip(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return;
    lc_error e;
    lc_error_clear(&e);
    lc_image_source *s = NULL;
    if (lc_image_source_open_zip(path, &s, &e) != LC_OK) {
        if (s || !e.msg[0])
            __builtin_trap();
        close(fd);
        return;
    }
    /* the entry names, from a separate handle (the source does not list them) */
    char *names[MAX_ENTRIES] = {0};
    long rows[MAX_ENTRIES];
    size_t n = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, NULL);
    if (z) {
        zip_int64_t ne = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < ne && n < MAX_ENTRIES; i++) {
            const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
            if (nm && (names[n] = lc_strdup(nm)))
                rows[n] = (long)n + 2, n++;
        }
        zip_discard(z);
    }
    int ok = 1, read_failed = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char *bytes = NULL;
        size_t len = 0;
        lc_error_clear(&e);
        if (lc_image_source_read(s, 0, names[i], &bytes, &len, &e) == LC_OK) {
            int h, w, c;
            if (lc_image_info(bytes, len, names[i], &h, &w, &c, &e) != LC_OK ||
                (size_t)h * (size_t)w > DECODE_PIXELS_MAX)
                ok = 0;
            lc_free(bytes);
        } else {
            if (!e.msg[0])
                __builtin_trap();
            ok = 0;
            read_failed = 1;
        }
    }
    if (n) {
        lc_image_dims dims[MAX_ENTRIES];
        lc_error_clear(&e);
        lc_status st = lc_image_sniff(s, (const char *const *)names, rows, n, dims, &e);
        if (st == LC_OK && read_failed)
            __builtin_trap(); /* the sniff cannot succeed where a read failed */
        if (st != LC_OK && !e.msg[0])
            __builtin_trap();
        if (ok) {
            lc_image_spec spec = {.height = 6, .width = 4, .channels = 1 + (int)(size % 4),
                                  .resize = (size & 4) ? LC_RESIZE_CROP_OR_PAD : LC_RESIZE_INTERPOLATE};
            unsigned char *out = lc_alloc(n, 6 * 4 * 4);
            if (out) {
                lc_error_clear(&e);
                lc_image_load_batch(s, (const char *const *)names, rows, n, &spec, NULL, out, &e);
                lc_free(out);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    lc_image_source_close(s);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_image(data, size);
    if (size >= 22) /* the smallest zip: an end-of-central-directory record */
        as_zip(data, size);
    return 0;
}
