/* autogen.c - `ludwig init_config` (ludwig/automl/automl.py init_config with its defaults: no
 * suggested config, no hyperopt section): every column's Ludwig type inferred from the dataset as
 * Ludwig 0.10.3's AutoML does, written as the minimal config {input_features: [{name, type}...],
 * output_features: [...]} the way yaml.safe_dump(config, sort_keys=False) writes it, or, on
 * request, rendered with every default (`ludwig render_config` on it, as the Galaxy tool runs).
 *
 * The rules and where they live upstream (docs/init_config.md has the detail):
 *   reading   ludwig/utils/data_utils.py read_xsv: pandas read_csv with dtype=object, so every
 *             value is its text and pandas' NA strings are missing (lc_prep_is_missing)
 *   per field ludwig/automl/base_config.py get_dataset_info_from_source and
 *             ludwig/utils/automl/data_source.py: distinct non-missing values (count, the first
 *             10 in order of appearance), image/audio extensions among the first 10 values,
 *             average words of the first 100 (ludwig/utils/automl/utils.py avg_num_tokens)
 *   type      ludwig/utils/automl/type_inference.py infer_type, with ludwig/utils/strings_utils.py
 *             (conventional bools, numbers, sequential integers, dateutil dates: lc_dateutil.h)
 *   exclusion type_inference.py should_exclude; base_config.py infer_mode (a column named split
 *             is the split, not an input), get_config_from_metadata (targets become the output
 *             features in column order, never excluded)
 * Left to others: the YAML layout (lc_yamlw.h), the rendering (render.c), reading the file
 * (lc_table.h; the delimiter Ludwig's read_xsv guesses with Python's csv.Sniffer is not
 * reproduced: the format comes from the extension or --data_format). */
#include "ludwig_c.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lc_dateutil.h"
#include "lc_fs.h"
#include "lc_mem.h"
#include "lc_prep_tab.h"
#include "lc_table.h"
#include "lc_yamlw.h"

/* base_config.py MAX_DISTINCT_VALUES_TO_RETURN; the image/audio sample of data_source.py */
#define N_DISTINCT 10
/* avg_num_tokens' sample */
#define N_WORDS_SAMPLE 100

void lc_init_config_opts_init(lc_init_config_opts *o)
{
    memset(o, 0, sizeof *o);
}

/* ------------------------------------------------------------------ Python's string tests */

/* ASCII case-insensitive equality: the words compared here are ASCII, and no character outside
 * ASCII lower-cases to one of their letters (U+212A KELVIN SIGN lower-cases to 'k', which none
 * holds) */
static int ieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

static int iends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* strings_utils.py BOOL_TRUE_STRS | BOOL_FALSE_STRS, compared lower-cased */
static int conventional_bool(const char *v)
{
    static const char *const b[] = {"yes", "y", "true", "t", "1", "1.0", "no", "n",
                                    "false", "f", "0", "0.0", "-1", "-1.0"};
    for (size_t i = 0; i < sizeof b / sizeof *b; i++)
        if (ieq(v, b[i]))
            return 1;
    return 0;
}

/* strings_utils.py is_number: "nan" in any case, or what float() reads; -1 out of memory */
static int is_number(const char *v)
{
    return ieq(v, "nan") ? 1 : lc_py_float(v, NULL);
}

/* image_utils.py is_image_score, audio_utils.py is_audio_score */
static int has_ext(const char *v, const char *const *ext)
{
    for (; *ext; ext++)
        if (iends(v, *ext))
            return 1;
    return 0;
}

static const char *const image_ext[] = {".png", ".jpg", ".jpeg", ".tiff", ".tif", ".bmp", ".gif", NULL};
static const char *const audio_ext[] = {".wav", ".amb", ".mp3", ".ogg", ".vorbis", ".flac", ".opus", ".sphere", NULL};

/* The whitespace-separated words of s (Python's str.split()) */
static size_t count_words(const char *s)
{
    size_t n = 0;
    int in_word = 0;
    while (*s) {
        uint32_t cp;
        s += lc_utf8_next(s, &cp);
        int space = lc_py_isspace(cp);
        n += !space && !in_word;
        in_word = !space;
    }
    return n;
}

/* Python's str.upper() as far as the ID checks need it: ASCII letters, and the four characters
 * outside ASCII whose upper case holds one of I, D, N, E, X (ı -> I, ŉ -> ʼN, ﬁ -> FI,
 * ﬃ -> FFI); every other character becomes a byte that matches no letter. */
