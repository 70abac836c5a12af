/* test_torchzip.c - lc_torch_save (lc_torchzip.h): a state_dict of float and int64 tensors of 0
 * to 4 dimensions (one of 70,000 values, whose size takes a 4-byte pickle integer) is a zip of
 * stored records <prefix>/data.pkl, data/<i>, version "3\n" whose storages hold the values; and,
 * where Debian's python3-torch is installed, torch.load(weights_only=True) reads back the names,
 * dtypes, shapes and values (tests/unit/torchzip_check.py). A file that cannot be created is an
 * I/O error that leaves nothing behind. Run from the repository root. */
#include "check.h"
#include "lc_torchzip.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

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
    lc_ttensor t[] = {
        {"encoder.weight", LC_TD_F32, 2, {3, 4}, w},
        {"encoder.bias", LC_TD_F32, 1, {3}, b},
        {"bn.num_batches_tracked", LC_TD_I64, 0, {0}, &nbt},
        {"conv.weight", LC_TD_F32, 4, {2, 3, 1, 2}, cw},
        {"big.ids", LC_TD_I64, 1, {5}, ids},
        {"long.vector", LC_TD_F32, 1, {70000}, lv},
    };
    char path[128];
    snprintf(path, sizeof path, "/tmp/lc_torchzip_%d.pt", (int)getpid());
    lc_error e = {0};
    CHECK_MSG(lc_torch_save(path, "model_weights", t, 6, &e) == LC_OK, "%s", e.msg);

    /* the records, stored, in torch's layout */
    int code = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &code);
    CHECK(z != NULL);
    if (z) {
        CHECK(zip_get_num_entries(z, 0) == 8);
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
    unlink(path);

    /* a path in a directory that does not exist: an I/O error, no file */
    const char *bad = "/tmp/lc_no_such_dir_torchzip/m.pt";
    lc_error e2 = {0};
    CHECK(lc_torch_save(bad, "m", t, 6, &e2) == LC_ERR_IO);
    CHECK_MSG(strstr(e2.msg, "lc_no_such_dir_torchzip") != NULL, "message: %s", e2.msg);
    CHECK(access(bad, F_OK) != 0);
    return check_exit("test_torchzip");
}
