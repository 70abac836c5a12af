/* safetensors.c - reads a .safetensors file (lc_safetensors.h) into an lc_tfile, each tensor's
 * name and values copied. Writing the format, and what the tensors mean, are left to others. */
#include "lc_safetensors.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST_HEADER_MAX ((uint64_t)100 << 20)

static lc_status bad(lc_error *e, const char *name, const char *what, const char *key)
{
    return lc_error_set(e, LC_ERR_DATA, "%s: not a readable safetensors file: %s%s%s", name, what,
                        key ? " " : "", key ? key : "");
}

lc_status lc_safetensors_load_mem(const void *buf, size_t n, const char *name, lc_tfile **out,
                                  lc_error *e)
{
    const unsigned char *b = buf;
    *out = NULL;
    if (n < 8)
        return bad(e, name, "shorter than its 8-byte header length", NULL);
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--)
        hl = hl << 8 | b[i];
    if (hl > ST_HEADER_MAX || hl > n - 8)
        return bad(e, name, "the header length runs past the end of the file", NULL);
    cJSON *h = cJSON_ParseWithLength((const char *)b + 8, (size_t)hl);
    if (!cJSON_IsObject(h)) {
        cJSON_Delete(h);
        return bad(e, name, "the header is not a JSON object", NULL);
    }
    const unsigned char *data = b + 8 + hl;
    size_t dn = n - 8 - (size_t)hl;
    lc_tfile *f = calloc(1, sizeof *f);
    int cap = cJSON_GetArraySize(h);
    if (!f || !(f->t = calloc((size_t)(cap > 0 ? cap : 1), sizeof *f->t))) {
        free(f);
        cJSON_Delete(h);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    lc_status st = LC_OK;
    const cJSON *it;
    cJSON_ArrayForEach(it, h)
    {
        if (strcmp(it->string, "__metadata__") == 0)
            continue;
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(it, "dtype");
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(it, "shape");
        const cJSON *of = cJSON_GetObjectItemCaseSensitive(it, "data_offsets");
        if (!cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(of) ||
            cJSON_GetArraySize(of) != 2 || cJSON_GetArraySize(sh) > 8) {
            st = bad(e, name, "a malformed entry for tensor", it->string);
            break;
        }
        lc_ttensor *t = &f->t[f->n];
        t->dtype = strcmp(dt->valuestring, "F32") == 0   ? LC_TD_F32
                   : strcmp(dt->valuestring, "I64") == 0 ? LC_TD_I64
                   : strcmp(dt->valuestring, "I32") == 0 ? LC_TD_I32
                                                         : (lc_tdtype)-1;
        if ((int)t->dtype < 0) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: tensor '%s' is %s; ludwig-c reads F32, I64 and I32 safetensors",
                              name, it->string, dt->valuestring);
            break;
        }
        double numel = 1.0;
        const cJSON *d;
        t->ndim = 0;
        cJSON_ArrayForEach(d, sh)
        {
            if (!cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble > 1e15)
                break;
            t->shape[t->ndim++] = (int64_t)d->valuedouble;
            numel *= d->valuedouble;
        }
        double lo = cJSON_GetArrayItem(of, 0)->valuedouble, hi = cJSON_GetArrayItem(of, 1)->valuedouble;
        size_t sz = lc_tdtype_size(t->dtype);
        if (t->ndim != cJSON_GetArraySize(sh) || !(lo >= 0) || !(hi >= lo) || hi > (double)dn ||
            hi - lo != numel * (double)sz) {
            st = bad(e, name, "the shape or the data offsets do not fit the data of tensor", it->string);
            break;
        }
        size_t bytes = (size_t)(hi - lo);
        if (!(t->name = strdup(it->string)) || !(t->data = malloc(bytes ? bytes : 1))) {
            free((char *)t->name);
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy((void *)t->data, data + (size_t)lo, bytes);
        f->n++;
    }
    cJSON_Delete(h);
    if (st) {
        lc_tfile_free(f);
        return st;
    }
    *out = f;
    return LC_OK;
}

lc_status lc_safetensors_load(const char *path, lc_tfile **out, lc_error *e)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return lc_error_set(e, LC_ERR_IO, "%s: cannot open: %m", path);
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    lc_status st = LC_OK;
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : (size_t)1 << 20;
            unsigned char *g = realloc(buf, nc);
            if (!g) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory reading %s", path);
                break;
            }
            buf = g;
            cap = nc;
        }
        size_t r = fread(buf + n, 1, cap - n, fp);
        n += r;
        if (r == 0) {
            if (ferror(fp))
                st = lc_error_set(e, LC_ERR_IO, "%s: read error", path);
            break;
        }
    }
    fclose(fp);
    if (!st)
        st = lc_safetensors_load_mem(buf, n, path, out, e);
    free(buf);
    return st;
}
