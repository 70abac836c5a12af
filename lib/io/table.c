/* table.c - reads CSV/TSV (libcsv, strict RFC 4180) and JSON records/JSON Lines (cJSON) into an
 * lc_table: one string arena plus an (nrows, ncols) array of offsets into it.
 *
 * Leaves to others: what the strings mean (types, missing-value handling, splits), and where
 * image paths point (lc_image). CSV rows are fed to libcsv one physical line at a time so every
 * row and every parse error can be reported with its line number.
 */
#include "lc_table.h"

#include "lc_mem.h"
#include "lc_strtab.h"

#include <cJSON.h>
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct lc_table {
    char *name;
    lc_table_format format;
    int ncols;
    size_t nrows;
    size_t *col_names; /* (ncols) offsets into arena */
    size_t cols_cap;
    lc_strtab names;   /* the column names, hashed: lookups and duplicate checks in O(1) */
    uint32_t *cells;   /* (nrows, ncols) offsets into arena; 0 is the empty string (the arena of
                        * a table of at most LC_TABLE_FILE_MAX bytes fits 32 bits) */
    long *lines;       /* (nrows) 1-based source line of each row, 0 if unknown */
    size_t rows_cap;
    char *arena;
    size_t arena_len, arena_cap;
};

/* ---- storage ---------------------------------------------------------------------------- */

static const char *col_name_at(const void *ctx, size_t i)
{
    const lc_table *t = ctx;
    return t->arena + t->col_names[i];
}

static lc_table *table_new(const char *name, lc_table_format format)
{
    lc_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->name = lc_strdup(name ? name : "(dataset)");
    t->format = format;
    lc_strtab_init(&t->names, col_name_at, t);
    t->arena_cap = 4096;
    t->arena = malloc(t->arena_cap);
    if (!t->name || !t->arena) {
        lc_table_free(t);
        return NULL;
    }
    t->arena[0] = '\0';
    t->arena_len = 1;
    return t;
}

void lc_table_free(lc_table *t)
{
    if (!t)
        return;
    free(t->name);
    lc_strtab_free(&t->names);
    free(t->col_names);
    free(t->cells);
    free(t->lines);
    free(t->arena);
    free(t);
}

/* Append s[0..n) plus a NUL to the arena; returns the offset, or 0 with *ok = 0 on failure. */
static size_t arena_add(lc_table *t, const char *s, size_t n, int *ok)
{
    if (n == 0)
        return 0;
    size_t need;
    if (lc_size_add(t->arena_len, n + 1, &need) != 0 || need > (size_t)UINT32_MAX) {
        *ok = 0;
        return 0;
    }
    if (need > t->arena_cap) {
        size_t cap = t->arena_cap;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *a = realloc(t->arena, cap);
        if (!a) {
            *ok = 0;
            return 0;
        }
        t->arena = a;
        t->arena_cap = cap;
    }
    size_t off = t->arena_len;
    memcpy(t->arena + off, s, n);
    t->arena[off + n] = '\0';
    t->arena_len = need;
    return off;
}

/* Make room for one more row of ncols cells; returns a pointer to its offsets (zeroed). */
static uint32_t *row_add(lc_table *t, long line)
{
    if (t->nrows == t->rows_cap) {
        size_t cap = t->rows_cap ? t->rows_cap * 2 : 256;
        size_t cells;
        if (lc_size_mul(cap, (size_t)t->ncols, &cells) != 0)
            return NULL;
        uint32_t *c = lc_realloc_array(t->cells, cells, sizeof *c);
        if (!c)
            return NULL;
        t->cells = c;
        long *l = lc_realloc_array(t->lines, cap, sizeof *l);
        if (!l)
            return NULL;
        t->lines = l;
        t->rows_cap = cap;
    }
    uint32_t *row = t->cells + t->nrows * (size_t)t->ncols;
    memset(row, 0, (size_t)t->ncols * sizeof *row);
    t->lines[t->nrows] = line;
    t->nrows++;
    return row;
}

/* Indexes the header's names, refusing the first that repeats an earlier one. */
static lc_status index_names(lc_table *t, lc_error *e)
{
    for (int i = 0; i < t->ncols; i++) {
        size_t j;
        int dup = lc_strtab_add(&t->names, (size_t)i, &j);
        if (dup < 0)
            return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory reading the header", t->name);
        if (dup)
            return lc_error_set(e, LC_ERR_DATA,
                                "%s: duplicate column name '%s' (columns %zu and %d); column names must be unique",
                                t->name, t->arena + t->col_names[i], j + 1, i + 1);
    }
    return LC_OK;
}

/* ---- accessors ---------------------------------------------------------------------------- */

int lc_table_ncols(const lc_table *t) { return t->ncols; }
size_t lc_table_nrows(const lc_table *t) { return t->nrows; }
lc_table_format lc_table_format_of(const lc_table *t) { return t->format; }
const char *lc_table_name(const lc_table *t) { return t->name; }

