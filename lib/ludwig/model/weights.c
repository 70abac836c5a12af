/* weights.c - writes model_weights in PyTorch's format (lc_torchzip.h) and reads it, or the
 * older LCWTS001: magic "LCWTS001", uint32 tensor count, then per tensor: uint16 name length, name
 * bytes, uint8 dtype (1 = float32), uint8 ndim, int64 shape[ndim], uint64 byte count, the data.
 * All integers and floats little-endian. */
#include "lc_weights.h"
#include "lc_fs.h"
#include "lc_torchzip.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The buffers Ludwig's modules register beside a tensor (lc_tensor_info.arange): its name and
 * dtype; the values are 0 .. shape[0]-1. */
static void arange_name(const lc_tensor_info *t, char *out, size_t n, lc_tdtype *dt)
{
    /* EmbedSet / EmbedWeighted: <module>.embeddings.weight -> <module>.vocab_indices;
     * TokenAndPositionEmbedding: <module>.position_embed.weight -> <module>.positions */
    if (t->arange == LC_ARANGE_SWIN_RPI || t->arange == LC_ARANGE_MAXVIT_RPI) {
        /* <attn>.relative_position_bias_table -> <attn>.relative_position_index */
        size_t nl = strlen(t->name), cl = strlen(".relative_position_bias_table");
        snprintf(out, n, "%.*s.relative_position_index", nl > cl ? (int)(nl - cl) : 0, t->name);
        *dt = LC_TD_I64;
        return;
    }
    const char *cut = t->arange == LC_ARANGE_POSITIONS ? ".position_embed.weight" : ".embeddings.weight";
    size_t nl = strlen(t->name), cl = strlen(cut);
    int keep = nl > cl ? (int)(nl - cl) : 0;
    snprintf(out, n, "%.*s.%s", keep, t->name, t->arange == LC_ARANGE_POSITIONS ? "positions" : "vocab_indices");
    *dt = t->arange == LC_ARANGE_VOCAB_I32 ? LC_TD_I32 : LC_TD_I64;
}

/* PyTorch's format (lc_torchzip.h), the tensors in the model's order, with the buffers Ludwig's
 * modules keep: after each batch norm's running_var its num_batches_tracked (0: ludwig-c's batch
 * norms use the momentum, never the count), after a set's or a bag's embeddings their
 * vocab_indices, after the transformer's position embedding its positions, after a Swin bias
 * table its relative_position_index; then the loss
 * weights the caller gives. */
