/* lc_prep_tab.h - Ludwig 0.10.3's training-time preprocessing of number, binary and category
 * columns, as pure functions over the cells of one CSV column: missing values (the pandas NA
 * strings), the computed fill values, Ludwig's casts, the per-feature metadata written to
 * training_set_metadata.json (as cJSON trees whose numbers print as Python's json.dump would),
 * and the processed column (float32 values, bools, vocabulary indices) with the rows Ludwig drops.
 *
 * The order of operations is Ludwig's build_dataset: fill value computed on the raw strings,
 * missing cells filled, column cast, metadata computed, missing values handled again (the cast can
 * create new ones), outliers replaced, normalization applied; a row whose processed value is NaN
 * is dropped as Ludwig's final dataset.dropna() drops it.
 *
 * The *_apply functions are the same pipeline with a stored training_set_metadata.json entry (Ludwig's
 * prediction, evaluation, or a reused metadata file): nothing is fitted; the stored
 * preprocessing.computed_fill_value fills, the stored statistics normalize, the stored vocabulary
 * and str2bool map.
 *
 * Left to others: reading the CSV (cells arrive as the reader produced them), the config (options
 * arrive typed), dropping a row from every feature when one feature drops it, reading and writing
 * the JSON file.
 */
#ifndef LC_PREP_TAB_H
#define LC_PREP_TAB_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "lc_config.h"
#include "lc_error.h"

/* missing_value_strategy / outlier_strategy (lc_missing) and normalization (lc_numnorm,
 * LC_NUMNORM_NONE is YAML null) are lc_config.h's enums. */

/* Config spelling <-> enum. The *_from_name functions return 0, or -1 for an unknown name;
 * lc_norm_from_name maps NULL (YAML null) to LC_NUMNORM_NONE. */
int lc_missing_from_name(const char *name, lc_missing *out);
const char *lc_missing_name(lc_missing m);
int lc_norm_from_name(const char *name, lc_numnorm *out);
const char *lc_norm_name(lc_numnorm k); /* NULL for LC_NUMNORM_NONE */

/* 1 if pandas read_csv (default na_values, pandas 2.x) reads the field as NaN: NULL, "", "nan",
 * "NaN", "None", "null", "NA", "N/A", ... compared exactly (no trimming, case-sensitive). */
int lc_prep_is_missing(const char *cell);
/* lc_prep_is_missing, or only whitespace: a cell that holds no value (an image path, a split or
 * stratify value). */
int lc_cell_is_missing(const char *cell);

/* One column as read from the CSV. */
typedef struct lc_prep_column {
    const char *name;         /* the column/feature name, for messages and Ludwig's own messages */
    const char *const *cells; /* (n) cells; NULL or an NA string is a missing value */
    const long *lines;        /* (n) 1-based source line of each row, named in messages; may be NULL */
    size_t n;
} lc_prep_column;

#define LC_PREP_TEXT_MAX 64 /* bytes of a cell quoted in a note */

/* ---- number ---- */

typedef struct lc_prep_number_opts {
    lc_missing missing;       /* fill_with_const (input) / drop_row (output) */
    double fill_value;        /* 0.0 */
    lc_numnorm normalization;    /* zscore (input) / null (output) */
    int has_outlier_strategy; /* 0: outlier_strategy null (the default) */
    lc_missing outlier_strategy;
    double outlier_threshold; /* 3.0 */
} lc_prep_number_opts;

/* Ludwig's defaults for a number input (is_input = 1) or output feature. */
void lc_prep_number_defaults(lc_prep_number_opts *o, int is_input);

/* The parameters of a fitted normalization, as Ludwig keeps them (float32 statistics widened to
 * double; q1..q3 are float64). Unused fields are 0. */
typedef struct lc_number_norm {
    lc_numnorm kind;
    double mean, std, min, max, q1, q2, q3;
} lc_number_norm;