const char *lc_table_col_name(const lc_table *t, int col)
{
    return t->arena + t->col_names[col];
}

int lc_table_col(const lc_table *t, const char *name)
{
    return (int)lc_strtab_find(&t->names, name, strlen(name));
}

const char *lc_table_cell(const lc_table *t, size_t row, int col)
{
    return t->arena + t->cells[row * (size_t)t->ncols + (size_t)col];
}

long lc_table_row_line(const lc_table *t, size_t row)
{
    return t->lines[row];
}

/* ---- CSV / TSV ---------------------------------------------------------------------------- */

typedef struct csv_state {
    lc_table *t;
    lc_error *e;
    const char *what; /* "CSV" or "TSV" */
    long line;        /* physical line being fed */
    long last_row_end; /* line on which the last complete row (or the header) ended */
    int failed;
    int header_done;
    size_t *fields; /* current row: offsets into the arena */
    int nfields, cap_fields;
    long row_line;  /* start line of the current row */
    size_t rows_hint; /* physical lines in the text: rows reserved once the width is known */
    size_t len_hint;  /* bytes in the text */
} csv_state;

static int csv_never_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* A name of n bytes in a message: at most 80 bytes of it, cut at a character boundary. */
static int msg_len(const char *s, size_t n)
{
    if (n <= 80)
        return (int)n;
    n = 80;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return (int)n;
}

/* Refuses a field holding a NUL byte (nul) or a byte that is not UTF-8 at offset `at`, naming
 * its line, row and column: pandas decodes the file as UTF-8 and fails on such a byte, and a
 * NUL would end the label early and merge it with another. */
static void csv_bad_field(csv_state *s, const void *data, size_t at, int nul)
{
    const lc_table *t = s->t;
    const unsigned char *d = data;
    long line = s->row_line;
    for (size_t i = 0; i < at; i++)
        line += d[i] == '\n';
    int col = s->nfields;
    char where[160];
    if (!s->header_done)
        snprintf(where, sizeof where, "column %d of the header", col + 1);
    else if (col < t->ncols)
        snprintf(where, sizeof where, "row %zu, column %d '%.*s'", t->nrows + 1, col + 1,
                 msg_len(t->arena + t->col_names[col], strlen(t->arena + t->col_names[col])),
                 t->arena + t->col_names[col]);
    else
        snprintf(where, sizeof where, "row %zu, column %d", t->nrows + 1, col + 1);
    const char *what = s->header_done ? "value" : "column name";
    if (nul)
        lc_error_set(s->e, LC_ERR_DATA, "%s: line %ld: a field contains a NUL byte (%s, byte %zu of the %s); is this really a %s text file?",
                     t->name, line, where, at, what, s->what);
    else
        lc_error_set(s->e, LC_ERR_DATA,
                     "%s: line %ld (%s): byte 0x%02x at byte %zu of the %s is not UTF-8; save the file as UTF-8 text (pandas refuses it too)",
                     t->name, line, where, d[at], at, what);
}

static void csv_on_field(void *data, size_t len, void *ctx)
{
    csv_state *s = ctx;
    if (s->failed)
        return;
    if (s->nfields == 0) {
        long nl = 0;
        for (size_t i = 0; i < len; i++)
            nl += ((const char *)data)[i] == '\n';
        s->row_line = s->line - nl;
    }
    if (len > LC_TABLE_FIELD_MAX) {
        lc_error_set(s->e, LC_ERR_DATA, "%s: line %ld: a field is %zu bytes long; the limit is %zu bytes",
                     s->t->name, s->row_line, len, LC_TABLE_FIELD_MAX);
        s->failed = 1;
        return;
    }
    const char *nul = len ? memchr(data, '\0', len) : NULL;
    size_t bad = lc_utf8_invalid(data, nul ? (size_t)(nul - (const char *)data) : len);
    if (nul || bad < len) {
        csv_bad_field(s, data, bad, nul != NULL && (size_t)(nul - (const char *)data) == bad);
        s->failed = 1;
        return;
    }
    if (s->nfields == s->cap_fields) {
        int cap = s->cap_fields ? s->cap_fields * 2 : 16;
        size_t *f = lc_realloc_array(s->fields, (size_t)cap, sizeof *f);
        if (!f) {
            lc_error_set(s->e, LC_ERR_NOMEM, "%s: out of memory reading line %ld", s->t->name, s->line);
            s->failed = 1;
            return;
        }
        s->fields = f;
        s->cap_fields = cap;
    }
    int ok = 1;
    size_t off = arena_add(s->t, data, len, &ok);
    if (!ok) {
        lc_error_set(s->e, LC_ERR_NOMEM, "%s: out of memory reading line %ld", s->t->name, s->line);
        s->failed = 1;
        return;
    }
    s->fields[s->nfields++] = off;
}

