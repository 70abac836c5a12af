/* lc_table.h - a dataset file (CSV, TSV/Galaxy tabular, JSON records, JSON Lines) read into
 * memory as columns of strings.
 *
 * Every cell is a NUL-terminated UTF-8 string owned by the table (one arena for all of them);
 * a missing value (an absent JSON key, JSON null) is "". Type inference, missing-value
 * strategies and splits are left to the callers (lib/ludwig): this layer only gets the text
 * right and reports bad files with the file name, the 1-based data row and the file line.
 *
 * Formats (what upstream Ludwig reads with pandas):
 *   CSV   RFC 4180 quoting via libcsv in strict mode, LF or CRLF, UTF-8 BOM stripped, header row
 *         required, blank lines skipped, whitespace around fields kept (as pandas does).
 *   TSV   the same with a tab delimiter (Galaxy 'tabular').
 *   JSON  an array of objects (records) or JSON Lines (one object per line). Columns are the
 *         union of keys in order of first appearance. Strings are kept as is; numbers are
 *         printed like Python's str() (integral values without ".0", others in the shortest
 *         form that reads back exactly); booleans become "True"/"False"; null and missing keys
 *         become "". Nested arrays/objects are refused.
 *   HDF5  refused with a message asking for CSV.
 * Limits: files over 2 GiB and fields over 16 MiB are refused (LC_ERR_DATA), and so is a JSON
 * dataset whose records x distinct keys exceed max(LC_TABLE_JSON_CELLS_MIN, its bytes): records
 * that each hold a few of many keys would otherwise make a table (4 bytes a cell) thousands of
 * times the file's size. A CSV/TSV cell takes at least a byte of its file, so it needs no such
 * bound.
 * Text: every cell and column name must be UTF-8 (pandas decodes the file as UTF-8 and fails
 * otherwise) without NUL (a raw NUL byte in CSV/TSV, \u0000 in a JSON string, which would end
 * the text early); the message names the line, the row or record, the column or key and the
 * byte offset in the value.
 * Thread safety: a table is read-only after lc_table_read and may be shared between threads.
 */
#ifndef LC_TABLE_H
#define LC_TABLE_H

#include "lc_error.h"

#include <stddef.h>
#include <stdio.h>

typedef enum lc_table_format {
    LC_TABLE_AUTO = 0, /* by extension (.csv; .tsv/.tab/.tabular/.txt; .json/.jsonl), else sniffed */
    LC_TABLE_CSV,
    LC_TABLE_TSV,
    LC_TABLE_JSON,     /* array of records, or JSON Lines (detected from the content) */
    LC_TABLE_HDF5      /* recognised only to be refused with a clear message */
} lc_table_format;

#define LC_TABLE_FILE_MAX ((size_t)2 << 30)   /* bytes */
#define LC_TABLE_FIELD_MAX ((size_t)16 << 20) /* bytes in one cell */
#define LC_TABLE_JSON_CELLS_MIN ((size_t)1 << 22) /* cells a JSON table may always have */

typedef struct lc_table lc_table;

/* Parse Ludwig/Galaxy format names: auto, csv, tsv, tabular, json, jsonl, hdf5, h5 (case
 * insensitive). Unknown names are an LC_ERR_USAGE error listing the accepted ones. */
lc_status lc_table_format_parse(const char *name, lc_table_format *out, lc_error *e);

/* Read the file at path. On success *out is a new table (free with lc_table_free); on failure
 * *out is NULL and e holds a message that starts with the path. */
lc_status lc_table_read(const char *path, lc_table_format format, lc_table **out, lc_error *e);

/* The same from memory (data need not be NUL-terminated); name is used in messages and
 * returned by lc_table_name. LC_TABLE_AUTO sniffs the content. */
lc_status lc_table_parse(const char *data, size_t len, lc_table_format format, const char *name,
                         lc_table **out, lc_error *e);

void lc_table_free(lc_table *t);

int lc_table_ncols(const lc_table *t);
size_t lc_table_nrows(const lc_table *t);
/* The format actually parsed (never AUTO). */
lc_table_format lc_table_format_of(const lc_table *t);
/* The path (or name) given when reading. */
const char *lc_table_name(const lc_table *t);
/* Column name, col in [0, ncols). */
const char *lc_table_col_name(const lc_table *t, int col);
/* Index of the column with exactly this name, or -1 if absent. */
int lc_table_col(const lc_table *t, const char *name);
/* Cell text, row in [0, nrows), col in [0, ncols); never NULL; valid until lc_table_free. */
const char *lc_table_cell(const lc_table *t, size_t row, int col);
/* 1-based line of the source file where data row `row` starts (the header is line 1 of a CSV);
 * 0 when unknown (records inside a JSON array). */
long lc_table_row_line(const lc_table *t, size_t row);

/* Writes s as one CSV field (quoted, with doubled quotes, when it holds a comma, a quote or a
 * line break: what pandas' to_csv writes). */
void lc_csv_field(FILE *f, const char *s);

#endif
