/* test_torchzip.c - lc_torch_save and lc_torch_load (lc_torchzip.h): a state_dict of float and
 * int64 tensors of 0 to 4 dimensions (one of 70,000 values, whose size takes a 4-byte pickle
 * integer; an int32 one) is a zip of stored records <prefix>/data.pkl, data/<i>, version "3\n" whose storages
 * hold the values, and reads back the same. Where Debian's python3-torch is installed,
 * torch.load(weights_only=True) reads it (tests/unit/torchzip_check.py), and a module's
 * state_dict torch wrote (memo references, _metadata, num_batches_tracked) reads, and written
 * again is the same to torch. Refused with a message: a pickle naming os.system, a storage
 * shorter than its tensor, a record whose size the archive cannot hold, a pickle or an archive cut
 * short. A file that cannot be created is
 * an I/O error that leaves nothing behind. Run from the repository root. */
#include "check.h"
#include "lc_torchzip.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

/* an archive holding data.pkl with the given bytes and, optionally, one storage record */
static size_t make_zip(const char *path, const void *pkl, size_t n, const void *rec, size_t rn)
{
    int code = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!z)
        return 0;
    zip_file_add(z, "m/data.pkl", zip_source_buffer(z, pkl, n, 0), 0);
    if (rec)
        zip_file_add(z, "m/data/0", zip_source_buffer(z, rec, rn, 0), 0);
    zip_close(z);
    return 1;
}

static void expect_refused(const char *what, const char *path, const char *sub)
{
    lc_tfile *f = NULL;
    lc_error e = {0};
    lc_status st = lc_torch_load(path, &f, &e);
    CHECK_MSG(st == LC_ERR_DATA && f == NULL && strstr(e.msg, sub) != NULL,
              "%s: status %d, message '%s' (want '%s')", what, (int)st, e.msg, sub);
    lc_tfile_free(f);
}

/* what a reader must refuse, each with a message */
static void refusals(const char *good)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/lc_torchzip_bad_%d.pt", (int)getpid());
    /* a pickle that would run os.system('echo') */
    static const unsigned char evil[] = {0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's', 't', 'e',
                                         'm', '\n', 'X', 4, 0, 0, 0, 'e', 'c', 'h', 'o', 0x85,
                                         'R', '.'};
    if (make_zip(path, evil, sizeof evil, NULL, 0))
        expect_refused("os.system", path, "it names os.system");
    /* a tensor whose storage record is shorter than its numel */
    static const unsigned char one[] = {
        0x80, 2, 'c', 'c', 'o', 'l', 'l', 'e', 'c', 't', 'i', 'o', 'n', 's', '\n', 'O', 'r', 'd',
        'e', 'r', 'e', 'd', 'D', 'i', 'c', 't', '\n', ')', 'R', '(', 'X', 1, 0, 0, 0, 'w', 'c',
        't', 'o', 'r', 'c', 'h', '.', '_', 'u', 't', 'i', 'l', 's', '\n', '_', 'r', 'e', 'b', 'u',
        'i', 'l', 'd', '_', 't', 'e', 'n', 's', 'o', 'r', '_', 'v', '2', '\n', '(', '(', 'X', 7,
        0, 0, 0, 's', 't', 'o', 'r', 'a', 'g', 'e', 'c', 't', 'o', 'r', 'c', 'h', '\n', 'F', 'l',
        'o', 'a', 't', 'S', 't', 'o', 'r', 'a', 'g', 'e', '\n', 'X', 1, 0, 0, 0, '0', 'X', 3, 0,
        0, 0, 'c', 'p', 'u', 'K', 4, 't', 'Q', 'K', 0, 'K', 4, 0x85, 'K', 1, 0x85, 0x89, ')', 't',
        'R', 'u', '.'};
    float four[4] = {1, 2, 3, 4};
    if (make_zip(path, one, sizeof one, four, 8))
        expect_refused("short storage", path, "tensor w: its storage m/data/0 is missing or not 4 values long");
    if (make_zip(path, one, sizeof one, four, 16)) { /* the same, whole: it loads */
        lc_tfile *f = NULL;
        lc_error e = {0};
        CHECK_MSG(lc_torch_load(path, &f, &e) == LC_OK && f && f->n == 1 &&
                      memcmp(f->t[0].data, four, 16) == 0,
                  "the hand-written pickle: %s", e.msg);
        lc_tfile_free(f);
    }
    /* a storage record whose central directory claims 2 GB: refused before anything that size
     * is allocated (a stored record is as long in the archive as it claims) */
    if (make_zip(path, one, sizeof one, four, 16)) {
        FILE *zf = fopen(path, "rb");
        static unsigned char zb[4096];
        size_t zn = zf ? fread(zb, 1, sizeof zb, zf) : 0;
        if (zf)
            fclose(zf);
        int patched = 0;
        for (size_t i = 0; i + 46 + 8 <= zn; i++)
            if (memcmp(zb + i, "PK\1\2", 4) == 0 && memcmp(zb + i + 46, "m/data/0", 8) == 0) {
                memcpy(zb + i + 24, "\xff\xff\xff\x7f", 4); /* uncompressed size */
                patched = 1;
            }
        CHECK(patched);
        lc_tfile *f = NULL;
        lc_error e = {0};
        CHECK_MSG(lc_torch_load_mem(zb, zn, "big", &f, &e) == LC_ERR_DATA && f == NULL &&
                      strstr(e.msg, "is missing or not 4 values long"),
                  "a record claiming 2 GB: %s", e.msg);
    }
    /* the same pickle cut short */
    if (make_zip(path, one, sizeof one - 5, four, 16))
        expect_refused("truncated pickle", path, "data.pkl is not a state_dict");
    /* the good archive cut in half, read from memory */
    FILE *fp = fopen(good, "rb");
    static unsigned char buf[400000];
    size_t n = fp ? fread(buf, 1, sizeof buf, fp) : 0;
    if (fp)
        fclose(fp);
    lc_tfile *f = NULL;
    lc_error e = {0};
    CHECK(n > 1000 && lc_torch_load_mem(buf, n, "good", &f, &e) == LC_OK && f && f->n == 7);
    lc_tfile_free(f);
    f = NULL;
    CHECK(lc_torch_load_mem(buf, n / 2, "half", &f, &e) == LC_ERR_DATA && f == NULL);
    unlink(path);
}