static char *upper_skeleton(const char *s)
{
    size_t n = strlen(s);
    char *u = malloc(3 * n + 1), *d = u;
    if (!u)
        return NULL;
    while (*s) {
        uint32_t cp;
        size_t k = lc_utf8_next(s, &cp);
        s += k;
        if (cp < 0x80) {
            *d++ = (char)(cp >= 'a' && cp <= 'z' ? cp - 32 : cp);
        } else if (cp == 0x131) {
            *d++ = 'I';
        } else if (cp == 0x149) {
            *d++ = '\x01';
            *d++ = 'N';
        } else if (cp == 0xFB01) {
            *d++ = 'F';
            *d++ = 'I';
        } else if (cp == 0xFB03) {
            memcpy(d, "FFI", 3);
            d += 3;
        } else {
            *d++ = '\x01';
        }
    }
    *d = '\0';
    return u;
}

/* ------------------------------------------------------------------ distinct values */

/* An open-addressing set of strings (pointers into the table), reused column after column. */
typedef struct strset {
    const char **slot;
    size_t cap; /* a power of two, at least twice the rows */
} strset;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* 1 when s was added, 0 when it was there */
static int strset_add(strset *set, const char *s)
{
    size_t i = (size_t)str_hash(s) & (set->cap - 1);
    while (set->slot[i]) {
        if (strcmp(set->slot[i], s) == 0)
            return 0;
        i = (i + 1) & (set->cap - 1);
    }
    set->slot[i] = s;
    return 1;
}

/* ------------------------------------------------------------------ one column */

typedef struct field {
    const char *name;
    size_t ndistinct;                 /* non-missing distinct values */
    const char *distinct[N_DISTINCT]; /* the first of them, in order of appearance */
    size_t nfirst;
    int image, audio;                 /* image / audio paths among the first 10 values */
} field;

typedef enum { T_CATEGORY, T_BINARY, T_NUMBER, T_TEXT, T_DATE, T_IMAGE, T_AUDIO } ftype;
static const char *const type_names[] = {"category", "binary", "number", "text", "date", "image", "audio"};

/* The value pandas holds at (row, col): NULL for NaN/None. A CSV is read with dtype=object, so
 * its NA strings ("", "NA", "nan", "null", "None", ...) are missing; JSON has only null. */
static const char *value_at(const lc_table *t, size_t row, int col, int json)
{
    const char *c = lc_table_cell(t, row, col);
    if (json)
        return c[0] ? c : NULL;
    return lc_prep_is_missing(c) ? NULL : c;
}

static void analyse(const lc_table *t, int col, int json, strset *set, field *f)
{
    size_t rows = lc_table_nrows(t);
    memset(set->slot, 0, set->cap * sizeof *set->slot);
    for (size_t r = 0; r < rows; r++) {
        const char *v = value_at(t, r, col, json);
        if (r < N_DISTINCT && v) {
            f->image += has_ext(v, image_ext);
            f->audio += has_ext(v, audio_ext);
        }
        if (v && strset_add(set, v)) {
            if (f->nfirst < N_DISTINCT)
                f->distinct[f->nfirst++] = v;
            f->ndistinct++;
        }
    }
}

/* avg_num_tokens: the mean word count of the distinct values among the first 100 (a CSV's NaN
 * is the string "nan" there, JSON's None is left out), rounded half to even (numpy's round) */
static double avg_words(const lc_table *t, int col, int json)
{
    size_t n = lc_table_nrows(t) < N_WORDS_SAMPLE ? lc_table_nrows(t) : N_WORDS_SAMPLE;
    const char *seen[N_WORDS_SAMPLE];
    size_t nseen = 0, words = 0;
    for (size_t r = 0; r < n; r++) {
        const char *v = value_at(t, r, col, json);
        if (!v) {
            if (json)
                continue;
            v = "nan";
        }
        size_t i = 0;
        while (i < nseen && strcmp(seen[i], v) != 0)
            i++;
        if (i < nseen)
            continue;
        seen[nseen++] = v;
        words += count_words(v);
    }
    return nseen ? rint((double)words / (double)nseen) : 0.0;
}

/* strings_utils.py are_sequential_integers over the first distinct values; -1 out of memory */
static int sequential_integers(const field *f)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < f->nfirst; i++) {
        double x;
        int rc = lc_py_float(f->distinct[i], &x);
        if (rc <= 0)
            return rc;
        if (!isfinite(x) || x != floor(x))
            return 0;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    return hi - lo + 1 == (double)f->nfirst;
}

/* type_inference.py infer_type. The missing-value share is 0: Ludwig 0.10.3 counts a column's
 * non-null values as len(notnull()), the row count (data_source.py get_nonnull_values), so
 * missing_value_percent is 1 - rows/rows; that quirk is kept, since it decides binary vs
 * category for a two-valued column with gaps. -1 out of memory. */