typedef struct lc_prep_number {
    float *values;          /* (n) processed value of each row (valid where keep[i]) */
    unsigned char *keep;    /* (n) 0 = Ludwig drops the row */
    size_t n_kept;
    size_t n_coerced;       /* non-missing cells that are not numbers: Ludwig makes them missing */
    size_t coerced_row;     /* row index of the first one */
    long coerced_line;      /* its source line (0 if none or lines == NULL) */
    char coerced_text[LC_PREP_TEXT_MAX]; /* its text, truncated */
    lc_number_norm norm;
    cJSON *meta;            /* {"mean","std"} / {"min","max"} / {"q1","q2","q3"} / {} (+ mean/std
                               when outlier_strategy is set), without "preprocessing" */
} lc_prep_number;

/* Preprocesses a number column. preproc (may be NULL) is the feature's rendered preprocessing
 * object: "computed_fill_value" and "computed_outlier_fill_value" are set in it as Ludwig sets
 * them (its "fill_value" item is copied for fill_with_const when present). Errors (LC_ERR_DATA):
 * fill_with_mean over a cell Python's float() rejects, a fill_with_mode string that is not a
 * number, zscore with std 0, iq with an interquartile range of 0, log1p with a value <= 0, an
 * empty column for fill_with_mode or iq. LC_ERR_CONFIG: a strategy number features lack.
 * On failure *out is left empty (safe to free). */
lc_status lc_prep_number_run(const lc_prep_column *col, const lc_prep_number_opts *o, cJSON *preproc,
                             lc_prep_number *out, lc_error *e);
void lc_prep_number_free(lc_prep_number *r);

/* The same with a feature's stored metadata entry `meta` (its statistics and "preprocessing"): the
 * stored computed_fill_value fills missing cells (fill_with_const without one uses o->fill_value),
 * outliers are measured against the stored mean and std and filled with computed_outlier_fill_value,
 * the stored statistics normalize. out->meta stays NULL. Errors as lc_prep_number_run's, plus
 * LC_ERR_DATA for a statistic or fill value the strategy needs and meta lacks. */
lc_status lc_prep_number_apply(const lc_prep_column *col, const lc_prep_number_opts *o, const cJSON *meta,
                               lc_prep_number *out, lc_error *e);

/* The normalization stored in a feature's metadata (keys as written by lc_prep_number_run). */
lc_status lc_number_norm_from_meta(const cJSON *meta, lc_numnorm kind, const char *name, lc_number_norm *out,
                                   lc_error *e);
/* Ludwig's transform, in place, in float32 as numpy computes it; rows with keep[i] == 0 are
 * skipped (keep may be NULL). Errors: std 0 (zscore), interquartile range 0 (iq), a value <= 0
 * (log1p; names lines[i] when lines is given). */
lc_status lc_number_norm_apply(const lc_number_norm *nm, const char *name, float *x /* (n) */,
                               const unsigned char *keep /* (n) */, const long *lines /* (n) */, size_t n,
                               lc_error *e);
/* The inverse (de-normalizing number predictions), in float32 as Ludwig's torch postprocessing. */
void lc_number_norm_inverse(const lc_number_norm *nm, float *x /* (n) */, size_t n);

/* ---- binary ---- */

typedef struct lc_prep_binary_opts {
    lc_missing missing;              /* fill_with_false (input) / drop_row (output) */
    const char *fallback_true_label; /* NULL = null */
} lc_prep_binary_opts;

void lc_prep_binary_defaults(lc_prep_binary_opts *o, int is_input);

typedef struct lc_prep_binary {
    unsigned char *values; /* (n) 0/1 (valid where keep[i]) */
    unsigned char *keep;   /* (n) */
    size_t n_kept;
    int unconventional;    /* a string column with a value outside the boolean strings:
                              fallback_true_label decided (Ludwig logs a warning) */
    cJSON *meta;           /* {} for a column Ludwig casts to bool (all numbers, or true/false);
                              else {"str2bool","bool2str","fallback_true_label"} */
} lc_prep_binary;