lc_status lc_weights_save(const lc_model *m, const char *path, const lc_extra_tensor *x, int nx,
                          lc_error *e)
{
    const int max_t = lc_model_tensors(m, NULL, 0) + 1;
    lc_tensor_info *ts = calloc(max_t, sizeof *ts);
    lc_ttensor *tt = calloc(2 * (size_t)max_t + (size_t)(nx > 0 ? nx : 0), sizeof *tt);
    char(*names)[288] = calloc(max_t, sizeof *names);
    void **ranges = calloc(max_t, sizeof *ranges);
    static const int64_t zero = 0;
    if (!ts || !tt || !names || !ranges) {
        free(ts), free(tt), free(names), free(ranges);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    int n = lc_model_tensors(m, ts, max_t), k = 0, nb = 0;
    lc_status st = LC_OK;
    if (n > max_t)
        st = lc_error_set(e, LC_ERR_INTERNAL, "%s: %d tensors, more than %d", path, n, max_t);
    for (int i = 0; i < n && !st; i++) {
        tt[k++] = (lc_ttensor){.name = ts[i].name, .dtype = LC_TD_F32, .ndim = ts[i].ndim,
                               .data = ts[i].data};
        for (int d = 0; d < ts[i].ndim && d < 4; d++)
            tt[k - 1].shape[d] = ts[i].shape[d];
        size_t nl = strlen(ts[i].name);
        if (nb >= max_t)
            continue;
        if (ts[i].is_buffer && nl > 12 && strcmp(ts[i].name + nl - 12, ".running_var") == 0) {
            snprintf(names[nb], sizeof names[nb], "%.*s.num_batches_tracked", (int)(nl - 12),
                     ts[i].name);
            tt[k++] = (lc_ttensor){.name = names[nb++], .dtype = LC_TD_I64, .ndim = 0,
                                   .data = &zero};
        } else if (ts[i].arange) {
            lc_tdtype dt;
            arange_name(&ts[i], names[nb], sizeof names[nb], &dt);
            int64_t len = ts[i].shape[0], ws = 0;
            int rpi = ts[i].arange == LC_ARANGE_SWIN_RPI || ts[i].arange == LC_ARANGE_MAXVIT_RPI;
            if (rpi) { /* the table has (2ws-1)^2 rows */
                while ((2 * ws + 1) * (2 * ws + 1) < len)
                    ws++;
                ws++;
                len = ws * ws * ws * ws;
            }
            void *v = ranges[nb] = malloc((size_t)(len > 0 ? len : 1) * lc_tdtype_size(dt));
            if (!v) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                break;
            }
            for (int64_t j = 0; j < len; j++) {
                if (dt == LC_TD_I32)
                    ((int32_t *)v)[j] = (int32_t)j;
                else if (rpi) {
                    /* torchvision's define_relative_position_index (MaxViT's
                     * _get_relative_position_index: the same values): token t of the window
                     * against token u, (dh + ws - 1) (2ws - 1) + dw + ws - 1 */
                    int64_t t = j / (ws * ws), u = j % (ws * ws);
                    ((int64_t *)v)[j] = (t / ws - u / ws + ws - 1) * (2 * ws - 1) +
                                        (t % ws - u % ws + ws - 1);
                } else
                    ((int64_t *)v)[j] = j;
            }
            if (ts[i].arange == LC_ARANGE_MAXVIT_RPI) /* MaxViT's is (ws^2, ws^2) */
                tt[k++] = (lc_ttensor){.name = names[nb++], .dtype = dt, .ndim = 2,
                                       .shape = {ws * ws, ws * ws}, .data = v};
            else
                tt[k++] = (lc_ttensor){.name = names[nb++], .dtype = dt, .ndim = 1,
                                       .shape = {len}, .data = v};
        }
    }
    for (int i = 0; i < nx && !st; i++)
        tt[k++] = (lc_ttensor){.name = x[i].name, .dtype = LC_TD_F32, .ndim = 1,
                               .shape = {x[i].n}, .data = x[i].data};
    if (!st)
        st = lc_torch_save(path, "model_weights", tt, k, e);
    for (int i = 0; i < max_t; i++)
        free(ranges[i]);
    free(ranges);
    free(ts);
    free(tt);
    free(names);
    return st;
}

/* a frozen identity embedding a file lacks: the (V, V) identity it always is */
static void set_eye(const lc_tensor_info *t)
{
    float *w = (float *)t->data; /* the model's own parameter slab */
    size_t v = (size_t)t->shape[0];
    memset(w, 0, t->n * sizeof *w);
    for (size_t i = 0; i < v && i * v + i < t->n; i++)
        w[i * v + i] = 1.0f;
}

static int get(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : -1;
}