/* a state_dict torch itself wrote (a module's: _metadata, a batch norm's num_batches_tracked),
 * read and written again by ludwig-c: torch finds the same tensors in both */
static void torch_written(void)
{
    if (system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0)
        return;
    char a[128], b[128], cmd[512];
    snprintf(a, sizeof a, "/tmp/lc_torchzip_a_%d.pt", (int)getpid());
    snprintf(b, sizeof b, "/tmp/lc_torchzip_b_%d.pt", (int)getpid());
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import torch; torch.manual_seed(0); "
             "m = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.BatchNorm1d(3), torch.nn.Embedding(7, 2)); "
             "m[1](torch.randn(4, 3)); torch.save(m.state_dict(), '%s')\"", a);
    CHECK(system(cmd) == 0);
    lc_tfile *f = NULL;
    lc_error e = {0};
    CHECK_MSG(lc_torch_load(a, &f, &e) == LC_OK && f, "torch's own file: %s", e.msg);
    if (f) {
        CHECK(f->n == 8 && strcmp(f->t[6].name, "1.num_batches_tracked") == 0 &&
              f->t[6].dtype == LC_TD_I64 && f->t[6].ndim == 0 &&
              *(const int64_t *)f->t[6].data == 1);
        lc_error e2 = {0};
        CHECK_MSG(lc_torch_save(b, "b", f->t, f->n, &e2) == LC_OK, "%s", e2.msg);
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c \"import torch; a = torch.load('%s', weights_only=True); "
                 "b = torch.load('%s', weights_only=True); "
                 "assert list(a) == list(b) and all(torch.equal(a[k], b[k]) for k in a), 'differ'\"",
                 a, b);
        CHECK_MSG(system(cmd) == 0, "torch finds other tensors in ludwig-c's copy of its file");
        lc_tfile_free(f);
    }
    unlink(a);
    unlink(b);
}