/* Preprocesses a binary column. preproc (may be NULL) receives "computed_fill_value" (the raw
 * string chosen for fill_with_false/true/mode) and "fallback_true_label" (when Ludwig sets it).
 * Errors (LC_ERR_DATA): more than two distinct values, no value to fill with. */
lc_status lc_prep_binary_run(const lc_prep_column *col, const lc_prep_binary_opts *o, cJSON *preproc,
                             lc_prep_binary *out, lc_error *e);
void lc_prep_binary_free(lc_prep_binary *r);

/* The same with a stored metadata entry: missing cells filled with the stored computed_fill_value
 * ("false"/"true" for fill_with_false/true when none is stored); a column of numbers or of true/false
 * is cast as at training; any other cell maps through the stored str2bool, else str2bool with the
 * stored fallback_true_label. Errors (LC_ERR_DATA): a cell neither maps (naming its line). */
lc_status lc_prep_binary_apply(const lc_prep_column *col, const lc_prep_binary_opts *o, const cJSON *meta,
                               lc_prep_binary *out, lc_error *e);

/* Ludwig's strings_utils.str2bool: *out = 1/0 for the true/false strings (case-insensitive), else
 * (v == fallback) when fallback is given. Returns 0, or -1 when v is unconventional and fallback
 * is NULL. */
int lc_binary_str2bool(const char *v, const char *fallback, int *out);

/* ---- category ---- */

typedef struct lc_prep_category_opts {
    lc_missing missing;     /* fill_with_const (input) / drop_row (output) */
    const char *fill_value; /* "<UNK>" */
    long most_common;       /* 10000 */
    int is_input;
    int classes;            /* an output's classes: a literal "<UNK>" merges with the added one */
} lc_prep_category_opts;

void lc_prep_category_defaults(lc_prep_category_opts *o, int is_input);

typedef struct lc_prep_category {
    int *values;         /* (n) vocabulary index of each row (valid where keep[i]) */
    unsigned char *keep; /* (n) */
    size_t n_kept;
    char **idx2str;      /* (n_idx2str) */
    long long *freq;     /* (n_idx2str) str2freq of each entry */
    size_t n_idx2str;
    size_t vocab_size;   /* len(str2idx): n_idx2str unless "<UNK>" is both added and in the data */
    char **keys;         /* (n_keys) str2idx keys, sorted by strcmp */
    int *key_idx;        /* (n_keys) */
    size_t n_keys;
    int fallback_idx;    /* index of an unknown value: <UNK>'s, else the most frequent value's */
    cJSON *meta;         /* {"idx2str","str2idx","str2freq","vocab_size"} (NULL from the stored-metadata functions) */
    size_t n_unknown;    /* _apply: cells not in the vocabulary (mapped to fallback_idx) */
    size_t unknown_row;  /* the first one's row index */
    long unknown_line;   /* its line */
    char unknown_text[LC_PREP_TEXT_MAX]; /* its stripped text, truncated */
} lc_prep_category;

/* Builds the vocabulary of a category column and maps every row. preproc (may be NULL) receives
 * "computed_fill_value". Errors (LC_ERR_DATA): an output feature with fewer than 2 distinct
 * values; fill_with_mode over an empty column. LC_ERR_CONFIG: fill_with_mean/false/true. */
lc_status lc_prep_category_run(const lc_prep_column *col, const lc_prep_category_opts *o, cJSON *preproc,
                               lc_prep_category *out, lc_error *e);
void lc_prep_category_free(lc_prep_category *r);

/* The vocabulary of a stored metadata entry (idx2str; str2freq when present, else counts of 0):
 * idx2str, freq, keys and fallback_idx as lc_prep_category_run sets them; no rows, meta NULL.
 * Errors (LC_ERR_DATA, naming `name`): no idx2str, a label that is not a string or is listed twice. */
lc_status lc_prep_category_from_meta(const cJSON *meta, const char *name, lc_prep_category *out, lc_error *e);

/* Maps a column through a stored vocabulary (lc_prep_category_from_meta): missing cells filled with
 * the stored computed_fill_value (fill_with_const without one: o->fill_value), cells stripped as
 * Python strips them, unknown values mapped to fallback_idx and counted in n_unknown. */
