/* weights.c - writes and reads model_weights: magic "LCWTS001", uint32 tensor count, then per
 * tensor: uint16 name length, name bytes, uint8 dtype (1 = float32), uint8 ndim, int64 shape[ndim],
 * uint64 byte count, the data. All integers and floats little-endian. */
#include "lc_weights.h"
#include "lc_fs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TENSORS 512

static int put(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

lc_status lc_weights_save(const lc_model *m, const char *path, lc_error *e)
{
    lc_tensor_info *ts = calloc(MAX_TENSORS, sizeof *ts);
    if (!ts)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    int n = lc_model_tensors(m, ts, MAX_TENSORS);
    lc_afile a;
    lc_status st = lc_afile_open(&a, path, e);
    if (st) {
        free(ts);
        return st;
    }
    FILE *f = a.f;
    int bad = n > MAX_TENSORS;
    uint32_t cnt = (uint32_t)n;
    bad |= put(f, LC_WEIGHTS_MAGIC, 8) | put(f, &cnt, 4);
    for (int i = 0; i < n && !bad; i++) {
        const lc_tensor_info *t = &ts[i];
        uint16_t nl = (uint16_t)strlen(t->name);
        uint8_t dt = 1, nd = (uint8_t)t->ndim;
        uint64_t bytes = (uint64_t)t->n * 4;
        bad |= put(f, &nl, 2) | put(f, t->name, nl) | put(f, &dt, 1) | put(f, &nd, 1) |
               put(f, t->shape, 8 * (size_t)nd) | put(f, &bytes, 8) | put(f, t->data, t->n * 4);
    }
    free(ts);
    if ((st = lc_afile_commit(&a, bad, "the model weights", e)))
        return st;
    return LC_OK;
}

static int get(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : -1;
}

lc_status lc_weights_load(lc_model *m, const char *path, lc_error *e)
{
    lc_tensor_info *ts = calloc(MAX_TENSORS, sizeof *ts);
    if (!ts)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    int n = lc_model_tensors(m, ts, MAX_TENSORS);
    lc_status st = LC_OK;
    FILE *f = fopen(path, "rb");
    char magic[8];
    uint32_t cnt;
    if (!f) {
        st = lc_error_set(e, LC_ERR_IO, "%s: cannot open model weights: %m", path);
        goto done;
    }
    if (get(f, magic, 8) || memcmp(magic, LC_WEIGHTS_MAGIC, 8) || get(f, &cnt, 4)) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: not a ludwig-c model_weights file", path);
        goto done;
    }
    if ((int)cnt != n) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: holds %u tensors but the config's model has %d",
                          path, cnt, n);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        uint16_t nl;
        char name[256];
        uint8_t dt, nd;
        int64_t shape[8];
        uint64_t bytes;
        if (get(f, &nl, 2) || nl >= sizeof name || get(f, name, nl) || get(f, &dt, 1) ||
            get(f, &nd, 1) || nd > 8 || get(f, shape, 8 * (size_t)nd) || get(f, &bytes, 8)) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: truncated or corrupt at tensor %d", path, i);
            goto done;
        }
        name[nl] = '\0';
        lc_tensor_info *t = &ts[i];
        if (strcmp(name, t->name) != 0 || dt != 1 || nd != t->ndim ||
            memcmp(shape, t->shape, 8 * (size_t)nd) != 0 || bytes != (uint64_t)t->n * 4) {
            st = lc_error_set(e, LC_ERR_DATA,
                              "%s: tensor %d is '%s' but the config's model expects '%s' with another shape",
                              path, i, name, t->name);
            goto done;
        }
        if (get(f, (void *)t->data, t->n * 4)) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: truncated in tensor '%s'", path, name);
            goto done;
        }
    }
    for (int o = 0; o < m->nout; o++) {
        float T = m->heads[o].temperature;
        if (m->heads[o].calibrated && !(T > 0.0f && isfinite(T))) {
            st = lc_error_set(e, LC_ERR_DATA,
                              "%s: output feature '%s': calibration temperature %g is not a positive number",
                              path, m->out_names[o], (double)T);
            goto done;
        }
    }
done:
    if (f)
        fclose(f);
    free(ts);
    return st;
}
