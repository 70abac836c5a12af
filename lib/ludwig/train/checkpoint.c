/* checkpoint.c - reads and writes training checkpoints (format in lc_checkpoint.h). What goes into
 * a checkpoint and when is train.c's decision; where the directory lives is experiment.c's. */
#include "lc_checkpoint.h"
#include "lc_fs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lc_json.h"

#define CKPT_JSON_MAX ((uint64_t)1 << 30)

uint64_t lc_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

typedef struct wr {
    FILE *f;
    uint64_t h;
    int bad;
} wr;

static void put(wr *w, const void *p, size_t n)
{
    if (w->bad || n == 0)
        return;
    if (fwrite(p, 1, n, w->f) != n)
        w->bad = 1;
    w->h = lc_fnv1a(w->h, p, n);
}

lc_status lc_checkpoint_save(const char *dir, const lc_checkpoint *c, lc_error *e)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, LC_CHECKPOINT_FILE) >= (int)sizeof path)
        return lc_error_set(e, LC_ERR_IO, "%s: checkpoint path too long", dir);
    char *js = lc_json_print_py(c->json);
    if (!js)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory writing a checkpoint");
    lc_afile a;
    lc_status st = lc_afile_open(&a, path, e);
    if (st) {
        free(js);
        return st;
    }
    wr w = {.f = a.f, .h = LC_FNV_INIT};
    int32_t i32[3] = {c->epoch, c->best_epoch, c->flags};
    int64_t i64[2] = {c->step, c->best_steps};
    double f64[2] = {c->best_value, c->train_seconds};
    uint64_t sizes[3] = {c->nparams, c->nbuffers, c->nstate};
    uint64_t jlen = strlen(js);
    put(&w, LC_CHECKPOINT_MAGIC, 8);
    put(&w, &c->fingerprint, 8);
    put(&w, i32, sizeof i32);
    put(&w, i64, sizeof i64);
    put(&w, f64, sizeof f64);
    put(&w, sizes, sizeof sizes);
    put(&w, c->params, c->nparams * sizeof(float));
    put(&w, c->buffers, c->nbuffers * sizeof(float));
    put(&w, c->state, c->nstate * sizeof(float));
    put(&w, c->best_params, c->nparams * sizeof(float));
    put(&w, c->best_buffers, c->nbuffers * sizeof(float));
    put(&w, &jlen, 8);
    put(&w, js, (size_t)jlen);
    uint64_t h = w.h;
    put(&w, &h, 8);
    free(js);
    return lc_afile_commit(&a, w.bad, "the checkpoint", e);
}

typedef struct rd {
    const unsigned char *b;
    size_t n, at;
} rd;

static int get(rd *r, void *p, size_t n)
{
    if (r->n - r->at < n)
        return -1;
    if (n)
        memcpy(p, r->b + r->at, n);
    r->at += n;
    return 0;
}

lc_status lc_checkpoint_load(const char *path, lc_checkpoint *c, lc_error *e)
{
    lc_status st = LC_OK;
    unsigned char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lc_error_set(e, errno == ENOENT ? LC_ERR_USAGE : LC_ERR_IO,
                            "%s: cannot open the training checkpoint: %s", path, strerror(errno));
    struct stat sb;
    size_t want_arrays = (2 * c->nparams + 2 * c->nbuffers + c->nstate) * sizeof(float);
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (uint64_t)sb.st_size > want_arrays + CKPT_JSON_MAX + 4096) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: not a ludwig-c training checkpoint (not a regular file of the expected size)", path);
        goto close_file;
    }
    size_t n = (size_t)sb.st_size;
    if (!(buf = malloc(n ? n : 1)) || (n && fread(buf, 1, n, f) != n)) {
        st = lc_error_set(e, buf ? LC_ERR_IO : LC_ERR_NOMEM, "%s: cannot read the training checkpoint", path);
        goto close_file;
    }
    rd r = {.b = buf, .n = n};
    char magic[8];
    if (get(&r, magic, 8) || memcmp(magic, LC_CHECKPOINT_MAGIC, 8)) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: not a ludwig-c training checkpoint", path);
        goto close_file;
    }
    uint64_t stored;
    if (n < 16 || (memcpy(&stored, buf + n - 8, 8), stored != lc_fnv1a(LC_FNV_INIT, buf, n - 8))) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the training checkpoint is damaged or truncated (checksum mismatch)", path);
        goto close_file;
    }
    r.n = n - 8;
    uint64_t fp, sizes[3], jlen;
    int32_t i32[3];
    int64_t i64[2];
    double f64[2];
    if (get(&r, &fp, 8) || get(&r, i32, sizeof i32) || get(&r, i64, sizeof i64) ||
        get(&r, f64, sizeof f64) || get(&r, sizes, sizeof sizes)) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the training checkpoint is truncated", path);
        goto close_file;
    }
    if (fp != c->fingerprint || sizes[0] != c->nparams || sizes[1] != c->nbuffers ||
        sizes[2] != c->nstate) {
        st = lc_error_set(e, LC_ERR_DATA,
                          "%s: this checkpoint was made with a different config, dataset, random seed or optimizer; a run resumes only with exactly the inputs it started with (trainer.epochs may change)",
                          path);
        goto close_file;
    }
    if (get(&r, c->params, c->nparams * sizeof(float)) ||
        get(&r, c->buffers, c->nbuffers * sizeof(float)) ||
        get(&r, c->state, c->nstate * sizeof(float)) ||
        get(&r, c->best_params, c->nparams * sizeof(float)) ||
        get(&r, c->best_buffers, c->nbuffers * sizeof(float)) || get(&r, &jlen, 8) ||
        jlen != r.n - r.at) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the training checkpoint is truncated", path);
        goto close_file;
    }
    if (i32[0] < 0 || i32[1] < 0 || i32[1] > i32[0] || i64[0] < 0 || i64[1] < 0 || i64[1] > i64[0]) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the training checkpoint holds an impossible epoch or step", path);
        goto close_file;
    }
    c->json = lc_json_parse((const char *)buf + r.at, (size_t)jlen, path, e);
    if (!c->json) {
        st = e ? e->status : LC_ERR_DATA;
        goto close_file;
    }
    c->epoch = i32[0];
    c->best_epoch = i32[1];
    c->flags = i32[2];
    c->step = (long)i64[0];
    c->best_steps = (long)i64[1];
    c->best_value = f64[0];
    c->train_seconds = f64[1];
