/* ludwig_c.h - the public API of the ludwig-c library: run a Ludwig experiment (train on the
 * training split, evaluate every split, write Ludwig's output files) from a config and a dataset.
 *
 * Contract: every function returns an lc_status and, on failure, leaves a message in the lc_error
 * naming the file, row or key and what to fix. The library never prints except progress lines to
 * the FILE the caller gives, never exits, and writes only inside the output directory.
 */
#ifndef LUDWIG_C_H
#define LUDWIG_C_H

#include <stdint.h>
#include <stdio.h>

#include "lc_error.h"

const char *lc_version(void);

/* The confusion matrix is written for at most this many classes (1,000: ImageNet's count; its
 * JSON, one number per line as Ludwig indents it, is then ~20 MB). Ludwig writes it for any
 * count, but C x C grows past any input: 3,000 labels in a 68 KB CSV made a 166 MB
 * test_statistics.json, and 10,001 (most_common's default + 1) would be ~2 GB. Above it the
 * matrix is left out (the report and `visualize confusion_matrix` say so); overall_stats and
 * per_class_stats, which need only its diagonal and sums, are written as always. */
#define LC_CONFUSION_MATRIX_MAX 1000

/* For a caller about to end the process at once (a second signal, or a stop request the run did
 * not honour in time): stops every other thread of the process for good (they may be writing
 * into what is removed), then removes every staging directory and unfinished output of the runs
 * in progress, so that nothing half-written is left. The caller ends the process right after
 * (_exit), calling nothing that may allocate or lock stdio: a stopped thread may hold those
 * locks. Uses the real-time signal SIGRTMIN+3 (Linux). Not async-signal-safe: call it from a
 * thread (a signal-waiting thread with 256 KiB of stack), never from a signal handler. */
void lc_abort_cleanup(void);

/* The processes of a data-parallel run: MPI ranks under an MPI launcher (mpirun -np N), built
 * with Open MPI; NULL is one process. lc_dist_init joins them (and sets *out NULL when no launcher
 * started this process); an experiment or train with backend horovod then shares every batch
 * among them with the same results as one process, and only rank 0 writes. */
typedef struct lc_dist lc_dist;
int lc_dist_compiled(void);
/* The processes an MPI launcher started (0: none started this one). */
int lc_dist_launched_size(void);
lc_status lc_dist_init(lc_dist **out, lc_error *e);
void lc_dist_finalize(lc_dist *d);
void lc_dist_abort(const lc_dist *d, int code);
int lc_dist_rank(const lc_dist *d);
int lc_dist_size(const lc_dist *d);
/* 1 when the run failed with an error every rank holds (lc_dist_agree: rank 0 reports it, and
 * no rank waits for another) */
int lc_dist_failed_together(const lc_dist *d);

typedef struct lc_experiment_opts {
    const char *config_path;           /* Ludwig YAML config (required) */
    const char *dataset;               /* one file with a split column, or NULL */
    const char *training_set;          /* or separate files per split */
    const char *validation_set;
    const char *test_set;
    const char *training_set_metadata; /* reuse a training_set_metadata.json, or NULL */
    const char *data_format;           /* "auto" (NULL), "csv", "tsv", "json" */
    const char *eval_split;            /* "training", "validation", "test" (NULL), "full" */
    uint64_t random_seed;              /* Ludwig's default is 42 */
    const char *output_directory;      /* default "results" */
    const char *experiment_name;       /* default "experiment" */
    const char *model_name;            /* default "run" */
    const char *raw_data;              /* zip holding the images, read without extraction */
    const char *model_load_path;       /* start from this model's weights */
    const char *model_resume_path;     /* resume this run from its checkpoint */
    int threads;                       /* >= 1 */
    int skip_save_predictions;
    int skip_save_unprocessed_output;
    int skip_save_processed_input;
    int skip_save_model;
    int skip_save_training_description;
    int skip_save_training_statistics;
    int skip_save_progress;
    int skip_save_log;
    int skip_save_test_statistics;
    int skip_save_eval_stats;
    int skip_collect_predictions;
    int skip_collect_overall_stats;
    int skip_save_k_fold_split_indices;
    int k_fold;                        /* 0 = none */
    FILE *progress;                    /* per-epoch lines; NULL for silence */
    volatile int *stop_flag;           /* set non-zero (e.g. by a signal handler) to stop early */
    const char *command_line;          /* recorded in description.json */
    int train_only;                    /* `ludwig train`: no eval split evaluation, no test
                                        * statistics or predictions; ludwig_train_report.html */
    const char *backend;               /* --backend: NULL (the config's), "local", "horovod" */
    const lc_dist *dist;               /* the MPI ranks (lc_dist_init); NULL: one process */
} lc_experiment_opts;