static int infer_type(const field *f, size_t rows, const lc_dateutil_today *today)
{
    if (f->ndistinct <= 1)
        return T_CATEGORY;
    if (f->ndistinct == 2 && conventional_bool(f->distinct[0]) && conventional_bool(f->distinct[1]))
        return T_BINARY;
    if (f->image >= 3)
        return T_IMAGE;
    if (f->audio >= 3)
        return T_AUDIO;
    int dates = 1, numbers = 1;
    for (size_t i = 0; i < f->nfirst; i++) {
        /* is_datetime: not a number, and dateutil parses it */
        int num = is_number(f->distinct[i]);
        if (num < 0)
            return -1;
        numbers &= num;
        if (dates && num) {
            dates = 0;
        } else if (dates) {
            int d = lc_dateutil_parses(f->distinct[i], today);
            if (d < 0)
                return -1;
            dates = d;
        }
    }
    if (dates)
        return T_DATE;
    if ((double)f->ndistinct < (double)rows * 0.5) {
        int seq = numbers ? sequential_integers(f) : 0;
        if (seq < 0)
            return -1;
        if (!numbers || seq)
            return T_CATEGORY;
    }
    return numbers ? T_NUMBER : T_TEXT;
}

/* type_inference.py should_exclude for a column that is not a target: 0 kept, or the reason;
 * -1 out of memory */
static int excluded(int idx, const field *f, int type, int ncols, size_t rows, double words,
                    const char **why)
{
    if (f->ndistinct <= 1) {
        *why = "fewer than 2 distinct values";
        return 1;
    }
    if (f->ndistinct == rows) {
        char *u = upper_skeleton(f->name);
        if (!u)
            return -1;
        size_t n = strlen(u);
        int id = (idx == 0 && strstr(u, "INDEX") && type == T_NUMBER) || strncmp(u, "ID", 2) == 0 ||
                 (n >= 2 && strcmp(u + n - 2, "ID") == 0);
        free(u);
        if (id) {
            *why = "a unique ID column";
            return 1;
        }
    }
    if (ncols > 3 && type == T_TEXT && words < 5) {
        *why = "text of fewer than 5 words on average";
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ the command */

static void note_print(void *arg, const char *msg)
{
    if (arg)
        fprintf((FILE *)arg, "ludwig-c: note: %s\n", msg);
}

/* the column names in one line, for messages */
static void list_columns(const lc_table *t, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int c = 0; c < lc_table_ncols(t) && len < cap; c++)
        len += (size_t)snprintf(buf + len, cap - len, "%s'%s'", c ? ", " : "", lc_table_col_name(t, c));
    if (len >= cap && cap > 4)
        memcpy(buf + cap - 4, "...", 4);
}

/* Marks each target's column in is_target; a name or number that names no column is an error. */
static lc_status resolve_targets(const lc_init_config_opts *o, const lc_table *t,
                                 const char *const *names, unsigned char *is_target, lc_error *e)
{
    int ncols = lc_table_ncols(t);
    char cols[1024];
    for (int i = 0; i < o->ntargets; i++) {
        int c = 0;
        while (c < ncols && strcmp(names[c], o->targets[i]) != 0)
            c++;
        if (c == ncols) {
            list_columns(t, cols, sizeof cols);
            return lc_error_set(e, LC_ERR_DATA, "%s: no column named '%s' for the target (columns: %s)",
                                lc_table_name(t), o->targets[i], cols);
        }
        is_target[c] = 1;
    }
    for (int i = 0; i < o->ntarget_columns; i++) {
        int c = o->target_columns[i];
        if (c < 1 || c > ncols) {
            list_columns(t, cols, sizeof cols);
            return lc_error_set(e, LC_ERR_DATA, "%s: target column %d does not exist: the file has %d columns (%s)",
                                lc_table_name(t), c, ncols, cols);
        }
        is_target[c - 1] = 1;
    }
    return LC_OK;
}

/* The minimal config for the table (a new cJSON tree in *out). */
static lc_status build_config(const lc_init_config_opts *o, const lc_table *t, int json,
                              cJSON **out, lc_error *e)
{
    int ncols = lc_table_ncols(t);
    size_t rows = lc_table_nrows(t), cap = 16;
    lc_status st = LC_OK;
    *out = NULL;
    while (cap < 2 * rows && cap < ((size_t)1 << 40))
        cap <<= 1;
    strset set = {lc_alloc(cap, sizeof(const char *)), cap};
    char **names = calloc((size_t)ncols, sizeof *names);
    unsigned char *is_target = calloc((size_t)ncols, 1);
    cJSON *cfg = cJSON_CreateObject();
    cJSON *in = cJSON_AddArrayToObject(cfg, "input_features");
    cJSON *outf = cJSON_AddArrayToObject(cfg, "output_features");
    if (!set.slot || !names || !is_target || !in || !outf) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory analysing %s", lc_table_name(t));
        goto free_all;
    }
    /* pandas names a column with an empty header cell "Unnamed: <index>" */
    for (int c = 0; c < ncols; c++) {
        const char *n = lc_table_col_name(t, c);
        char buf[32];
        if (!n[0]) {
            snprintf(buf, sizeof buf, "Unnamed: %d", c);
            n = buf;
        }
        if (!(names[c] = lc_strdup(n))) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory analysing %s", lc_table_name(t));
            goto free_all;
        }
    }
    if ((st = resolve_targets(o, t, (const char *const *)names, is_target, e)))
        goto free_all;
    lc_dateutil_today today;
    lc_dateutil_today_now(&today);
    for (int c = 0; c < ncols; c++) {
        field f = {.name = names[c]};
        analyse(t, c, json, &set, &f);
        int type = infer_type(&f, rows, &today);
        const char *why = NULL;
        int ex = 0;
        if (type >= 0 && !is_target[c]) {
            double words = type == T_TEXT ? avg_words(t, c, json) : 0.0;
            ex = excluded(c, &f, type, ncols, rows, words, &why);
        }
        if (type < 0 || ex < 0) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory analysing %s", lc_table_name(t));
            goto free_all;
        }
        cJSON *list = is_target[c] ? outf : in;
        if (!is_target[c] && strcasecmp(names[c], "split") == 0) {
            note_print(o->notes, "init_config: the column 'split' is the split, not an input feature");
            continue;
        }
        if (ex) {
            char msg[512];
            snprintf(msg, sizeof msg, "init_config: column '%s' (%s) left out: %s", names[c],
                     type_names[type], why);
            note_print(o->notes, msg);
            continue;
        }
        cJSON *feat = cJSON_CreateObject();
        if (!feat || !cJSON_AddStringToObject(feat, "name", names[c]) ||
            !cJSON_AddStringToObject(feat, "type", type_names[type])) {
            cJSON_Delete(feat);
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory analysing %s", lc_table_name(t));
            goto free_all;
        }
        cJSON_AddItemToArray(list, feat);
    }
    *out = cfg;
    cfg = NULL;