/* "(8, 676)" */
static const char *shape_text(const int64_t *shape, int nd, char *buf, size_t cap)
{
    size_t len = (size_t)snprintf(buf, cap, "(");
    for (int d = 0; d < nd && len < cap; d++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (len < cap)
        snprintf(buf + len, cap - len, ")");
    return buf;
}

/* A weight that is not a finite number makes every prediction NaN: the file is damaged (or
 * comes from a run that diverged), and is refused naming the tensor and the element. */
static lc_status check_finite(const lc_tensor_info *t, const char *path, lc_error *e)
{
    const float *w = (const float *)t->data;
    for (size_t i = 0; i < t->n; i++)
        if (!isfinite(w[i]))
            return lc_error_set(e, LC_ERR_DATA,
                                "%s: tensor '%s' holds %s at element %zu: the weights are damaged (or were saved from a run whose training diverged)",
                                path, t->name, isnan(w[i]) ? "NaN" : "an infinite value", i);
    return LC_OK;
}

/* Copies f's tensor named key into t after checking its dtype and shape; *k is its index in f
 * (f->n when absent: LC_ERR_DATA saying the `needer` needs it, and `why` after it). */
static lc_status take_tensor(const lc_tfile *f, const char *key, lc_tensor_info *t,
                             const char *path, const char *needer, const char *why, int *k,
                             lc_error *e)
{
    *k = 0;
    while (*k < f->n && strcmp(f->t[*k].name, key) != 0)
        (*k)++;
    if (*k == f->n)
        return lc_error_set(e, LC_ERR_DATA, "%s: has no tensor '%s', which %s needs%s", path, key,
                            needer, why);
    const lc_ttensor *x = &f->t[*k];
    int same = x->dtype == LC_TD_F32 && x->ndim == t->ndim;
    for (int d = 0; same && d < t->ndim; d++)
        same = x->shape[d] == t->shape[d];
    if (!same) {
        char want[128], got[128];
        return lc_error_set(e, LC_ERR_DATA, "%s: tensor '%s' is %s %s but %s needs float32 %s%s",
                            path, key, lc_tdtype_name(x->dtype),
                            shape_text(x->shape, x->ndim, got, sizeof got), needer,
                            shape_text(t->shape, t->ndim, want, sizeof want), why);
    }
    memcpy((void *)t->data, x->data, t->n * sizeof(float));
    return check_finite(t, path, e);
}

/* A PyTorch state_dict file (torch.save, as upstream Ludwig writes model_weights): every tensor
 * the model has, by name, with its shape; the integer buffers (batch norms' num_batches_tracked,
 * which ludwig-c does not count; the transformer's positions; a set's or bag's vocab_indices,
 * aranges ludwig-c derives) are read and left; any other tensor the model lacks is an error
 * naming it. */
static lc_status load_torch(lc_tensor_info *ts, int n, const char *path, lc_error *e)
{
    lc_tfile *f = NULL;
    lc_status st = lc_torch_load(path, &f, e);
    if (st)
        return st;
    char *used = calloc((size_t)(f->n > 0 ? f->n : 1), 1);
    if (!used) {
        lc_tfile_free(f);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n && !st; i++) {
        lc_tensor_info *t = &ts[i];
        int k;
        st = take_tensor(f, t->name, t, path, "the config's model", "", &k, e);
        if (st && k == f->n && t->frozen_eye) {
            lc_error_clear(e);
            st = LC_OK;
            set_eye(t); /* written before ludwig-c saved it: the identity it was */
            continue;
        }
        if (!st)
            used[k] = 1;
    }
    for (int k = 0; k < f->n && !st; k++) {
        const char *nm = f->t[k].name, *dot = strrchr(nm, '.');
        /* buffers Ludwig keeps that ludwig-c derives itself (lc_weights_save writes them): the
         * integer ones, and a loss module's weights, which come from the config */
        int known_buffer = (f->t[k].dtype != LC_TD_F32 && dot &&
                            (strcmp(dot, ".num_batches_tracked") == 0 ||
                             strcmp(dot, ".positions") == 0 || strcmp(dot, ".vocab_indices") == 0 ||
                             strcmp(dot, ".relative_position_index") == 0)) ||
                           (strncmp(nm, "output_features.module_dict.", 28) == 0 && dot &&
                            strstr(nm, "__ludwig." LC_WEIGHTS_LOSS_MODULE ".") &&
                            (strcmp(dot, ".weight") == 0 || strcmp(dot, ".pos_weight") == 0));
        if (!used[k] && !known_buffer)
            st = lc_error_set(e, LC_ERR_DATA, "%s: holds a tensor '%s' that the config's model does not have",
                              path, nm);
    }
    free(used);
    lc_tfile_free(f);
    return st;
}

lc_status lc_weights_load(lc_model *m, const char *path, lc_error *e)
{
    const int max_t = lc_model_tensors(m, NULL, 0) + 1;
    lc_tensor_info *ts = calloc(max_t, sizeof *ts);
    if (!ts)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    int n = lc_model_tensors(m, ts, max_t);
    lc_status st = LC_OK;
    FILE *f = fopen(path, "rb");
    char magic[8];
    uint32_t cnt;
    if (!f) {
        st = lc_error_set(e, LC_ERR_IO, "%s: cannot open model weights: %m", path);
        goto done;
    }
    int short_file = get(f, magic, 8) != 0;
    if (!short_file && memcmp(magic, "PK\x03\x04", 4) == 0) {
        /* a zip: PyTorch's own format */
        fclose(f);
        f = NULL;
        st = load_torch(ts, n, path, e);
        goto calib;
    }
    if (short_file || memcmp(magic, LC_WEIGHTS_MAGIC, 8) || get(f, &cnt, 4)) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: not a model_weights file (neither PyTorch's zip nor ludwig-c's %s)",
                          path, LC_WEIGHTS_MAGIC);
        goto done;
    }
    int n_eye = 0; /* frozen identities, absent from the files written before they were saved */
    for (int i = 0; i < n; i++)
        n_eye += ts[i].frozen_eye;
    int skip_eye = (int)cnt == n - n_eye && n_eye > 0;
    if ((int)cnt != n && !skip_eye) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: holds %u tensors but the config's model has %d",
                          path, cnt, n);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (skip_eye && ts[i].frozen_eye) {
            set_eye(&ts[i]);
            continue;
        }
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
        if (strcmp(name, t->name) != 0) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: tensor %d is '%s' but the config's model expects '%s' there",
                              path, i, name, t->name);
            goto done;
        }
        if (dt != 1 || nd != t->ndim || memcmp(shape, t->shape, 8 * (size_t)nd) != 0 ||
            bytes != (uint64_t)t->n * 4) {
            char want[128], got[128];
            st = lc_error_set(e, LC_ERR_DATA, "%s: tensor '%s' is %s%s but the config's model needs float32 %s",
                              path, name, dt == 1 ? "float32 " : "not float32, ",
                              shape_text(shape, nd, got, sizeof got),
                              shape_text(t->shape, t->ndim, want, sizeof want));
            goto done;
        }
        if (get(f, (void *)t->data, t->n * 4)) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: truncated in tensor '%s'", path, name);
            goto done;
        }
        if ((st = check_finite(t, path, e)))
            goto done;
    }