lc_status lc_prep_category_apply(const lc_prep_column *col, const lc_prep_category_opts *o, const cJSON *meta,
                                 lc_prep_category *out, lc_error *e);

/* Ludwig's mapping of a cell (Python-stripped) to its index: str2idx, else fallback_idx. */
int lc_prep_category_index(const lc_prep_category *c, const char *cell);

/* ---- timeseries (timeseries.c) ---- */

typedef struct lc_prep_timeseries_opts {
    lc_missing missing;     /* fill_with_const */
    const char *fill_value; /* "" */
    char sep;               /* the tokenizer's separator: ' ' (space), ',' (comma), '_' */
    int limit;              /* timeseries_length_limit (256) */
    float padding_value;    /* 0 */
    int pad_left;           /* padding: left */
    int window;             /* window_size: > 0 when each row holds one number of one series */
    int horizon;            /* an output's horizon: > 0 when each row holds one number; row i's
                             * target is then the next horizon values */
    int vector;             /* a vector column (vector_feature.py): str.split() on whitespace, every
                             * row exactly vector_size values (NaN kept), no limit or padding; the
                             * metadata is {"vector_size": T} */
    int vector_size;        /* vector: the preprocessing's vector_size (0: from the data) */
} lc_prep_timeseries_opts;

void lc_prep_timeseries_defaults(lc_prep_timeseries_opts *o);

typedef struct lc_prep_timeseries {
    float *values;          /* (n, T) the padded series of each row (valid where keep[i]) */
    unsigned char *keep;    /* (n) 0: dropped (drop_row) */
    size_t n_kept;
    int T;                  /* max_timeseries_length */
    cJSON *meta;            /* {"max_timeseries_length": T}, without "preprocessing" */
} lc_prep_timeseries;

/* Fits a timeseries column: computed_fill_value (a string) set in preproc (may be NULL).
 * Errors (LC_ERR_DATA): a token Python's float() rejects (naming the line, the token and its
 * place in the row), a column with no value in any row. */
lc_status lc_prep_timeseries_run(const lc_prep_column *col, const lc_prep_timeseries_opts *o,
                                 cJSON *preproc, lc_prep_timeseries *out, lc_error *e);
/* The same with a stored entry: its max_timeseries_length (longer rows are cut) and
 * computed_fill_value. */
lc_status lc_prep_timeseries_apply(const lc_prep_column *col, const lc_prep_timeseries_opts *o,
                                   const cJSON *meta, lc_prep_timeseries *out, lc_error *e);
void lc_prep_timeseries_free(lc_prep_timeseries *r);
/* A stored entry's max_timeseries_length (vector_size for a vector), or -1 when it is not a whole
 * number >= 1. */
int lc_prep_timeseries_length(const cJSON *meta);
int lc_prep_vector_size(const cJSON *meta);

/* ---- date (date.c) ---- */

typedef struct lc_prep_date_opts {
    lc_missing missing;          /* fill_with_const */
    const char *fill_value;      /* "" */
    const char *datetime_format; /* strptime's format, or NULL */
} lc_prep_date_opts;

/* A date column as (n, 9) numbers (values, keep; T 9; meta {} without "preprocessing"): a cell
 * that is not a date is an error naming its line. */
lc_status lc_prep_date_run(const lc_prep_column *col, const lc_prep_date_opts *o, cJSON *preproc,
                           lc_prep_timeseries *out, lc_error *e);
lc_status lc_prep_date_apply(const lc_prep_column *col, const lc_prep_date_opts *o,
                             const cJSON *meta, lc_prep_timeseries *out, lc_error *e);
/* One cell's 9 numbers (with format first when given); 0 when it reads as a date. */
int lc_date_parse(const char *s, const char *format, float *v /* (9) */);

/* ---- text (text.c) ---- */