free_all:
    cJSON_Delete(cfg);
    free(is_target);
    for (int c = 0; names && c < ncols; c++)
        free(names[c]);
    free(names);
    lc_free(set.slot);
    return st;
}

/* Writes cfg as YAML to output (atomically), or to standard output followed by the empty line
 * Python's print() adds. */
static lc_status write_yaml(const cJSON *cfg, const char *output, lc_error *e)
{
    if (!output) {
        lc_status st = lc_yaml_write(cfg, stdout, "standard output", e);
        if (!st && (fputc('\n', stdout) == EOF || fflush(stdout) == EOF))
            st = lc_error_set(e, LC_ERR_IO, "standard output: write failed");
        return st;
    }
    lc_afile a;
    lc_status st = lc_afile_open(&a, output, e);
    if (st)
        return st;
    lc_error ye;
    lc_error_clear(&ye);
    int bad = lc_yaml_write(cfg, a.f, output, &ye) != LC_OK;
    return lc_afile_commit(&a, bad, "the config", e);
}

/* Renders cfg (its YAML, as `ludwig render_config` would read the file init_config wrote). */
static lc_status render(const lc_init_config_opts *o, const cJSON *cfg, lc_error *e)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory writing the config");
    lc_status st = lc_yaml_write(cfg, m, "the generated config", e);
    if (fclose(m) != 0 && !st)
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory writing the config");
    if (!st) {
        char name[1024];
        snprintf(name, sizeof name, "the config generated from %s", o->dataset);
        st = lc_render_config_text(text, len, name, o->output, o->notes, e);
    }
    free(text);
    return st;
}

lc_status lc_init_config(const lc_init_config_opts *o, lc_error *e)
{
    if (!o->dataset)
        return lc_error_set(e, LC_ERR_USAGE, "init_config needs --dataset");
    if (o->ntargets + o->ntarget_columns <= 0) {
        lc_error_set(e, LC_ERR_USAGE, "init_config needs at least one --target: the column(s) to predict");
        lc_error_hint(e, "Ludwig would write an empty output_features list, which no command accepts");
        return LC_ERR_USAGE;
    }
    lc_table_format fmt = LC_TABLE_AUTO;
    lc_status st;
    if (o->data_format && (st = lc_table_format_parse(o->data_format, &fmt, e)))
        return st;
    lc_table *t = NULL;
    if ((st = lc_table_read(o->dataset, fmt, &t, e)))
        return st;
    cJSON *cfg = NULL;
    st = build_config(o, t, lc_table_format_of(t) == LC_TABLE_JSON, &cfg, e);
    lc_table_free(t);
    if (!st)
        st = o->render ? render(o, cfg, e) : write_yaml(cfg, o->output, e);
    cJSON_Delete(cfg);
    return st;
}