int main(void)
{
    static float w[12], b[3], cw[12], lv[70000];
    int64_t nbt = 7, ids[5];
    for (int i = 0; i < 70000; i++) {
        float v = (float)i * 0.5f - 2.25f;
        if (i < 12)
            w[i] = cw[i] = v;
        if (i < 3)
            b[i] = v;
        lv[i] = v;
    }
    for (int i = 0; i < 5; i++)
        ids[i] = ((int64_t)1 << 40) + i;
    int32_t idx32[4] = {0, 1, 2, 3}; /* EmbedWeighted.vocab_indices: torch.IntStorage */
    lc_ttensor t[] = {
        {"encoder.weight", LC_TD_F32, 2, {3, 4}, w},
        {"encoder.bias", LC_TD_F32, 1, {3}, b},
        {"bn.num_batches_tracked", LC_TD_I64, 0, {0}, &nbt},
        {"conv.weight", LC_TD_F32, 4, {2, 3, 1, 2}, cw},
        {"big.ids", LC_TD_I64, 1, {5}, ids},
        {"long.vector", LC_TD_F32, 1, {70000}, lv},
        {"bag.vocab_indices", LC_TD_I32, 1, {4}, idx32},
    };
    char path[128];
    snprintf(path, sizeof path, "/tmp/lc_torchzip_%d.pt", (int)getpid());
    lc_error e = {0};
    CHECK_MSG(lc_torch_save(path, "model_weights", t, 7, &e) == LC_OK, "%s", e.msg);

    /* the records, stored, in torch's layout */
    int code = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &code);
    CHECK(z != NULL);
    if (z) {
        CHECK(zip_get_num_entries(z, 0) == 9);
        const char *names[] = {"model_weights/data.pkl", "model_weights/data/0",
                               "model_weights/data/2", "model_weights/data/5",
                               "model_weights/version"};
        for (int i = 0; i < 5; i++) {
            zip_stat_t st;
            int ok = zip_stat(z, names[i], 0, &st) == 0;
            CHECK_MSG(ok && st.comp_method == ZIP_CM_STORE, "%s: missing or compressed", names[i]);
        }
        zip_stat_t st;
        CHECK(zip_stat(z, "model_weights/data/5", 0, &st) == 0 && st.size == 70000 * 4);
        CHECK(zip_stat(z, "model_weights/data/2", 0, &st) == 0 && st.size == 8);
        zip_file_t *f = zip_fopen(z, "model_weights/version", 0);
        char v[4] = {0};
        CHECK(f && zip_fread(f, v, 3) == 2 && strcmp(v, "3\n") == 0);
        if (f)
            zip_fclose(f);
        float got[12] = {0};
        f = zip_fopen(z, "model_weights/data/3", 0);
        CHECK(f && zip_fread(f, got, sizeof got) == (zip_int64_t)sizeof got &&
              memcmp(got, cw, sizeof got) == 0);
        if (f)
            zip_fclose(f);
        zip_discard(z);
    }

    /* torch reads it, where python3-torch is installed */
    if (system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/torchzip_check.py %s", path);
        CHECK_MSG(system(cmd) == 0, "torch.load(weights_only=True) does not read %s as written", path);
    } else {
        printf("test_torchzip: python3-torch is not installed: torch.load not tried\n");
    }

    /* read back: the same names, dtypes, shapes and values */
    lc_tfile *f = NULL;
    lc_error e3 = {0};
    CHECK_MSG(lc_torch_load(path, &f, &e3) == LC_OK, "%s", e3.msg);
    if (f) {
        CHECK(f->n == 7);
        for (int i = 0; i < f->n && i < 7; i++) {
            int64_t ne = 1;
            int same = strcmp(f->t[i].name, t[i].name) == 0 && f->t[i].dtype == t[i].dtype &&
                       f->t[i].ndim == t[i].ndim;
            for (int d = 0; same && d < t[i].ndim; d++) {
                same = f->t[i].shape[d] == t[i].shape[d];
                ne *= t[i].shape[d];
            }
            same = same && memcmp(f->t[i].data, t[i].data, (size_t)ne * lc_tdtype_size(t[i].dtype)) == 0;
            CHECK_MSG(same, "tensor %d (%s) does not read back as written", i, t[i].name);
        }
        lc_tfile_free(f);
    }
    refusals(path);
    torch_written();
    unlink(path);

    /* a path in a directory that does not exist: an I/O error, no file */
    const char *bad = "/tmp/lc_no_such_dir_torchzip/m.pt";
    lc_error e2 = {0};
    CHECK(lc_torch_save(bad, "m", t, 6, &e2) == LC_ERR_IO);
    CHECK_MSG(strstr(e2.msg, "lc_no_such_dir_torchzip") != NULL, "message: %s", e2.msg);
    CHECK(access(bad, F_OK) != 0);
    return check_exit("test_torchzip");
}