close_file:
    free(buf);
    fclose(f);
    return st;
}

/* snprintf that reports truncation: 0 when the whole text fit, else -1 */
__attribute__((format(printf, 3, 4))) static int fmt_path(char *buf, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = vsnprintf(buf, n, f, ap);
    va_end(ap);
    return r >= 0 && (size_t)r < n ? 0 : -1;
}

/* Removes dir/model/training_checkpoints/latest.ckpt and then the directories if empty; returns
 * 0 when dir is gone. */
static int remove_checkpoint_tree(const char *dir)
{
    char p[4096];
    if (fmt_path(p, sizeof p, "%s/model/%s/%s", dir, LC_CHECKPOINT_DIR, LC_CHECKPOINT_FILE))
        return -1;
    unlink(p);
    fmt_path(p, sizeof p, "%s/model/%s", dir, LC_CHECKPOINT_DIR);
    rmdir(p);
    fmt_path(p, sizeof p, "%s/model", dir);
    rmdir(p);
    return rmdir(dir);
}

static int same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

char *lc_checkpoint_keep(const char *staging, const char *resumed_dir)
{
    char ck[4096], od[4096], name[1024], dst[4096], model[4096];
    if (fmt_path(ck, sizeof ck, "%s/model/%s/%s", staging, LC_CHECKPOINT_DIR, LC_CHECKPOINT_FILE) ||
        access(ck, F_OK) != 0)
        return NULL;
    const char *slash = strrchr(staging, '/');
    const char *base = slash ? slash + 1 : staging;
    const char *partial = strstr(base, ".partial-");
    if (base[0] != '.' || !partial || partial - base - 1 >= (long)sizeof name)
        return NULL;
    if (fmt_path(od, sizeof od, "%.*s", slash ? (int)(slash - staging) : 1, slash ? staging : ".") ||
        fmt_path(name, sizeof name, "%.*s", (int)(partial - base - 1), base + 1))
        return NULL;
    for (int k = -1; k < 1000; k++) {
        int bad = k < 0 ? fmt_path(dst, sizeof dst, "%s/%s.interrupted", od, name)
                        : fmt_path(dst, sizeof dst, "%s/%s.interrupted_%d", od, name, k);
        if (bad)
            return NULL;
        if (access(dst, F_OK) != 0)
            break;
        if (same_dir(dst, resumed_dir) && remove_checkpoint_tree(dst) == 0)
            break;
        dst[0] = '\0';
    }
    if (!dst[0])
        return NULL;
    /* <dst>/model/training_checkpoints <- staging's, then dst appears in one rename */
    char tmp[4096], from[4096], to[4096];
    if (fmt_path(tmp, sizeof tmp, "%s.keep", staging) ||
        fmt_path(model, sizeof model, "%s/model", tmp) ||
        fmt_path(from, sizeof from, "%s/model/%s", staging, LC_CHECKPOINT_DIR) ||
        fmt_path(to, sizeof to, "%s/%s", model, LC_CHECKPOINT_DIR) || mkdir(tmp, 0755) != 0)
        return NULL;
    if (mkdir(model, 0755) != 0 || rename(from, to) != 0 || rename(tmp, dst) != 0) {
        rename(to, from);
        rmdir(model);
        rmdir(tmp);
        return NULL;
    }
    size_t n = strlen(dst) + 1;
    char *out = malloc(n);
    if (out)
        memcpy(out, dst, n);
    return out;
}

void lc_checkpoint_discard_interrupted(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    const char *end = dir + n;
    const char *p = end;
    while (p > dir && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p < end && p > dir && p[-1] == '_')
        p--; /* .interrupted_N */
    else
        p = end;
    static const char suffix[] = ".interrupted";
    size_t sl = sizeof suffix - 1;
    if ((size_t)(p - dir) < sl || memcmp(p - sl, suffix, sl) != 0)
        return;
    remove_checkpoint_tree(dir);
}