static void csv_on_row(int term, void *ctx)
{
    csv_state *s = ctx;
    (void)term;
    if (s->failed)
        return;
    lc_table *t = s->t;
    if (s->nfields == 0)
        s->row_line = s->line;
    if (!s->header_done) {
        t->col_names = lc_realloc_array(NULL, (size_t)s->nfields, sizeof *t->col_names);
        if (!t->col_names) {
            lc_error_set(s->e, LC_ERR_NOMEM, "%s: out of memory reading the header", t->name);
            s->failed = 1;
            return;
        }
        memcpy(t->col_names, s->fields, (size_t)s->nfields * sizeof *s->fields);
        t->ncols = s->nfields;
        s->header_done = 1;
        /* an empty header cell is named as pandas names it: "Unnamed: <column index>" (the
         * index column to_csv writes, as in upstream's temperature_la.csv) */
        for (int i = 0; i < t->ncols; i++)
            if (t->arena[t->col_names[i]] == '\0') {
                char nm[32];
                int ok = 1;
                int len = snprintf(nm, sizeof nm, "Unnamed: %d", i);
                size_t off = arena_add(t, nm, (size_t)len, &ok);
                if (!ok) {
                    lc_error_set(s->e, LC_ERR_NOMEM, "%s: out of memory reading the header", t->name);
                    s->failed = 1;
                    return;
                }
                t->col_names[i] = off;
            }
        /* every data row takes a byte per field (its delimiters and line end) */
        size_t most = s->len_hint / (size_t)(t->ncols > 1 ? t->ncols - 1 : 1) + 1, cells;
        if (s->rows_hint > most)
            s->rows_hint = most;
        if (s->rows_hint > 1 && !lc_size_mul(s->rows_hint, (size_t)t->ncols, &cells)) {
            uint32_t *c = lc_realloc_array(NULL, cells, sizeof *c);
            long *l = lc_realloc_array(NULL, s->rows_hint, sizeof *l);
            if (c && l) {
                t->cells = c;
                t->lines = l;
                t->rows_cap = s->rows_hint;
            } else {
                free(c);
                free(l);
            }
        }
        if (index_names(t, s->e) != LC_OK)
            s->failed = 1;
    } else if (s->nfields != t->ncols) {
        lc_error_set(s->e, LC_ERR_DATA,
                     "%s: row %zu (line %ld) has %d fields but the header has %d; every row needs one value per column (quote values that contain the delimiter)",
                     t->name, t->nrows + 1, s->row_line, s->nfields, t->ncols);
        s->failed = 1;
    } else {
        uint32_t *row = row_add(t, s->row_line);
        if (!row) {
            lc_error_set(s->e, LC_ERR_NOMEM, "%s: out of memory at row %zu", t->name, t->nrows + 1);
            s->failed = 1;
            return;
        }
        for (int k = 0; k < t->ncols; k++)
            row[k] = (uint32_t)s->fields[k];
    }
    s->nfields = 0;
    s->last_row_end = s->line;
}

static lc_status csv_parse_error(csv_state *s, struct csv_parser *p, int at_end)
{
    int err = csv_error(p);
    if (err == CSV_ENOMEM || err == CSV_ETOOBIG)
        return lc_error_set(s->e, LC_ERR_NOMEM, "%s: out of memory parsing line %ld", s->t->name, s->line);
    if (at_end)
        return lc_error_set(s->e, LC_ERR_DATA,
                            "%s: a quoted field opened after line %ld is never closed (unbalanced double quote); close the quote or double any quote inside a quoted field",
                            s->t->name, s->last_row_end);
    return lc_error_set(s->e, LC_ERR_DATA,
                        "%s: line %ld: malformed %s quoting (a quote inside an unquoted field, or text after a closing quote); enclose such fields in double quotes and write each quote inside them as two quotes",
                        s->t->name, s->line, s->what);
}

/* Delimited text is fed line by line (libcsv keeps the state across lines, so a quoted field may
 * span them): from one buffer (lc_table_parse) or from a file read in chunks (lc_table_read), so
 * a large file is never held twice. */
typedef struct delim_run {
    struct csv_parser p;
    csv_state s;
} delim_run;

static lc_status delim_begin(delim_run *r, lc_table *t, size_t len_hint, unsigned char delim,
                             lc_error *e)
{
    memset(r, 0, sizeof *r);
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", t->name);
    csv_set_delim(&r->p, delim);
    csv_set_space_func(&r->p, csv_never_space);
    r->s = (csv_state){.t = t, .e = e, .what = delim == '\t' ? "TSV" : "CSV", .line = 0,
                       .len_hint = len_hint};
    /* the arena holds at most the text plus a NUL per field, which replaces its separator:
     * reserve it once instead of doubling through a large file */
    if (len_hint + 64 > t->arena_cap) {
        char *a = realloc(t->arena, len_hint + 64);
        if (a) {
            t->arena = a;
            t->arena_cap = len_hint + 64;
        }
    }
    return LC_OK;
}

