/* fuzz_torchzip.c - libFuzzer target for the PyTorch state_dict reader (lib/io/torchzip.c), in two
 * modes chosen by the first two bytes:
 *  - "PK" (a zip's first local header): the input is the archive itself (zip parsing, records,
 *    sizes);
 *  - anything else is a pickle (up to the first "#S#") and the bytes of every storage (after it):
 *    the target wraps them in a well-formed archive (archive/data.pkl, archive/data/0..7,
 *    archive/version), so mutations reach the pickle machine instead of failing the zip's CRC.
 * A refusal must come with a message and no result. A file that loads must describe sane tensors
 * and survive a round trip: lc_torch_save of its tensors, read back, gives the same names, dtypes,
 * shapes and bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "lc_torchzip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the pickle and storages of the pickle mode as a zip in memory (a new buffer, *len bytes) */
static unsigned char *wrap(const uint8_t *data, size_t size, size_t *len)
{
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 3 <= size; i++)
        if (memcmp(data + i, "#S#", 3) == 0) {
            sep = data + i;
            break;
        }
    size_t plen = sep ? (size_t)(sep - data) : size;
    const uint8_t *stor = sep ? sep + 3 : data + size;
    size_t slen = (size_t)(data + size - stor);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    unsigned char *out = NULL;
    zip_error_fini(&ze);
    if (!z) {
        if (src)
            zip_source_free(src);
        return NULL;
    }
    zip_source_keep(src);
    int ok = 1;
    char name[32];
    zip_source_t *s = zip_source_buffer(z, data, plen, 0);
    ok &= s && zip_file_add(z, "archive/data.pkl", s, ZIP_FL_OVERWRITE) >= 0;
    for (int k = 0; ok && k < 8; k++) {
        snprintf(name, sizeof name, "archive/data/%d", k);
        s = zip_source_buffer(z, stor, slen, 0);
        ok &= s && zip_file_add(z, name, s, ZIP_FL_OVERWRITE) >= 0;
    }
    s = zip_source_buffer(z, "3\n", 2, 0);
    ok &= s && zip_file_add(z, "archive/version", s, ZIP_FL_OVERWRITE) >= 0;
    if (!ok || zip_close(z) != 0) {
        zip_discard(z);
        zip_source_free(src);
        return NULL;
    }
    zip_stat_t st;
    if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
        zip_source_open(src) == 0) {
        out = malloc(st.size ? st.size : 1);
        if (out && zip_source_read(src, out, st.size) == (zip_int64_t)st.size)
            *len = st.size;
        else
            free(out), out = NULL;
        zip_source_close(src);
    }
    zip_source_free(src);
    return out;
}

static size_t numel(const lc_ttensor *t)
{
    size_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= (size_t)t->shape[d];
    return n;
}

static void round_trip(const lc_tfile *f)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_torchzip_%d.pt", (int)getpid());
    lc_error e;
    lc_error_clear(&e);
    if (lc_torch_save(path, "archive", f->t, f->n, &e) != LC_OK) {
        if (!e.msg[0])
            __builtin_trap();
        return; /* e.g. a name the writer refuses */
    }
    lc_tfile *g = NULL;
    if (lc_torch_load(path, &g, &e) != LC_OK || g->n != f->n)
        __builtin_trap();
    for (int i = 0; i < f->n; i++) {
        const lc_ttensor *a = &f->t[i], *b = &g->t[i];
        if (strcmp(a->name, b->name) != 0 || a->dtype != b->dtype || a->ndim != b->ndim ||
            memcmp(a->shape, b->shape, sizeof a->shape) != 0 ||
            memcmp(a->data, b->data, numel(a) * lc_tdtype_size(a->dtype)) != 0)
            __builtin_trap();
    }
    lc_tfile_free(g);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *zipped = NULL;
    size_t zlen = 0;
    const void *buf = data;
    size_t len = size;
    if (size < 2 || data[0] != 'P' || data[1] != 'K') {
        zipped = wrap(data, size, &zlen);
        if (!zipped)
            return 0;
        buf = zipped, len = zlen;
    }
    lc_error e;
    lc_error_clear(&e);
    lc_tfile *f = (lc_tfile *)(uintptr_t)1;
    if (lc_torch_load_mem(buf, len, "fuzz", &f, &e) != LC_OK) {
        if (f || !e.msg[0])
            __builtin_trap();
    } else {
        for (int i = 0; i < f->n; i++) {
            const lc_ttensor *t = &f->t[i];
            if (!t->name || t->ndim < 0 || t->ndim > 8 || (t->dtype != LC_TD_F32 && t->dtype != LC_TD_I64 && t->dtype != LC_TD_I32))
                __builtin_trap();
            for (int d = 0; d < t->ndim; d++)
                if (t->shape[d] < 0)
                    __builtin_trap();
            if (numel(t) && !t->data)
                __builtin_trap();
        }
        round_trip(f);
        lc_tfile_free(f);
    }
    free(zipped);
    return 0;
}