/* Fills opts with Ludwig's defaults. */
void lc_experiment_opts_init(lc_experiment_opts *o);

/* Runs the experiment. On success *run_dir_out (if non-NULL) receives a malloc'd path of the
 * experiment_run directory. */
lc_status lc_experiment(const lc_experiment_opts *o, char **run_dir_out, lc_error *e);

/* `ludwig predict` and `ludwig evaluate` with a saved model directory (model_hyperparameters.json,
 * training_set_metadata.json, model_weights). */
typedef struct lc_predict_opts {
    const char *model_path;        /* the model directory (required) */
    const char *dataset;           /* required */
    const char *data_format;       /* "auto" (NULL), "csv", "tsv", "json" */
    const char *split;             /* "full" (NULL), "training", "validation", "test" */
    const char *raw_data;          /* zip holding the images, or NULL */
    const char *output_directory;  /* default "results"; files are written directly in it */
    int batch_size;                /* Ludwig's default is 128 */
    int threads;                   /* >= 1 */
    int skip_save_predictions;
    int skip_save_eval_stats;      /* evaluate only */
    int skip_collect_predictions;  /* evaluate only: no predictions at all */
    int skip_collect_overall_stats;/* evaluate only: no confusion matrix / overall / per-class stats */
    FILE *progress;                /* progress lines; NULL for silence */
    volatile int *stop_flag;       /* checked between batches; non-zero stops with LC_ERR_INTERRUPTED */
} lc_predict_opts;

void lc_predict_opts_init(lc_predict_opts *o);

/* `ludwig predict`: writes <od>/predictions_parquet.csv and <od>/predictions.shapes.json. The
 * output column may be absent from the dataset. */
lc_status lc_predict_run(const lc_predict_opts *o, lc_error *e);

/* `ludwig evaluate`: writes <od>/test_statistics.json, the predictions (unless skipped) and
 * <od>/ludwig_evaluate_report.html. The output column must be present. */
lc_status lc_evaluate_run(const lc_predict_opts *o, lc_error *e);

/* `ludwig hyperopt`: the trials of the config's hyperopt section, each an experiment on the config
 * with the trial's parameters, in <output_directory>/<experiment_name>/trial_<id>/; then
 * <output_directory>/<experiment_name>/hyperopt_statistics.json (the trials best first) and
 * <output_directory>/ludwig_hyperopt_report.html. trial.experiment_name defaults to "hyperopt";
 * trial.threads are the cores the trials share (each trial gets cpu_resources_per_trial or more);
 * trial.eval_split and trial.k_fold must be unset (the hyperopt split is evaluated). */
typedef struct lc_hyperopt_opts {
    lc_experiment_opts trial;
    int skip_save_hyperopt_statistics;
    FILE *results;  /* Ray's "Current best trial: <id> with metric_score=..." lines, or NULL */
} lc_hyperopt_opts;

void lc_hyperopt_opts_init(lc_hyperopt_opts *o);
/* On success *best_run_dir (if non-NULL) receives the malloc'd path of the best trial's run
 * directory (its model/ is the best model). */
lc_status lc_hyperopt(const lc_hyperopt_opts *o, char **best_run_dir, lc_error *e);

/* `ludwig visualize`: Ludwig's figures drawn from statistics files, written as
 * <output_directory>/<Ludwig's file name>.<file_format>. */