calib:
    for (int o = 0; o < m->nout && !st; o++) {
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

/* ---- a torchvision backbone's pretrained weights ---- */

lc_status lc_tv_weights_path(const char *model_cache_dir, const char *file, char *out, size_t n,
                             lc_error *e)
{
    /* torch.hub's directory: TORCH_HOME (Ludwig sets it to model_cache_dir), else
     * $XDG_CACHE_HOME/torch, else ~/.cache/torch; the files under hub/checkpoints/ */
    const char *home = model_cache_dir && *model_cache_dir ? model_cache_dir : getenv("TORCH_HOME");
    int w;
    if (home && *home) {
        w = snprintf(out, n, "%s/hub/checkpoints/%s", home, file);
    } else {
        const char *xdg = getenv("XDG_CACHE_HOME"), *uh = getenv("HOME");
        if (xdg && *xdg)
            w = snprintf(out, n, "%s/torch/hub/checkpoints/%s", xdg, file);
        else
            w = snprintf(out, n, "%s/.cache/torch/hub/checkpoints/%s", uh && *uh ? uh : ".", file);
    }
    if (w < 0 || (size_t)w >= n)
        return lc_error_set(e, LC_ERR_USAGE, "model_cache_dir: the path of %s in it is too long", file);
    return LC_OK;
}

static int tfile_has(const lc_tfile *f, const char *key)
{
    for (int k = 0; k < f->n; k++)
        if (strcmp(f->t[k].name, key) == 0)
            return 1;
    return 0;
}

/* torchvision's DenseNet files keep the names of its old modules, `denselayer<i>.norm.1` for
 * today's `denselayer<i>.norm1` (conv.1, norm.2, conv.2 alike), which torchvision's
 * _load_state_dict renames: the file's name for key when the file has that one and not key */
static const char *tv_file_key(const lc_tfile *f, const char *key, char *buf, size_t n)
{
    const char *d = strstr(key, "denselayer");
    if (!d || tfile_has(f, key))
        return key;
    const char *p = d + 10;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p++ != '.' || (strncmp(p, "norm", 4) != 0 && strncmp(p, "conv", 4) != 0) ||
        (p[4] != '1' && p[4] != '2') || p[5] != '.')
        return key;
    snprintf(buf, n, "%.*s.%s", (int)(p + 4 - key), key, p + 4);
    return tfile_has(f, buf) ? buf : key;
}