/* Feeds data[0..len), which ends at a line end unless it is the end of the input. */
static lc_status delim_feed(delim_run *r, const char *data, size_t len)
{
    size_t pos = 0;
    while (pos < len && !r->s.failed) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;
        r->s.line++;
        if (csv_parse(&r->p, data + pos, n, csv_on_field, csv_on_row, &r->s) != n)
            return csv_parse_error(&r->s, &r->p, 0);
        pos += n;
    }
    return r->s.failed ? (r->s.e ? r->s.e->status : LC_ERR_DATA) : LC_OK;
}

static lc_status delim_end(delim_run *r, lc_status st)
{
    lc_table *t = r->s.t;
    lc_error *e = r->s.e;
    if (!st && !r->s.failed && csv_fini(&r->p, csv_on_field, csv_on_row, &r->s) != 0)
        st = csv_parse_error(&r->s, &r->p, 1);
    else if (!st && r->s.failed)
        st = e ? e->status : LC_ERR_DATA;
    else if (!st && !r->s.header_done)
        st = lc_error_set(e, LC_ERR_DATA,
                          "%s: the file is empty; a dataset needs a header row naming the columns (e.g. image_path,label) and at least one data row",
                          t->name);
    else if (!st && t->nrows == 0)
        st = lc_error_set(e, LC_ERR_DATA, "%s: the file has a header row but no data rows", t->name);
    csv_free(&r->p);
    free(r->s.fields);
    return st;
}

static lc_status parse_delimited(lc_table *t, const char *data, size_t len, unsigned char delim,
                                 lc_error *e)
{
    delim_run r;
    lc_status st = delim_begin(&r, t, len, delim, e);
    if (st)
        return st;
    for (const char *q = data, *end = data + len; q < end && (q = memchr(q, '\n', (size_t)(end - q)));
         q++)
        r.s.rows_hint++;
    r.s.rows_hint++;
    return delim_end(&r, delim_feed(&r, data, len));
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static long line_of(const char *data, const char *at)
{
    long line = 1;
    for (const char *c = data; c < at; c++)
        line += *c == '\n';
    return line;
}

/* Text of a scalar JSON value as Python's str() of what pandas reads: *ok = 0 for
 * arrays/objects. Writes into buf (>= 32 bytes) unless it returns the string itself. */
static const char *json_scalar(const cJSON *v, char *buf, size_t *len, int *ok)
{
    *ok = 1;
    if (cJSON_IsString(v)) {
        *len = strlen(v->valuestring);
        return v->valuestring;
    }
    if (cJSON_IsNull(v)) {
        *len = 0;
        return "";
    }
    if (cJSON_IsBool(v)) {
        const char *s = cJSON_IsTrue(v) ? "True" : "False";
        *len = strlen(s);
        return s;
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e15)
            snprintf(buf, 32, "%.0f", d);
        else
            for (int prec = 15; prec <= 17; prec++) {
                snprintf(buf, 32, "%.*g", prec, d);
                if (strtod(buf, NULL) == d)
                    break;
            }
        *len = strlen(buf);
        return buf;
    }
    *ok = 0;
    *len = 0;
    return "";
}

/* Column of key `k`, adding it if new; `guess` is tried first (keys usually come in order). */
static int json_column(lc_table *t, const char *k, int guess, lc_error *e)
{
    if (guess < t->ncols && strcmp(t->arena + t->col_names[guess], k) == 0)
        return guess;
    size_t klen = strlen(k);
    long long at = lc_strtab_find(&t->names, k, klen);
    if (at >= 0)
        return (int)at;
    if (t->ncols == INT32_MAX)
        return lc_error_set(e, LC_ERR_DATA, "%s: more than %d distinct keys", t->name, INT32_MAX), -1;
    if ((size_t)t->ncols == t->cols_cap) {
        size_t cap = t->cols_cap ? t->cols_cap * 2 : 16;
        size_t *names = lc_realloc_array(t->col_names, cap, sizeof *names);
        if (!names)
            return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", t->name), -1;
        t->col_names = names;
        t->cols_cap = cap;
    }
    int ok = 1;
    size_t off = arena_add(t, k, klen, &ok);
    if (!ok)
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", t->name), -1;
    t->col_names[t->ncols] = off;
    if (lc_strtab_add(&t->names, (size_t)t->ncols, NULL) < 0)
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", t->name), -1;
    return t->ncols++;
}