/* The tokenizers of ludwig/utils/tokenizers.py that ludwig-c implements. */
typedef enum lc_tokenizer {
    LC_TOK_SPACE_PUNCT = 0, /* runs of letters, digits and '_'; every other non-space character */
    LC_TOK_SPACE,           /* strip, split on ' ', empty tokens dropped */
    LC_TOK_UNDERSCORE,      /* the same on '_' */
    LC_TOK_COMMA,           /* the same on ',' */
    LC_TOK_CHARACTERS,      /* one token per character, spaces included */
    LC_TOK_UNTOKENIZED,     /* the whole cell */
    LC_TOK_STRIPPED,        /* the whole cell, stripped */
    LC_TOK_NGRAM            /* space's tokens, then each pair of neighbouring pieces of the
                             * split (empty ones included) joined by a space (torchtext's
                             * ngrams_iterator with n = 2, as Ludwig maps rows) */
} lc_tokenizer;

typedef struct lc_prep_text_opts {
    lc_missing missing;        /* fill_with_const */
    const char *fill_value;    /* "<UNK>" */
    lc_tokenizer tokenizer;    /* space_punct */
    long most_common;          /* 20000 */
    int max_sequence_length;   /* 256; <= 0: none */
    int sequence_length;       /* > 0: the width exactly */
    int lowercase;
    int pad_left;
    const char *padding_symbol, *unknown_symbol; /* "<PAD>", "<UNK>" */
    const char *vocab_file;    /* the vocabulary, one entry per line (NULL: from the data) */
    int kind;                  /* LC_SEQ_TEXT, LC_SEQ_SET or LC_SEQ_BAG */
} lc_prep_text_opts;

/* The token-list types sharing the tokenizers and the vocabulary: text (rows of ids), set (rows
 * of distinct ids; Ludwig's vocabulary has only <UNK>, at index 3) and bag (ids with counts; the
 * four special symbols as text's). A set or bag row is W ids ascending (-1: none) then their W
 * weights: the id itself for a set (Ludwig's EmbedSet scales each embedding by its multi-hot
 * index), the count for a bag. Set and bag cells are mapped without lowercasing, as Ludwig's
 * feature_data does (only the vocabulary is built from lowercased cells). */
enum { LC_SEQ_TEXT = 0, LC_SEQ_SET, LC_SEQ_BAG };

void lc_prep_text_defaults(lc_prep_text_opts *o);

typedef struct lc_prep_text {
    float *values;          /* (n, width) token ids (valid where keep[i]); set / bag: the id and
                             * weight rows, width = 2 W */
    unsigned char *keep;
    size_t n_kept;
    int width;              /* max_sequence_length */
    int vocab_size, pad_idx, unk_idx;
    void *vocab;            /* the token table (text.c) */
    cJSON *meta;            /* Ludwig's entry without "preprocessing" */
} lc_prep_text;

/* Fits a text column (the vocabulary over all its rows). Errors: a column without tokens. */
lc_status lc_prep_text_run(const lc_prep_column *col, const lc_prep_text_opts *o, cJSON *preproc,
                           lc_prep_text *out, lc_error *e);
/* The same with a stored entry's idx2str and max_sequence_length. */
lc_status lc_prep_text_apply(const lc_prep_column *col, const lc_prep_text_opts *o,
                             const cJSON *meta, lc_prep_text *out, lc_error *e);
void lc_prep_text_free(lc_prep_text *r);

/* pretrained_embeddings, a GloVe text file (a word, then its values, per line): the size its first
 * non-empty line gives. */
lc_status lc_glove_dim(const char *path, int *dim, lc_error *e);
/* The (V, E) embedding matrix w for the vocabulary idx2str: each word's vector from the file
 * (its first line for a word listed twice), the words it lacks the average of the found ones
 * plus U(-0.01, 0.01) noise from seed's stream (Ludwig: numpy's unseeded). A line of another
 * length or a value that is not a number is an error naming the line (Ludwig skips such lines
 * with a warning); so is a file holding none of the words. */
lc_status lc_glove_fill(const char *path, const cJSON *idx2str, int E, float *w, uint64_t seed,
                        lc_error *e);

#endif
