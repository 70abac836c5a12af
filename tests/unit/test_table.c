/* test_table.c - lc_table: CSV quoting, CRLF, BOM, TSV, JSON records and JSON Lines, line
 * numbers, and every error class by status and message substring. Inputs are written to a
 * temporary directory by the test itself. */
#include "check.h"
#include "lc_error.h"
#include "lc_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lc_test_table_XXXXXX";

static const char *write_file(const char *name, const char *data, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return path;
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

/* Parse from a file named `name` holding `data`; returns the status, table in *t. */
static lc_status read_str(const char *name, const char *data, lc_table **t, lc_error *e)
{
    lc_error_clear(e);
    const char *path = write_file(name, data, strlen(data));
    return lc_table_read(path, LC_TABLE_AUTO, t, e);
}

static void expect_error(const char *name, const char *data, lc_status st, const char *substr)
{
    lc_table *t = NULL;
    lc_error e;
    lc_status got = read_str(name, data, &t, &e);
    CHECK_MSG(got == st, "%s: status %s, want %s (%s)", name, lc_status_name(got), lc_status_name(st), e.msg);
    CHECK_MSG(strstr(e.msg, substr) != NULL, "%s: message '%s' lacks '%s'", name, e.msg, substr);
    CHECK(t == NULL);
    lc_table_free(t);
}

static void test_csv_quoting(void)
{
    lc_table *t;
    lc_error e;
    const char *csv = "image_path,label,split\n"
                      "a.png,\"cat, big\",0\n"
                      "\"b \"\"q\"\".png\",dog,1\n"
                      "c.png,\"multi\nline\",2\n"
                      "d.png,,0\n"
                      " e.png , x ,1\n";
    CHECK(read_str("q.csv", csv, &t, &e) == LC_OK);
    if (!t)
        return;
    CHECK(lc_table_ncols(t) == 3 && lc_table_nrows(t) == 5);
    CHECK(lc_table_format_of(t) == LC_TABLE_CSV);
    CHECK(lc_table_col(t, "image_path") == 0 && lc_table_col(t, "split") == 2);
    CHECK(lc_table_col(t, "missing") == -1);
    CHECK(strcmp(lc_table_col_name(t, 1), "label") == 0);
    CHECK(strcmp(lc_table_cell(t, 0, 1), "cat, big") == 0);
    CHECK(strcmp(lc_table_cell(t, 1, 0), "b \"q\".png") == 0);
    CHECK(strcmp(lc_table_cell(t, 2, 1), "multi\nline") == 0);
    CHECK(strcmp(lc_table_cell(t, 3, 1), "") == 0);
    CHECK(strcmp(lc_table_cell(t, 4, 0), " e.png ") == 0); /* whitespace kept, as pandas does */
    CHECK(lc_table_row_line(t, 0) == 2 && lc_table_row_line(t, 2) == 4 && lc_table_row_line(t, 3) == 6);
    lc_table_free(t);
}

static void test_crlf_bom_tsv(void)
{
    lc_table *t;
    lc_error e;
    CHECK(read_str("crlf.csv", "\xEF\xBB\xBFimage_path,label\r\nx/1.jpg,7\r\n\r\ny/2.jpg,3\r\n", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_nrows(t) == 2 && strcmp(lc_table_col_name(t, 0), "image_path") == 0);
        CHECK(strcmp(lc_table_cell(t, 0, 1), "7") == 0 && strcmp(lc_table_cell(t, 1, 0), "y/2.jpg") == 0);
        CHECK(lc_table_row_line(t, 1) == 4); /* the blank line is skipped but counted */
        lc_table_free(t);
    }
    /* no trailing newline */
    CHECK(read_str("nonl.csv", "a,b\n1,2", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_nrows(t) == 1 && strcmp(lc_table_cell(t, 0, 1), "2") == 0);
        lc_table_free(t);
    }
    CHECK(read_str("d.tabular", "image_path\tlabel\nx, y.png\t\"q\"\n", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_format_of(t) == LC_TABLE_TSV && lc_table_ncols(t) == 2);
        CHECK(strcmp(lc_table_cell(t, 0, 0), "x, y.png") == 0 && strcmp(lc_table_cell(t, 0, 1), "q") == 0);
        lc_table_free(t);
    }
    /* sniffed: unknown extension */
    CHECK(read_str("d.dat", "a\tb\tc\n1\t2\t3\n", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_format_of(t) == LC_TABLE_TSV && lc_table_ncols(t) == 3);
        lc_table_free(t);
    }
    CHECK(read_str("d2.dat", "[{\"a\": 1}]", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_format_of(t) == LC_TABLE_JSON);
        lc_table_free(t);
    }
}

static void test_json(void)
{
    lc_table *t;
    lc_error e;
    const char *js = "[\n"
                     "  {\"image_path\": \"a.png\", \"label\": 3, \"split\": 0},\n"
                     "  {\"image_path\": \"b.png\", \"label\": 2.5, \"extra\": true},\n"
                     "  {\"label\": null, \"image_path\": \"c {x}.png\", \"extra\": false}\n"
                     "]\n";
    CHECK(read_str("r.json", js, &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_ncols(t) == 4 && lc_table_nrows(t) == 3);
        CHECK(lc_table_col(t, "extra") == 3);
        CHECK(strcmp(lc_table_cell(t, 0, 1), "3") == 0);
        CHECK(strcmp(lc_table_cell(t, 1, 1), "2.5") == 0);
        CHECK(strcmp(lc_table_cell(t, 1, 2), "") == 0); /* missing key */
        CHECK(strcmp(lc_table_cell(t, 1, 3), "True") == 0);
        CHECK(strcmp(lc_table_cell(t, 2, 1), "") == 0); /* null */
        CHECK(strcmp(lc_table_cell(t, 2, 0), "c {x}.png") == 0);
        CHECK(lc_table_row_line(t, 0) == 2 && lc_table_row_line(t, 2) == 4);
        lc_table_free(t);
    }
    CHECK(read_str("l.jsonl", "{\"p\": \"a\", \"y\": 0.1}\n\n{\"y\": -7, \"p\": \"b\"}\n", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_ncols(t) == 2 && lc_table_nrows(t) == 2);
        CHECK(strcmp(lc_table_cell(t, 0, 1), "0.1") == 0 && strcmp(lc_table_cell(t, 1, 1), "-7") == 0);
        CHECK(strcmp(lc_table_cell(t, 1, 0), "b") == 0 && lc_table_row_line(t, 1) == 3);
        lc_table_free(t);
    }
    expect_error("bad.jsonl", "{\"p\": \"a\"}\n{\"p\": \n", LC_ERR_DATA, "line 2: invalid JSON");
    expect_error("nested.json", "[{\"p\": [1, 2]}]", LC_ERR_DATA, "key 'p' holds an array or object");
    expect_error("notobj.json", "[{\"p\": 1},\n 5]", LC_ERR_DATA, "record 2 (line 2) is not a JSON object");
    expect_error("emptyarr.json", "[]", LC_ERR_DATA, "holds no records");
    expect_error("empty.json", "  \n", LC_ERR_DATA, "the file is empty");
}

static void test_errors(void)
{
    expect_error("ragged.csv", "a,b,c\n1,2,3\n4,5\n", LC_ERR_DATA, "row 2 (line 3) has 2 fields but the header has 3");
    expect_error("ragged2.csv", "a,b\n\"x\ny\",2\n1,2,3\n", LC_ERR_DATA, "row 2 (line 4) has 3 fields");
    expect_error("badq.csv", "a,b\n1,2\nx\"y,3\n", LC_ERR_DATA, "line 3: malformed CSV quoting");
    expect_error("badq2.csv", "a,b\n\"x\"y,3\n", LC_ERR_DATA, "line 2: malformed CSV quoting");
    expect_error("open.csv", "a,b\n1,2\n\"x,3\n4,5\n", LC_ERR_DATA, "opened after line 2 is never closed");
    expect_error("empty.csv", "", LC_ERR_DATA, "the file is empty");
    expect_error("bom_only.csv", "\xEF\xBB\xBF", LC_ERR_DATA, "the file is empty");
    expect_error("header.csv", "image_path,label\r\n", LC_ERR_DATA, "header row but no data rows");
    expect_error("dup.csv", "a,b,a\n1,2,3\n", LC_ERR_DATA, "duplicate column name 'a' (columns 1 and 3)");
    expect_error("data.h5", "whatever", LC_ERR_DATA, "HDF5 datasets are not supported; convert to CSV");
    expect_error("data.bin", "\211HDF\r\n\032\nxxxx", LC_ERR_DATA, "HDF5 datasets are not supported");
    expect_error("images.csv", "PK\003\004rest", LC_ERR_DATA, "zip archive");

    lc_table *t = NULL;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_table_read("/nonexistent/dir/x.csv", LC_TABLE_AUTO, &t, &e) == LC_ERR_IO);
    CHECK(strstr(e.msg, "/nonexistent/dir/x.csv: cannot open") != NULL && t == NULL);

    lc_table_format f;
    lc_error_clear(&e);
    CHECK(lc_table_format_parse("Tabular", &f, &e) == LC_OK && f == LC_TABLE_TSV);
    CHECK(lc_table_format_parse("h5", &f, &e) == LC_OK && f == LC_TABLE_HDF5);
    CHECK(lc_table_format_parse("xlsx", &f, &e) == LC_ERR_USAGE && strstr(e.msg, "'xlsx'"));

    /* parse from memory with an explicit format and a NUL-free, unterminated buffer */
    char buf[] = {'a', ',', 'b', '\n', '1', ',', '2'};
    lc_error_clear(&e);
    CHECK(lc_table_parse(buf, sizeof buf, LC_TABLE_CSV, "mem", &t, &e) == LC_OK);
    if (t) {
        CHECK(strcmp(lc_table_name(t), "mem") == 0 && strcmp(lc_table_cell(t, 0, 1), "2") == 0);
        lc_table_free(t);
    }
    /* an empty header cell is pandas' "Unnamed: <index>" (to_csv's index column) */
    const char un[] = ",temperature,,x\n0,1.5,a,b\n";
    lc_error_clear(&e);
    CHECK(lc_table_parse(un, sizeof un - 1, LC_TABLE_CSV, "un.csv", &t, &e) == LC_OK);
    if (t) {
        CHECK(strcmp(lc_table_col_name(t, 0), "Unnamed: 0") == 0);
        CHECK(strcmp(lc_table_col_name(t, 2), "Unnamed: 2") == 0);
        CHECK(lc_table_col(t, "Unnamed: 2") == 2 && strcmp(lc_table_cell(t, 0, 2), "a") == 0);
        lc_table_free(t);
    }
    char nul[] = {'a', '\n', 'x', '\0', 'y', '\n'};
    lc_error_clear(&e);
    CHECK(lc_table_parse(nul, sizeof nul, LC_TABLE_CSV, "nul.csv", &t, &e) == LC_ERR_DATA);
    CHECK(strstr(e.msg, "line 2: a field contains a NUL byte") != NULL);
}

/* Many rows: arena growth, offsets stay valid. */
static void test_large(void)
{
    size_t n = 20000;
    char *csv = malloc(n * 40 + 64);
    if (!csv)
        return;
    size_t len = (size_t)sprintf(csv, "image_path,label\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(csv + len, "dir/%zu.png,%zu\n", i, i % 10);
    lc_table *t;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_table_parse(csv, len, LC_TABLE_AUTO, "big", &t, &e) == LC_OK);
    if (t) {
        CHECK(lc_table_nrows(t) == n);
        CHECK(strcmp(lc_table_cell(t, 12345, 0), "dir/12345.png") == 0);
        CHECK(strcmp(lc_table_cell(t, n - 1, 1), "9") == 0);
        CHECK(lc_table_row_line(t, n - 1) == (long)n + 1);
        lc_table_free(t);
    }
    free(csv);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_csv_quoting();
    test_crlf_bom_tsv();
    test_json();
    test_errors();
    test_large();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_exit("test_table");
}