/* Pass 1 (cols_only): collect the columns. Pass 2: fill one row. */
static lc_status json_record(lc_table *t, const cJSON *obj, size_t rowno, long line, int cols_only,
                             lc_error *e)
{
    char where[64];
    if (line > 0)
        snprintf(where, sizeof where, "record %zu (line %ld)", rowno + 1, line);
    else
        snprintf(where, sizeof where, "record %zu", rowno + 1);
    if (!cJSON_IsObject(obj))
        return lc_error_set(e, LC_ERR_DATA,
                            "%s: %s is not a JSON object; expected records like {\"image_path\": \"a.png\", \"label\": \"cat\"}",
                            t->name, where);
    if (cols_only) {
        int k = 0;
        for (const cJSON *v = obj->child; v; v = v->next, k++)
            if (json_column(t, v->string ? v->string : "", k, e) < 0)
                return e ? e->status : LC_ERR_NOMEM;
        return LC_OK;
    }
    uint32_t *row = t->cells + rowno * (size_t)t->ncols;
    t->lines[rowno] = line;
    int k = 0;
    for (const cJSON *v = obj->child; v; v = v->next, k++) {
        int col = json_column(t, v->string ? v->string : "", k, e);
        char buf[32];
        size_t len;
        int ok;
        const char *s = json_scalar(v, buf, &len, &ok);
        if (!ok)
            return lc_error_set(e, LC_ERR_DATA,
                                "%s: %s: key '%s' holds an array or object; only strings, numbers, booleans and null are supported",
                                t->name, where, v->string ? v->string : "");
        if (len > LC_TABLE_FIELD_MAX)
            return lc_error_set(e, LC_ERR_DATA, "%s: %s: key '%s' is %zu bytes long; the limit is %zu bytes",
                                t->name, where, v->string ? v->string : "", len, LC_TABLE_FIELD_MAX);
        ok = 1;
        row[col] = (uint32_t)arena_add(t, s, len, &ok);
        if (!ok)
            return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory at %s", t->name, where);
    }
    return LC_OK;
}

/* The (nrows, ncols) cells of a JSON table read from len bytes. Records may leave keys out, so
 * the table can be far larger than the file: it is refused above max(LC_TABLE_JSON_CELLS_MIN,
 * len) cells (see lc_table.h). */
static lc_status json_alloc_rows(lc_table *t, size_t nrows, size_t len, lc_error *e)
{
    size_t ncells;
    size_t most = len > LC_TABLE_JSON_CELLS_MIN ? len : LC_TABLE_JSON_CELLS_MIN;
    if (nrows > 0 && (lc_size_mul(nrows, (size_t)t->ncols, &ncells) != 0 || ncells > most))
        return lc_error_set(e, LC_ERR_DATA,
                            "%s: %zu records with %d distinct keys between them make a table of %zu x %d cells, over the limit of %zu cells for a file of %zu bytes (one cell per byte of the file, at least %zu); most keys are missing from most records: give every record the same keys (the dataset's columns)",
                            t->name, nrows, t->ncols, nrows, t->ncols, most, len, LC_TABLE_JSON_CELLS_MIN);
    if (lc_size_mul(nrows, (size_t)t->ncols, &ncells) != 0 ||
        !(t->cells = lc_realloc_array(NULL, ncells ? ncells : 1, sizeof *t->cells)) ||
        (!t->lines && !(t->lines = lc_realloc_array(NULL, nrows ? nrows : 1, sizeof *t->lines))))
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory for %zu rows", t->name, nrows);
    memset(t->cells, 0, ncells * sizeof *t->cells);
    t->nrows = t->rows_cap = nrows;
    return LC_OK;
}

static lc_status json_finish(lc_table *t, lc_error *e)
{
    if (t->nrows == 0)
        return lc_error_set(e, LC_ERR_DATA, "%s: the JSON dataset holds no records", t->name);
    if (t->ncols == 0)
        return lc_error_set(e, LC_ERR_DATA, "%s: the JSON records have no keys; each record needs the columns (e.g. image_path, label)", t->name);
    return LC_OK;
}

/* Start lines of the n elements of the array beginning at the first '[' of data. */
static void json_array_record_lines(const char *data, size_t len, long *lines, size_t n)
{
    long line = 1;
    int depth = 0, in_str = 0, esc = 0, expect = 0;
    size_t k = 0;
    for (size_t i = 0; i < len && k < n; i++) {
        char c = data[i];
        if (c == '\n')
            line++;
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (expect && depth == 1 && !isspace((unsigned char)c) && c != ']') {
            lines[k++] = line;
            expect = 0;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '[' || c == '{') {
            expect = depth == 0;
            depth++;
        } else if (c == ']' || c == '}')
            depth--;
        else if (c == ',' && depth == 1)
            expect = 1;
    }
    for (; k < n; k++)
        lines[k] = 0;
}

/* Refuses what cJSON would take but must not: a byte that is not UTF-8 (pandas decodes the file
 * as UTF-8 and fails on it) and a NUL in a string, written \u0000 or raw (cJSON ends the string
 * there, which would cut the value or key short and merge it with another). data[0..len) is one
 * JSON Lines record (number rec, keys at depth 1) or a whole array (records counted from rec,
 * keys at depth 2), starting on line `line`. */
