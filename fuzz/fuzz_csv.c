/* fuzz_csv.c - libFuzzer target for the dataset reader (lib/io/table.c): the input is parsed as
 * CSV, as TSV and with format sniffing (which also reaches the JSON/JSONL records reader), and
 * every cell, column name and line number is read back. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lc_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const lc_table *t)
{
    volatile size_t sum = 0;
    int nc = lc_table_ncols(t);
    for (int c = 0; c < nc; c++) {
        sum += strlen(lc_table_col_name(t, c));
        if (lc_table_col(t, lc_table_col_name(t, c)) < 0)
            __builtin_trap(); /* a column must be found by its own name */
    }
    for (size_t r = 0; r < lc_table_nrows(t); r++) {
        sum += (size_t)lc_table_row_line(t, r);
        for (int c = 0; c < nc; c++)
            sum += strlen(lc_table_cell(t, r, c));
    }
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const lc_table_format formats[] = {LC_TABLE_CSV, LC_TABLE_TSV, LC_TABLE_AUTO};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        lc_table *t = NULL;
        lc_error e;
        lc_error_clear(&e);
        lc_status st = lc_table_parse((const char *)data, size, formats[i], "fuzz.csv", &t, &e);
        if (st == LC_OK) {
            walk(t);
            lc_table_free(t);
        } else if (t || !e.msg[0]) {
            __builtin_trap(); /* a failure must leave no table and carry a message */
        }
    }
    return 0;
}