typedef struct lc_visualize_opts {
    const char *visualization;              /* required: e.g. learning_curves, confusion_matrix */
    const char *const *training_statistics; /* training_statistics.json per model */
    int n_training_statistics;
    const char *const *test_statistics;     /* test_statistics.json per model */
    int n_test_statistics;
    const char *hyperopt_stats_path;        /* hyperopt_statistics.json */
    const char *ground_truth_metadata;      /* training_set_metadata.json */
    const char *output_feature_name;        /* NULL: every output feature */
    const char *const *model_names;
    int n_model_names;
    const int *top_n_classes;               /* NULL: Ludwig's [0] (all classes) */
    int n_top_n_classes;
    int normalize;                          /* confusion_matrix: rows normalised */
    const char *file_format;                /* "pdf" (NULL, Ludwig's default) or "svg" */
    const char *output_directory;           /* required */
    /* the views drawn from rows: each model's predictions (predictions_parquet.csv, as predict
     * and experiment write it) and the ground truth (the dataset's output column, the rows of
     * ground_truth_split when it has a split column or split_file is given) */
    const char *const *probabilities;       /* predictions CSV per model (probability columns) */
    int n_probabilities;
    const char *const *predictions;         /* predictions CSV per model (prediction column) */
    int n_predictions;
    const char *ground_truth;               /* the dataset file */
    int ground_truth_split;                 /* 0, 1, 2 (Ludwig's default 2) */
    const char *split_file;                 /* a CSV of split values, one per dataset row */
    const char *const *threshold_output_feature_names; /* the 2thresholds views: two features */
    int n_threshold_output_feature_names;
    int top_k;                              /* 0: Ludwig's default 3 */
    int labels_limit;                       /* 0: none */
    const char *subset;                     /* "ground_truth" (NULL) or "predictions" */
    const char *const *metrics;             /* binary_threshold_vs_metric (NULL: f1) */
    int n_metrics;
    int positive_label;                     /* 0: Ludwig's default 1 */
} lc_visualize_opts;

/* Writes the figures and, when names is non-NULL, prints each file written to it. */
lc_status lc_visualize(const lc_visualize_opts *o, FILE *names, lc_error *e);

/* `ludwig render_config`: the config at config_path upgraded and filled with every default, as
 * YAML (PyYAML's safe_dump layout) to output, or to standard output when output is NULL; upgrade
 * notes go to notes (may be NULL). Nothing is written when the config is refused. */
lc_status lc_render_config(const char *config_path, const char *output, FILE *notes, lc_error *e);
/* The same for a config held in memory (len bytes of YAML text); name stands for its path in
 * messages. */
lc_status lc_render_config_text(const char *text, size_t len, const char *name, const char *output,
                                FILE *notes, lc_error *e);

/* `ludwig init_config` with its defaults (no suggested config, no hyperopt): the minimal config
 * {input_features, output_features}, each feature's name and the type Ludwig 0.10.3's AutoML
 * infers from the dataset, in PyYAML's safe_dump layout. The targets (by name and/or by 1-based
 * column number, as Galaxy's data_column gives them) become the output features, in column order;
 * the other columns become input features unless Ludwig's rules leave them out (constant columns,
 * unique ID columns, short text among more than 3 columns, the split column), each noted on
 * notes. At least one target is required and each must name a column. */
typedef struct lc_init_config_opts {
    const char *dataset;             /* required */
    const char *data_format;         /* "auto" (NULL), "csv", "tsv", "json" */
    const char *const *targets;      /* column names */
    int ntargets;
    const int *target_columns;       /* 1-based column numbers (ludwig-c only), or NULL */
    int ntarget_columns;
    const char *output;              /* written atomically; NULL: standard output, followed by the
                                      * empty line of Python's print() */
    int render;                      /* write the rendered config instead (lc_render_config_text) */
    FILE *notes;                     /* excluded columns and render notes; may be NULL */
} lc_init_config_opts;

void lc_init_config_opts_init(lc_init_config_opts *o);
/* Nothing is written when the dataset, a target or the rendering is refused. */
lc_status lc_init_config(const lc_init_config_opts *o, lc_error *e);

#endif