static lc_status json_check_text(const lc_table *t, const char *data, size_t len, long line,
                                 size_t rec, int key_depth, lc_error *e)
{
    size_t bad = lc_utf8_invalid(data, len);
    int depth = 0, in_str = 0, in_key = 0, want_key = 0, have_key = 0;
    size_t str0 = 0, key0 = 0, keylen = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        int nul = in_str && (c == '\0' || (c == '\\' && len - i >= 6 && memcmp(data + i + 1, "u0000", 5) == 0));
        if (i == bad || nul) {
            char where[160];
            if (in_str && !in_key && have_key)
                snprintf(where, sizeof where, "record %zu (line %ld), key '%.*s'", rec + 1, line,
                         msg_len(data + key0, keylen), data + key0);
            else
                snprintf(where, sizeof where, "record %zu (line %ld)", rec + 1, line);
            const char *what = in_key ? "a key" : "the value";
            if (nul)
                return lc_error_set(e, LC_ERR_DATA,
                                    "%s: %s: %s holds a NUL character (%s) at byte %zu; NUL is not accepted in a value or a key (it would cut the text short)",
                                    t->name, where, what, c ? "\\u0000" : "a raw 0 byte", i - str0);
            if (in_str)
                return lc_error_set(e, LC_ERR_DATA,
                                    "%s: %s: byte 0x%02x at byte %zu of %s is not UTF-8; save the file as UTF-8 text (pandas refuses it too)",
                                    t->name, where, c, i - str0, what);
            return lc_error_set(e, LC_ERR_DATA,
                                "%s: %s: byte 0x%02x is not UTF-8; save the file as UTF-8 text (pandas refuses it too)",
                                t->name, where, c);
        }
        if (c == '\n')
            line++;
        if (in_str) {
            if (c == '\\')
                i++; /* the escaped character */
            else if (c == '"') {
                in_str = 0;
                if (in_key) {
                    key0 = str0;
                    keylen = i - str0;
                    have_key = 1;
                    in_key = 0;
                }
            }
            continue;
        }
        switch (c) {
        case '"':
            in_str = 1;
            str0 = i + 1;
            in_key = want_key && depth == key_depth;
            want_key = 0;
            break;
        case '{':
            depth++;
            want_key = depth == key_depth;
            have_key = have_key && depth != key_depth;
            break;
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            depth--;
            break;
        case ',':
            want_key = depth == key_depth;
            rec += key_depth == 2 && depth == 1;
            break;
        default:
            break;
        }
    }
    return LC_OK;
}

static lc_status parse_json_array(lc_table *t, const char *data, size_t len, lc_error *e)
{
    const char *end = NULL;
    lc_status st = json_check_text(t, data, len, 1, 0, 2, e);
    if (st)
        return st;
    cJSON *root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (!root) {
        long line = end ? line_of(data, end) : 0;
        return lc_error_set(e, LC_ERR_DATA, "%s: line %ld: invalid JSON; expected an array of records or JSON Lines",
                            t->name, line);
    }
    for (const char *c = end; c && c < data + len; c++)
        if (!isspace((unsigned char)*c)) {
            st = lc_error_set(e, LC_ERR_DATA,
                              "%s: line %ld: unexpected text after the JSON value; use one array of records, or JSON Lines with one object per line",
                              t->name, line_of(data, c));
            goto free_root;
        }
    if (!cJSON_IsArray(root)) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the JSON dataset must be an array of records or JSON Lines", t->name);
        goto free_root;
    }
    size_t n = (size_t)cJSON_GetArraySize(root), i = 0;
    if (!(t->lines = lc_realloc_array(NULL, n ? n : 1, sizeof *t->lines))) {
        st = lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory for %zu rows", t->name, n);
        goto free_root;
    }
    json_array_record_lines(data, len, t->lines, n);
    for (const cJSON *r = root->child; r; r = r->next, i++)
        if ((st = json_record(t, r, i, t->lines[i], 1, e)) != LC_OK)
            goto free_root;
    if ((st = json_alloc_rows(t, n, len, e)) != LC_OK)
        goto free_root;
    i = 0;
    for (const cJSON *r = root->child; r; r = r->next, i++)
        if ((st = json_record(t, r, i, t->lines[i], 0, e)) != LC_OK)
            goto free_root;
    st = json_finish(t, e);
free_root:
    cJSON_Delete(root);
    return st;
}

