/* fuzz_safetensors.c - libFuzzer target for the safetensors reader (lib/io/safetensors.c): the
 * input is the file's bytes (8-byte header length, JSON header, data). A refusal must come with a
 * message and no result; a file that loads must describe sane tensors (a known dtype, at most 8
 * non-negative dimensions, data for every non-empty tensor) whose bytes can all be read. Seeds:
 * fuzz/make_safetensors_seeds.py. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lc_safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lc_error e;
    lc_error_clear(&e);
    lc_tfile *f = (lc_tfile *)(uintptr_t)1;
    if (lc_safetensors_load_mem(data, size, "fuzz", &f, &e) != LC_OK) {
        if (f || !e.msg[0])
            __builtin_trap();
        return 0;
    }
    volatile unsigned char sink = 0;
    for (int i = 0; i < f->n; i++) {
        const lc_ttensor *t = &f->t[i];
        if (!t->name || t->ndim < 0 || t->ndim > 8 ||
            (t->dtype != LC_TD_F32 && t->dtype != LC_TD_I64 && t->dtype != LC_TD_I32))
            __builtin_trap();
        size_t n = 1;
        for (int d = 0; d < t->ndim; d++) {
            if (t->shape[d] < 0)
                __builtin_trap();
            n *= (size_t)t->shape[d];
        }
        if (n && !t->data)
            __builtin_trap();
        const unsigned char *b = t->data; /* every byte readable (the sanitizers check) */
        for (size_t k = 0; k < n * lc_tdtype_size(t->dtype); k++)
            sink ^= b[k];
    }
    (void)sink;
    lc_tfile_free(f);
    return 0;
}