lc_status lc_weights_load_tv(lc_model *m, int feature, const char *path, lc_error *e)
{
    int nt = lc_model_tensors(m, NULL, 0);
    lc_tensor_info *ts = calloc((size_t)nt + 1, sizeof *ts);
    if (!ts)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    nt = lc_model_tensors(m, ts, nt + 1);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "input_features.module_dict.%s__ludwig.encoder_obj.model.",
             m->in_names[feature]);
    size_t pl = strlen(prefix);
    lc_tfile *f = NULL;
    lc_status st = lc_torch_load(path, &f, e);
    char *used = st ? NULL : calloc((size_t)f->n + 1, 1);
    if (!st && !used)
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    int loaded = 0;
    for (int i = 0; i < nt && !st; i++) {
        lc_tensor_info *t = &ts[i];
        if (strncmp(t->name, prefix, pl) != 0)
            continue;
        int k;
        char legacy[300];
        st = take_tensor(f, tv_file_key(f, t->name + pl, legacy, sizeof legacy), t, path, "the encoder",
                         ": is it the file of another model or variant?", &k, e);
        if (!st) {
            used[k] = 1;
            loaded++;
        }
    }
    /* what Ludwig replaces (the classifier: fc, classifier, heads, ...) or drops (googlenet's
     * auxiliary heads aux1, aux2, inception_v3's AuxLogits) and the integer buffers are left; a float tensor of the
     * backbone the encoder lacks means another architecture */
    for (int k = 0; k < (f ? f->n : 0) && !st; k++) {
        const char *nm = f->t[k].name;
        if (!used[k] && f->t[k].dtype == LC_TD_F32 && strncmp(nm, "fc.", 3) != 0 &&
            strncmp(nm, "classifier.", 11) != 0 && strncmp(nm, "heads.", 6) != 0 &&
            strncmp(nm, "head.", 5) != 0 &&
            strncmp(nm, "aux1.", 5) != 0 && strncmp(nm, "aux2.", 5) != 0 &&
            strncmp(nm, "AuxLogits.", 10) != 0)
            st = lc_error_set(e, LC_ERR_DATA, "%s: holds a tensor '%s' that the encoder does not have: is it the file of another model or variant?",
                              path, nm);
    }
    if (!st && loaded == 0)
        st = lc_error_set(e, LC_ERR_INTERNAL, "input feature '%s' has no torchvision encoder",
                          m->in_names[feature]);
    free(used);
    lc_tfile_free(f);
    free(ts);
    return st;
}