/* JSON Lines: parse line by line twice (columns, then cells) to keep memory to one record. */
static lc_status parse_json_lines(lc_table *t, const char *data, size_t len, lc_error *e)
{
    lc_status st = LC_OK;
    for (int pass = 0; pass < 2; pass++) {
        size_t pos = 0, row = 0;
        long line = 0;
        while (pos < len) {
            const char *nl = memchr(data + pos, '\n', len - pos);
            size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
            const char *s = data + pos;
            pos += n + (nl != NULL);
            line++;
            size_t k = 0;
            while (k < n && isspace((unsigned char)s[k]))
                k++;
            if (k == n)
                continue;
            if (pass == 0 && (st = json_check_text(t, s, n, line, row, 1, e)) != LC_OK)
                return st;
            const char *end = NULL;
            cJSON *obj = cJSON_ParseWithLengthOpts(s, n, &end, 0);
            if (!obj)
                return lc_error_set(e, LC_ERR_DATA, "%s: line %ld: invalid JSON; each line of a JSON Lines file must hold one object",
                                    t->name, line);
            for (const char *c = end; c < s + n; c++)
                if (!isspace((unsigned char)*c)) {
                    cJSON_Delete(obj);
                    return lc_error_set(e, LC_ERR_DATA,
                                        "%s: line %ld: unexpected text after the JSON object; JSON Lines holds one object per line",
                                        t->name, line);
                }
            st = json_record(t, obj, row, line, pass == 0, e);
            cJSON_Delete(obj);
            if (st != LC_OK)
                return st;
            row++;
        }
        if (pass == 0 && (st = json_alloc_rows(t, row, len, e)) != LC_OK)
            return st;
    }
    return json_finish(t, e);
}

/* ---- format choice ------------------------------------------------------------------------ */

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static lc_table_format format_from_name(const char *path)
{
    if (has_suffix(path, ".csv"))
        return LC_TABLE_CSV;
    if (has_suffix(path, ".tsv") || has_suffix(path, ".tab") || has_suffix(path, ".tabular"))
        return LC_TABLE_TSV;
    if (has_suffix(path, ".json") || has_suffix(path, ".jsonl"))
        return LC_TABLE_JSON;
    if (has_suffix(path, ".h5") || has_suffix(path, ".hdf5"))
        return LC_TABLE_HDF5;
    return LC_TABLE_AUTO;
}

/* From the content: JSON if it starts with '[' or '{', TSV if the first line has more tabs
 * than commas, else CSV. */
static lc_table_format format_sniff(const char *data, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)data[i]))
        i++;
    if (i < len && (data[i] == '[' || data[i] == '{'))
        return LC_TABLE_JSON;
    size_t tabs = 0, commas = 0;
    for (; i < len && data[i] != '\n'; i++) {
        tabs += data[i] == '\t';
        commas += data[i] == ',';
    }
    return tabs > commas ? LC_TABLE_TSV : LC_TABLE_CSV;
}

lc_status lc_table_format_parse(const char *name, lc_table_format *out, lc_error *e)
{
    static const struct { const char *name; lc_table_format f; } names[] = {
        {"auto", LC_TABLE_AUTO}, {"csv", LC_TABLE_CSV}, {"tsv", LC_TABLE_TSV},
        {"tabular", LC_TABLE_TSV}, {"json", LC_TABLE_JSON}, {"jsonl", LC_TABLE_JSON},
        {"hdf5", LC_TABLE_HDF5}, {"h5", LC_TABLE_HDF5},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].f;
            return LC_OK;
        }
    return lc_error_set(e, LC_ERR_USAGE,
                        "unknown dataset format '%s'; use one of auto, csv, tsv, tabular, json, jsonl", name);
}

lc_status lc_table_parse(const char *data, size_t len, lc_table_format format, const char *name,
                         lc_table **out, lc_error *e)
{
    *out = NULL;
    if (!name)
        name = "(dataset)";
    if (len >= 8 && memcmp(data, "\211HDF\r\n\032\n", 8) == 0)
        format = LC_TABLE_HDF5;
    if (format == LC_TABLE_HDF5)
        return lc_error_set(e, LC_ERR_DATA, "%s: HDF5 datasets are not supported; convert to CSV", name);
    if (len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
        return lc_error_set(e, LC_ERR_DATA,
                            "%s: this is a zip archive, not a dataset table; pass the CSV as the dataset and the zip as the images",
                            name);
    if (len > LC_TABLE_FILE_MAX)
        return lc_error_set(e, LC_ERR_DATA, "%s: the file is %zu bytes; datasets over %zu bytes are not supported",
                            name, len, LC_TABLE_FILE_MAX);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (format == LC_TABLE_AUTO)
        format = format_sniff(data, len);

    lc_table *t = table_new(name, format);
    if (!t)
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", name);
    lc_status st;
    if (format == LC_TABLE_JSON) {
        size_t i = 0;
        while (i < len && isspace((unsigned char)data[i]))
            i++;
        if (i == len)
            st = lc_error_set(e, LC_ERR_DATA, "%s: the file is empty; a JSON dataset needs an array of records or JSON Lines", name);
        else if (data[i] == '[')
            st = parse_json_array(t, data, len, e);
        else
            st = parse_json_lines(t, data, len, e);
    } else {
        st = parse_delimited(t, data, len, format == LC_TABLE_TSV ? '\t' : ',', e);
    }
    if (st != LC_OK) {
        lc_table_free(t);
        return st;
    }
    *out = t;
    return LC_OK;
}

/* A delimited file parsed as it is read, in chunks ending at line ends: the text is never held
 * whole next to the table built from it. A first pass counts the lines so the rows are reserved
 * once. */
static lc_status read_delimited(FILE *f, size_t len, lc_table *t, unsigned char delim,
                                lc_error *e)
{
    size_t cap = (size_t)16 << 20, have = 0;
    char *buf = malloc(cap);
    if (!buf)
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", t->name);
    delim_run r;
    lc_status st = delim_begin(&r, t, len, delim, e);
    if (st) {
        free(buf);
        return st;
    }
    size_t n;
    while ((n = fread(buf, 1, cap, f)) > 0)
        for (const char *q = buf, *end = buf + n; q < end && (q = memchr(q, '\n', (size_t)(end - q)));
             q++)
            r.s.rows_hint++;
    r.s.rows_hint++;
    rewind(f);
    int first = 1, eof = 0;
    while (!st && !eof) {
        if (have == cap) { /* a line longer than the buffer */
            char *b = cap > LC_TABLE_FILE_MAX ? NULL : realloc(buf, cap * 2);
            if (!b) {
                st = lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory reading a long line", t->name);
                break;
            }
            buf = b;
            cap *= 2;
        }
        n = fread(buf + have, 1, cap - have, f);
        if (n == 0 && ferror(f)) {
            st = lc_error_set(e, LC_ERR_IO, "%s: read error: %s", t->name, strerror(errno));
            break;
        }
        eof = n == 0;
        have += n;
        if (first && (have >= 3 || eof)) { /* a UTF-8 byte order mark is not data */
            if (have >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
                memmove(buf, buf + 3, have - 3);
                have -= 3;
            }
            first = 0;
        }
        if (first)
            continue;
        size_t skip = 0;
        /* feed up to the last line end (everything at the end of the file) */
        size_t upto = have;
        if (!eof) {
            const char *nl = NULL;
            for (size_t i = have; i > skip; i--)
                if (buf[i - 1] == '\n') {
                    nl = buf + i - 1;
                    break;
                }
            if (!nl)
                continue;
            upto = (size_t)(nl - buf) + 1;
        }
        st = delim_feed(&r, buf + skip, upto - skip);
        memmove(buf, buf + upto, have - upto);
        have -= upto;
    }
    free(buf);
    return delim_end(&r, st);
}

lc_status lc_table_read(const char *path, lc_table_format format, lc_table **out, lc_error *e)
{
    *out = NULL;
    if (format == LC_TABLE_AUTO)
        format = format_from_name(path);
    if (format == LC_TABLE_HDF5)
        return lc_error_set(e, LC_ERR_DATA, "%s: HDF5 datasets are not supported; convert to CSV", path);

    lc_status st = LC_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lc_error_set(e, LC_ERR_IO, "%s: cannot open the dataset: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = lc_error_set(e, LC_ERR_IO, "%s: not a regular file", path);
        goto close_file;
    }
    if ((unsigned long long)sb.st_size > LC_TABLE_FILE_MAX) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the file is %lld bytes; datasets over %zu bytes are not supported",
                          path, (long long)sb.st_size, LC_TABLE_FILE_MAX);
        goto close_file;
    }
    size_t len = (size_t)sb.st_size;
    /* the first bytes say what the file is; a delimited table is parsed as it is read */
    char head[4096];
    size_t hn = fread(head, 1, sizeof head, f);
    rewind(f);
    int magic = (hn >= 8 && memcmp(head, "\211HDF\r\n\032\n", 8) == 0) ||
                (hn >= 4 && memcmp(head, "PK\003\004", 4) == 0);
    lc_table_format fmt = format;
    if (fmt == LC_TABLE_AUTO && !magic) {
        size_t b = hn >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        fmt = format_sniff(head + b, hn - b);
    }
    if (!magic && len > 0 && (fmt == LC_TABLE_CSV || fmt == LC_TABLE_TSV)) {
        lc_table *t = table_new(path, fmt);
        if (!t) {
            st = lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", path);
            goto close_file;
        }
        st = read_delimited(f, len, t, fmt == LC_TABLE_TSV ? '\t' : ',', e);
        if (st)
            lc_table_free(t);
        else
            *out = t;
        goto close_file;
    }
    char *buf = malloc(len ? len : 1);
    if (!buf) {
        st = lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory reading %zu bytes", path, len);
        goto close_file;
    }
    if (len && fread(buf, 1, len, f) != len) {
        st = lc_error_set(e, LC_ERR_IO, "%s: read error: %s", path, strerror(errno));
        goto free_buf;
    }
    st = lc_table_parse(buf, len, format, path, out, e);
free_buf:
    free(buf);
close_file:
    fclose(f);
    return st;
}

void lc_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}
