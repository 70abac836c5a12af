/* main.c - the ludwig-c command line: parses upstream's `ludwig <command>` arguments into the
 * library's options, runs the command and maps the status to an exit code. Nothing numeric here.
 * Exit codes: 0 success, 1 user or data error, 2 usage error, 3 internal error, 130/143 when
 * interrupted by SIGINT/SIGTERM. (Galaxy treats any exit >= 1 as failure.)
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <pthread.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ludwig_c.h"
#include "lc_pool.h"

typedef enum { OPT_STR, OPT_INT, OPT_FLAG, OPT_IGNORED_STR, OPT_IGNORED_FLAG } opt_kind;

/* which commands accept an option */
enum { CMD_EXPERIMENT = 1, CMD_TRAIN = 2, CMD_PREDICT = 4, CMD_EVALUATE = 8, CMD_HYPEROPT = 16 };
#define CMD_FIT (CMD_EXPERIMENT | CMD_TRAIN | CMD_HYPEROPT)
#define CMD_USE (CMD_PREDICT | CMD_EVALUATE)
#define CMD_ALL (CMD_FIT | CMD_USE)

typedef struct opt_def {
    const char *name;  /* long name without "--" */
    const char *alias; /* short alias without "-", or NULL */
    opt_kind kind;
    const char *arg;   /* metavariable for help */
    const char *help;
    unsigned cmds;     /* CMD_* mask */
} opt_def;

/* Upstream's `ludwig <command>` options, once each (an option whose alias or meaning differs
 * between commands has one row per meaning). */
static const opt_def opts[] = {
    {"config", "c", OPT_STR, "PATH", "Ludwig YAML config (required).", CMD_FIT},
    {"model_path", "m", OPT_STR, "DIR", "the saved model directory (required): model_hyperparameters.json, training_set_metadata.json, model_weights", CMD_USE},
    {"dataset", NULL, OPT_STR, "PATH", "dataset with all splits (CSV, TSV or JSON); image paths resolve against its directory", CMD_FIT},
    {"dataset", NULL, OPT_STR, "PATH", "dataset to run the model on (required); image paths resolve against its directory", CMD_USE},
    {"training_set", NULL, OPT_STR, "PATH", "training split as its own file", CMD_FIT},
    {"validation_set", NULL, OPT_STR, "PATH", "validation split as its own file", CMD_FIT},
    {"test_set", NULL, OPT_STR, "PATH", "test split as its own file", CMD_FIT},
    {"training_set_metadata", NULL, OPT_STR, "PATH", "reuse a training_set_metadata.json (vocabularies, image size)", CMD_FIT},
    {"data_format", NULL, OPT_STR, "FMT", "auto (default, by extension), csv, tsv or json; h5 is refused", CMD_ALL},
    {"eval_split", "es", OPT_STR, "SPLIT", "split to evaluate after training: training, validation, test (default) or full", CMD_EXPERIMENT},
    {"split", "s", OPT_STR, "SPLIT", "training, validation, test or full (default): the rows to use", CMD_USE},
    {"batch_size", "bs", OPT_INT, "N", "rows per batch (default 128)", CMD_USE},
    {"random_seed", "rs", OPT_INT, "N", "seed for initialisation, shuffling, dropout and random splits (default 42)", CMD_FIT},
    {"output_directory", "od", OPT_STR, "DIR", "where experiment_run/ is created (default results)", CMD_FIT},
    {"output_directory", "od", OPT_STR, "DIR", "where the files are written (default results)", CMD_USE},
    {"experiment_name", "en", OPT_STR, "NAME", "experiment name (default experiment)", CMD_FIT},
    {"model_name", "mn", OPT_STR, "NAME", "model name (default run); outputs go to <experiment_name>_<model_name>", CMD_FIT},
    {"model_load_path", "mlp", OPT_STR, "DIR", "initialise from the weights of this model directory", CMD_FIT},
    {"model_resume_path", "mrp", OPT_STR, "DIR", "resume training from this run's checkpoint", CMD_EXPERIMENT | CMD_TRAIN},
    {"k_fold", "kf", OPT_INT, "K", "k-fold cross validation of --dataset (2 or more folds; kfold_training_statistics.json)", CMD_EXPERIMENT},
    {"raw_data", NULL, OPT_STR, "ZIP", "zip holding the images; read directly, never extracted (ludwig-c only)", CMD_ALL},
    {"threads", NULL, OPT_INT, "N", "worker threads (default: all cores; Galaxy passes GALAXY_SLOTS) (ludwig-c only)", CMD_ALL},
    {"disable_parallel_threads", "dpt", OPT_FLAG, NULL, "use one thread (same results: output is identical at any thread count)", CMD_ALL},
    {"skip_save_predictions", "sp", OPT_FLAG, NULL, "do not write predictions", CMD_EXPERIMENT | CMD_HYPEROPT},
    {"skip_save_predictions", "sstp", OPT_FLAG, NULL, "do not write predictions_parquet.csv", CMD_USE},
    {"skip_save_unprocessed_output", "ssuo", OPT_FLAG, NULL, "accepted for compatibility (no numpy files are ever written)", CMD_EXPERIMENT | CMD_USE | CMD_HYPEROPT},
    {"skip_save_k_fold_split_indices", "skfsi", OPT_FLAG, NULL, "do not write kfold_split_indices.json", CMD_EXPERIMENT},
    {"skip_save_processed_input", "sspi", OPT_FLAG, NULL, "accepted for compatibility (no HDF5 cache is written)", CMD_FIT},
    {"skip_save_training_description", "sstd", OPT_FLAG, NULL, "do not write description.json", CMD_FIT},
    {"skip_save_training_statistics", "ssts", OPT_FLAG, NULL, "do not write training_statistics.json", CMD_FIT},
    {"skip_save_model", "ssm", OPT_FLAG, NULL, "do not write model_weights", CMD_FIT},
    {"skip_save_progress", "ssp", OPT_FLAG, NULL, "do not write training checkpoints", CMD_FIT},
    {"skip_save_log", "ssl", OPT_FLAG, NULL, "accepted for compatibility (no TensorBoard logs)", CMD_FIT},
    {"skip_save_eval_stats", "sses", OPT_FLAG, NULL, "do not write test_statistics.json", CMD_EXPERIMENT | CMD_EVALUATE | CMD_HYPEROPT},
    {"skip_save_hyperopt_statistics", "sshs", OPT_FLAG, NULL, "do not write hyperopt_statistics.json", CMD_HYPEROPT},
    {"hyperopt_log_verbosity", "hlv", OPT_IGNORED_STR, "N", "accepted and ignored (per-epoch lines are always shown, prefixed with the trial)", CMD_HYPEROPT},
    {"skip_collect_predictions", "scp", OPT_FLAG, NULL, "accepted for compatibility", CMD_EXPERIMENT},
    {"skip_collect_predictions", "scp", OPT_FLAG, NULL, "do not collect (and so not write) predictions", CMD_EVALUATE},
    {"skip_collect_overall_stats", "scos", OPT_FLAG, NULL, "accepted for compatibility", CMD_EXPERIMENT},
    {"skip_collect_overall_stats", "scos", OPT_FLAG, NULL, "leave confusion_matrix, overall_stats and per_class_stats out", CMD_EVALUATE},
    {"backend", "b", OPT_IGNORED_STR, "NAME", "local, or horovod (experiment, train: one run shared by the processes of mpirun -np N, with the results of one process; hyperopt shares its trials under mpirun either way)", CMD_ALL},
    {"gpus", "g", OPT_IGNORED_STR, "LIST", "accepted and ignored: ludwig-c runs on CPU", CMD_ALL},
    {"gpu_memory_limit", "gml", OPT_IGNORED_STR, "N", "accepted and ignored", CMD_ALL},
    {"logging_level", "l", OPT_IGNORED_STR, "LEVEL", "accepted and ignored", CMD_ALL},
    {NULL, NULL, OPT_FLAG, NULL, NULL, 0},
};

static void print_usage(FILE *f)
{
    fprintf(f,
            "usage: ludwig-c <command> [options]\n"
            "\n"
            "ludwig-c %s - Ludwig 0.10.3's experiment, train, predict and evaluate in native C.\n"
            "\n"
            "commands:\n"
            "  experiment   train on the training split, evaluate, write Ludwig's output files\n"
            "  train        train and save the model, without the evaluation of an eval split\n"
            "  predict      predictions of a saved model on a dataset\n"
            "  evaluate     predictions and test statistics of a saved model on a labelled dataset\n"
            "  hyperopt     search the config's hyperopt parameters: one experiment per trial\n"
            "  visualize    Ludwig's figures from statistics files (pdf or svg)\n"
            "  render_config  the config with every default filled in, as YAML\n"
            "  init_config  a config from a dataset: each column's inferred type, the targets as outputs\n"
            "  version      the version and what this build can do (MPI); --version: the version\n"
            "\n"
            "experiment and train share one run among MPI ranks with backend horovod:\n"
            "  mpirun -np 4 ludwig-c experiment --backend horovod --threads 8 ...\n"
            "(the same files as one process; only rank 0 writes; docs/distributed.md)\n"
            "\n"
            "Run 'ludwig-c <command> --help' for the options of a command.\n",
            lc_version());
}

static const char *const command_about[5][2] = {
    {"experiment",
     "usage: ludwig-c experiment --config CONFIG.yaml --dataset DATA.csv [options]\n\n"
     "Trains the model the config describes on the training split, evaluates each split\n"
     "every epoch, keeps the best model on the validation metric, then evaluates the\n"
     "eval split and writes <output_directory>/<experiment_name>_<model_name>/ as Ludwig\n"
     "0.10.3 does, plus ludwig_experiment_report.html in the output directory.\n"},
    {"train",
     "usage: ludwig-c train --config CONFIG.yaml --dataset DATA.csv [options]\n\n"
     "Trains as 'experiment' does and writes the same <experiment_name>_<model_name>/\n"
     "directory (description.json, training_statistics.json, model/) but evaluates no\n"
     "eval split afterwards (no test_statistics.json, no predictions), as 'ludwig train';\n"
     "ludwig_train_report.html goes to the output directory.\n"},
    {"predict",
     "usage: ludwig-c predict --model_path MODEL_DIR --dataset DATA.csv [options]\n\n"
     "Loads a saved model directory and writes predictions_parquet.csv (the columns of\n"
     "Ludwig's predictions.parquet) and predictions.shapes.json into the output directory.\n"
     "The dataset needs the input column; the output column may be absent.\n"},
    {"evaluate",
     "usage: ludwig-c evaluate --model_path MODEL_DIR --dataset DATA.csv [options]\n\n"
     "Loads a saved model directory, predicts the split and compares with the output column:\n"
     "writes test_statistics.json, predictions_parquet.csv, predictions.shapes.json and\n"
     "ludwig_evaluate_report.html into the output directory.\n"},
    {"hyperopt",
     "usage: ludwig-c hyperopt --config CONFIG.yaml --dataset DATA.csv [options]\n\n"
     "Runs the trials of the config's hyperopt section (Ludwig 0.10.3's parameters, spaces,\n"
     "search_alg variant_generator or random, executor num_samples, max_concurrent_trials,\n"
     "cpu_resources_per_trial, time_budget_s; scheduler fifo), each an experiment in\n"
     "<output_directory>/<experiment_name>/trial_<id>/, several at once on --threads cores.\n"
     "Writes <output_directory>/<experiment_name>/hyperopt_statistics.json (trials best\n"
     "first), ludwig_hyperopt_report.html and visualizations/hyperopt_*.svg in the output\n"
     "directory, and prints Ray's 'Current best trial: <id> ...' lines on standard output.\n"
     "experiment_name defaults to hyperopt.\n"},
};

static void print_command_help(FILE *f, const char *cmd, unsigned cmds)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(command_about[i][0], cmd) == 0)
            fputs(command_about[i][1], f);
    fprintf(f, "\noptions:\n");
    for (const opt_def *d = opts; d->name; d++) {
        if (!(d->cmds & cmds))
            continue;
        char left[96];
        if (d->alias)
            snprintf(left, sizeof left, "--%s, -%s%s%s", d->name, d->alias, d->arg ? " " : "",
                     d->arg ? d->arg : "");
        else
            snprintf(left, sizeof left, "--%s%s%s", d->name, d->arg ? " " : "",
                     d->arg ? d->arg : "");
        fprintf(f, "  %-44s %s\n", left, d->help);
    }
    fprintf(f, "  %-44s %s\n", "--help, -h", "show this help");
}

static const opt_def *find_opt(unsigned cmds, const char *arg)
{
    if (arg[0] != '-')
        return NULL;
    int dd = arg[1] == '-';
    const char *name = arg + 1 + dd;
    size_t len = strcspn(name, "=");
    for (const opt_def *d = opts; d->name; d++) {
        if (!(d->cmds & cmds))
            continue;
        if (dd && strlen(d->name) == len && strncmp(d->name, name, len) == 0)
            return d;
        if (!dd && d->alias && strlen(d->alias) == len && strncmp(d->alias, name, len) == 0)
            return d;
    }
    return NULL;
}

static int parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "ludwig-c: error: --%s expects an integer in [%ld, %ld], got '%s'\n", opt,
                lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* SIGINT/SIGTERM: the run is asked to stop (g_signal, its stop flag), and it does at the next
 * step it checks (an epoch's batch, a block of rows), keeping what can be resumed. A stage that
 * does not check in time (a blocking read of a FIFO, a long parse) or a second signal ends the
 * process from the signal thread: what the runs in progress staged is removed first, so nothing
 * is left half-written, and the exit status is the signal's (143, 130). */
static volatile int g_signal = 0;
#define STOP_GRACE_MS 1800
#define MPI_STOP_GRACE_MS 300
static sigset_t g_stop_sigs;

static int exit_code(lc_status st)
{
    switch (st) {
    case LC_OK: return 0;
    case LC_ERR_USAGE: return 2;
    case LC_ERR_INTERNAL: return 3;
    case LC_ERR_INTERRUPTED: return g_signal == SIGTERM ? 143 : 130;
    default: return 1;
    }
}

static int report_error(const lc_error *e)
{
    fprintf(stderr, "ludwig-c: error: %s\n", e->msg);
    if (e->hint[0])
        fprintf(stderr, "HINT: %s\n", e->hint);
    return exit_code(e->status);
}

/* Reads the option at argv[*i] (and its value). Returns 0 with *d_out and *val_out set, 1 when help was
 * printed, 2 on a usage error (message printed). */
static int next_opt(int argc, char **argv, int *i, const char *cmd, unsigned cmds,
                    const opt_def **d_out, const char **val_out)
{
    const char *a = argv[*i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        print_command_help(stdout, cmd, cmds);
        return 1;
    }
    const opt_def *d = find_opt(cmds, a);
    if (!d) {
        fprintf(stderr, "ludwig-c: error: unknown option '%s' for '%s'\n", a, cmd);
        fprintf(stderr, "HINT: run 'ludwig-c %s --help' for the list of options\n", cmd);
        return 2;
    }
    const char *val = NULL;
    const char *eq = strchr(a, '=');
    if (d->kind == OPT_FLAG || d->kind == OPT_IGNORED_FLAG) {
        if (eq) {
            fprintf(stderr, "ludwig-c: error: --%s takes no value\n", d->name);
            return 2;
        }
    } else if (eq) {
        val = eq + 1;
    } else {
        if (*i + 1 >= argc) {
            fprintf(stderr, "ludwig-c: error: --%s needs a value (%s)\n", d->name, d->arg);
            return 2;
        }
        val = argv[++*i];
    }
    *d_out = d;
    *val_out = val;
    return 0;
}

static int check_backend(const char *val)
{
    if (strcmp(val, "local") != 0 && strcmp(val, "horovod") != 0) {
        fprintf(stderr, "ludwig-c: error: --backend '%s' is not supported; ludwig-c runs local (one process, --threads) and horovod (experiment and train under mpirun -np N)\n", val);
        return 2;
    }
    return 0;
}

/* Only experiment and train (a run) and hyperopt (its trials) share their work among MPI ranks:
 * any other command started by mpirun as several processes would run in each. */
static int refuse_mpi(const char *cmd)
{
    int n = lc_dist_launched_size();
    if (n <= 1)
        return 0;
    fprintf(stderr, "ludwig-c: error: '%s' was started by an MPI launcher as %d processes, but it runs in one process (only experiment, train and hyperopt share their work among MPI ranks)\n", cmd, n);
    fprintf(stderr, "HINT: run 'ludwig-c %s' without mpirun\n", cmd);
    return 2;
}

/* --threads (0: not given): all the CPUs this process may use by default. More than those is
 * honoured (results are identical at any thread count, and the tests check it on small machines)
 * but noted: the extra threads only add memory, the pool running at most one per CPU at once. */
static int resolve_threads(int disable_threads, long threads)
{
    if (disable_threads)
        return 1;
    int cpus = lc_cpu_count();
    if (threads <= 0)
        return cpus;
    if (threads > cpus)
        fprintf(stderr, "ludwig-c: note: --threads %ld is more than the %d CPU(s) available to this process; the extra threads add memory, not speed\n", threads, cpus);
    return (int)threads;
}

static void record_command_line(int argc, char **argv, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < argc && len < cap - 1; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "", argv[i]);
}

static void *signal_thread(void *arg)
{
    (void)arg;
    int sig = 0;
    while (sigwait(&g_stop_sigs, &sig) != 0)
        ;
    g_signal = sig;
    /* the run's own stop, or this */
    /* under mpirun the ranks may wait for a dead one in a collective, and mpirun follows its
     * SIGTERM with SIGKILL after a second: clean up well before that */
    long ms = lc_dist_launched_size() > 1 ? MPI_STOP_GRACE_MS : STOP_GRACE_MS;
    struct timespec grace = {ms / 1000, (ms % 1000) * 1000000L};
    while (sigtimedwait(&g_stop_sigs, NULL, &grace) < 0 && errno == EINTR)
        ;
    lc_abort_cleanup();
    static const char msg[] = "ludwig-c: error: interrupted; stopped at once, nothing was published\n";
    if (write(2, msg, sizeof msg - 1) < 0) {
        /* nothing more to do */
    }
    _exit(sig == SIGTERM ? 143 : 130);
    return NULL;
}

/* SIGINT and SIGTERM go to one thread that waits for them (every thread the run starts inherits
 * the blocked mask). */
static void install_signal_handlers(void)
{
    sigemptyset(&g_stop_sigs);
    sigaddset(&g_stop_sigs, SIGINT);
    sigaddset(&g_stop_sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &g_stop_sigs, NULL);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&at, 256 * 1024); /* lc_abort_cleanup: a directory buffer per level */
    if (pthread_create(&t, &at, signal_thread, NULL) != 0)
        pthread_sigmask(SIG_UNBLOCK, &g_stop_sigs, NULL); /* the default action: end at once */
    pthread_attr_destroy(&at);
}

/* `experiment`, `train` (mode 1) and `hyperopt` (mode 2) */
static int cmd_experiment(int argc, char **argv, int mode)
{
    int train_only = mode == 1;
    const char *cmd = mode == 2 ? "hyperopt" : train_only ? "train" : "experiment";
    unsigned cmds = mode == 2 ? CMD_HYPEROPT : train_only ? CMD_TRAIN : CMD_EXPERIMENT;
    lc_hyperopt_opts ho;
    lc_hyperopt_opts_init(&ho);
    lc_experiment_opts o;
    lc_experiment_opts_init(&o);
    o.train_only = train_only;
    int disable_threads = 0;
    long threads = 0;
    for (int i = 2; i < argc; i++) {
        const opt_def *d;
        const char *val;
        int r = next_opt(argc, argv, &i, cmd, cmds, &d, &val);
        if (r)
            return r == 1 ? 0 : 2;
        const char *n = d->name;
        long v;
        if (strcmp(n, "config") == 0) o.config_path = val;
        else if (strcmp(n, "dataset") == 0) o.dataset = val;
        else if (strcmp(n, "training_set") == 0) o.training_set = val;
        else if (strcmp(n, "validation_set") == 0) o.validation_set = val;
        else if (strcmp(n, "test_set") == 0) o.test_set = val;
        else if (strcmp(n, "training_set_metadata") == 0) o.training_set_metadata = val;
        else if (strcmp(n, "data_format") == 0) o.data_format = val;
        else if (strcmp(n, "eval_split") == 0) o.eval_split = val;
        else if (strcmp(n, "random_seed") == 0) {
            if (parse_int(n, val, 0, 2147483647L, &v))
                return 2;
            o.random_seed = (uint64_t)v;
        } else if (strcmp(n, "output_directory") == 0) o.output_directory = val;
        else if (strcmp(n, "experiment_name") == 0) o.experiment_name = val;
        else if (strcmp(n, "model_name") == 0) o.model_name = val;
        else if (strcmp(n, "model_load_path") == 0) o.model_load_path = val;
        else if (strcmp(n, "model_resume_path") == 0) o.model_resume_path = val;
        else if (strcmp(n, "k_fold") == 0) {
            if (parse_int(n, val, 2, 100, &v))
                return 2;
            o.k_fold = (int)v;
        } else if (strcmp(n, "raw_data") == 0) o.raw_data = val;
        else if (strcmp(n, "threads") == 0) {
            if (parse_int(n, val, 1, 1024, &threads))
                return 2;
        } else if (strcmp(n, "disable_parallel_threads") == 0) disable_threads = 1;
        else if (strcmp(n, "skip_save_predictions") == 0) o.skip_save_predictions = 1;
        else if (strcmp(n, "skip_save_unprocessed_output") == 0) o.skip_save_unprocessed_output = 1;
        else if (strcmp(n, "skip_save_k_fold_split_indices") == 0) o.skip_save_k_fold_split_indices = 1;
        else if (strcmp(n, "skip_save_processed_input") == 0) o.skip_save_processed_input = 1;
        else if (strcmp(n, "skip_save_training_description") == 0) o.skip_save_training_description = 1;
        else if (strcmp(n, "skip_save_training_statistics") == 0) o.skip_save_training_statistics = 1;
        else if (strcmp(n, "skip_save_model") == 0) o.skip_save_model = 1;
        else if (strcmp(n, "skip_save_progress") == 0) o.skip_save_progress = 1;
        else if (strcmp(n, "skip_save_log") == 0) o.skip_save_log = 1;
        else if (strcmp(n, "skip_save_eval_stats") == 0) o.skip_save_eval_stats = 1;
        else if (strcmp(n, "skip_collect_predictions") == 0) o.skip_collect_predictions = 1;
        else if (strcmp(n, "skip_collect_overall_stats") == 0) o.skip_collect_overall_stats = 1;
        else if (strcmp(n, "skip_save_hyperopt_statistics") == 0) ho.skip_save_hyperopt_statistics = 1;
        else if (strcmp(n, "backend") == 0) {
            if (check_backend(val))
                return 2;
            o.backend = val;
        }
        /* gpus, gpu_memory_limit, logging_level: accepted, ignored (documented in --help) */
    }
    if (!o.config_path) {
        fprintf(stderr, "ludwig-c: error: --config is required\n");
        fprintf(stderr, "HINT: ludwig-c %s --config config.yaml --dataset data.csv\n", cmd);
        return 2;
    }
    o.threads = resolve_threads(disable_threads, threads);
    o.progress = stderr;
    o.stop_flag = &g_signal;
    char cmdline[8192];
    record_command_line(argc, argv, cmdline, sizeof cmdline);
    o.command_line = cmdline;
    install_signal_handlers();

    lc_error e;
    lc_error_clear(&e);
    char *run_dir = NULL;
    lc_status st;
    lc_dist *dist = NULL;
    if (!(st = lc_dist_init(&dist, &e))) {
        o.dist = dist;
        if (mode == 2) {
            /* several ranks share the trials; each prints its trials' lines, rank 0 the rest */
            ho.trial = o;
            ho.results = lc_dist_rank(dist) == 0 ? stdout : NULL;
            st = lc_hyperopt(&ho, &run_dir, &e);
        } else {
            if (lc_dist_rank(dist) > 0)
                o.progress = NULL; /* rank 0 speaks for the run */
            st = lc_experiment(&o, &run_dir, &e);
        }
    }
    if (st) {
        int rank = lc_dist_rank(dist), code;
        /* a config, usage or data error is every rank's (they read the same files), as is one
         * the ranks agreed on (lc_dist_agree): rank 0 reports it and all end; any other may be
         * this rank's alone, with the others waiting for it in a collective: it names itself
         * and ends them all */
        if (lc_dist_size(dist) > 1 && !lc_dist_failed_together(dist) && st != LC_ERR_CONFIG &&
            st != LC_ERR_USAGE && st != LC_ERR_DATA) {
            fprintf(stderr, "ludwig-c: MPI rank %d of %d failed; ending every rank\n", rank, lc_dist_size(dist));
            code = report_error(&e);
            lc_dist_abort(dist, code);
        }
        code = rank == 0 ? report_error(&e) : exit_code(e.status);
        lc_dist_finalize(dist);
        return code;
    }
    if (lc_dist_rank(dist) == 0)
        fprintf(stderr, mode == 2 ? "ludwig-c: the best trial's run is %s\n" : "ludwig-c: results in %s\n", run_dir);
    free(run_dir);
    lc_dist_finalize(dist);
    return 0;
}

/* `predict` and `evaluate` */
static int cmd_predict(int argc, char **argv, int evaluate)
{
    const char *cmd = evaluate ? "evaluate" : "predict";
    lc_predict_opts o;
    lc_predict_opts_init(&o);
    int disable_threads = 0;
    long threads = 0, v;
    for (int i = 2; i < argc; i++) {
        const opt_def *d;
        const char *val;
        int r = next_opt(argc, argv, &i, cmd, evaluate ? CMD_EVALUATE : CMD_PREDICT, &d, &val);
        if (r)
            return r == 1 ? 0 : 2;
        const char *n = d->name;
        if (strcmp(n, "model_path") == 0) o.model_path = val;
        else if (strcmp(n, "dataset") == 0) o.dataset = val;
        else if (strcmp(n, "data_format") == 0) o.data_format = val;
        else if (strcmp(n, "split") == 0) o.split = val;
        else if (strcmp(n, "batch_size") == 0) {
            if (parse_int(n, val, 1, 1L << 20, &v))
                return 2;
            o.batch_size = (int)v;
        } else if (strcmp(n, "output_directory") == 0) o.output_directory = val;
        else if (strcmp(n, "raw_data") == 0) o.raw_data = val;
        else if (strcmp(n, "threads") == 0) {
            if (parse_int(n, val, 1, 1024, &threads))
                return 2;
        } else if (strcmp(n, "disable_parallel_threads") == 0) disable_threads = 1;
        else if (strcmp(n, "skip_save_predictions") == 0) o.skip_save_predictions = 1;
        else if (strcmp(n, "skip_save_eval_stats") == 0) o.skip_save_eval_stats = 1;
        else if (strcmp(n, "skip_collect_predictions") == 0) o.skip_collect_predictions = 1;
        else if (strcmp(n, "skip_collect_overall_stats") == 0) o.skip_collect_overall_stats = 1;
        else if (strcmp(n, "backend") == 0 && check_backend(val))
            return 2;
        /* skip_save_unprocessed_output, gpus, gpu_memory_limit, logging_level: accepted */
    }
    if (!o.model_path || !o.dataset) {
        fprintf(stderr, "ludwig-c: error: --model_path and --dataset are required\n");
        fprintf(stderr, "HINT: ludwig-c %s --model_path results/experiment_run/model --dataset data.csv\n", cmd);
        return 2;
    }
    o.threads = resolve_threads(disable_threads, threads);
    o.progress = stderr;
    o.stop_flag = &g_signal;
    install_signal_handlers();
    lc_error e;
    lc_error_clear(&e);
    lc_status st = evaluate ? lc_evaluate_run(&o, &e) : lc_predict_run(&o, &e);
    if (st)
        return report_error(&e);
    return 0;
}

/* `visualize`: Ludwig's options, the list ones taking one value or more */
static int cmd_visualize(int argc, char **argv)
{
    lc_visualize_opts o;
    memset(&o, 0, sizeof o);
    enum { L_TRS, L_TES, L_MN, L_PROB, L_PRED, L_TF, L_M, NLISTS };
    const char **lists[NLISTS] = {NULL};
    int nlist[NLISTS] = {0}, ntop = 0, lists_ok = 1;
    int *top = calloc((size_t)argc, sizeof *top);
    for (int k = 0; k < NLISTS; k++)
        lists_ok &= (lists[k] = calloc((size_t)argc, sizeof *lists[k])) != NULL;
    o.ground_truth_split = 2;
    int rc = 0;
    if (!top || !lists_ok) {
        fprintf(stderr, "ludwig-c: error: out of memory\n");
        rc = 1;
        goto done;
    }
    for (int i = 2; i < argc && !rc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: ludwig-c visualize --visualization NAME --output_directory DIR [options]\n\n"
                   "Draws one of Ludwig 0.10.3's visualizations from statistics files and writes each\n"
                   "figure as DIR/<Ludwig's file name>.pdf (or .png, .svg). NAME: learning_curves,\n"
                   "compare_performance, confusion_matrix, frequency_vs_f1,\n"
                   "roc_curves_from_test_statistics, precision_recall_curves_from_test_statistics,\n"
                   "compare_classifiers_multiclass_multimetric, hyperopt_report.\n\n"
                   "options:\n"
                   "  --visualization, -v NAME\n"
                   "  --training_statistics, -trs FILE...   training_statistics.json per model\n"
                   "  --test_statistics, -tes FILE...       test_statistics.json per model\n"
                   "  --hyperopt_stats_path, -hs FILE       hyperopt_statistics.json\n"
                   "  --ground_truth_metadata, -gm FILE     the model's training_set_metadata.json\n"
                   "  --output_feature_name, -ofn NAME      one output feature (default: every one)\n"
                   "  --model_names, -mn NAME...            labels of the models\n"
                   "  --top_n_classes, -tn K...             classes shown (0: all; default 0)\n"
                   "  --normalize, -n                       confusion matrix rows normalised\n"
                   "  --probabilities, -prob FILE...        predictions_parquet.csv per model\n"
                   "  --predictions, -pred FILE...          predictions_parquet.csv per model\n"
                   "  --ground_truth, -g FILE               the dataset with the output column\n"
                   "  --ground_truth_split, -gts 0|1|2      its split's rows (default 2, test)\n"
                   "  --split_file, -sf FILE                split values (CSV) for a dataset without a split column\n"
                   "  --threshold_output_feature_names, -tf A B   the 2thresholds views' two features\n"
                   "  --top_k, -k K                         default 3\n"
                   "  --labels_limit, -ll N                 classes above N folded into one\n"
                   "  --subset, -ss ground_truth|predictions\n"
                   "  --metrics, -m NAME...                 binary_threshold_vs_metric (default f1)\n"
                   "  --positive_label, -pl N               default 1\n"
                   "  --file_format, -ff pdf|png|svg        default pdf\n"
                   "  --output_directory, -od DIR           required\n");
            goto done;
        }
        int list = -1;
        const char **one = NULL;
        if (strcmp(a, "--visualization") == 0 || strcmp(a, "-v") == 0) one = &o.visualization;
        else if (strcmp(a, "--hyperopt_stats_path") == 0 || strcmp(a, "-hs") == 0) one = &o.hyperopt_stats_path;
        else if (strcmp(a, "--ground_truth_metadata") == 0 || strcmp(a, "-gm") == 0) one = &o.ground_truth_metadata;
        else if (strcmp(a, "--output_feature_name") == 0 || strcmp(a, "-ofn") == 0) one = &o.output_feature_name;
        else if (strcmp(a, "--file_format") == 0 || strcmp(a, "-ff") == 0) one = &o.file_format;
        else if (strcmp(a, "--output_directory") == 0 || strcmp(a, "-od") == 0) one = &o.output_directory;
        else if (strcmp(a, "--ground_truth") == 0 || strcmp(a, "-g") == 0) one = &o.ground_truth;
        else if (strcmp(a, "--split_file") == 0 || strcmp(a, "-sf") == 0) one = &o.split_file;
        else if (strcmp(a, "--subset") == 0 || strcmp(a, "-ss") == 0) one = &o.subset;
        else if (strcmp(a, "--training_statistics") == 0 || strcmp(a, "-trs") == 0) list = L_TRS;
        else if (strcmp(a, "--test_statistics") == 0 || strcmp(a, "-tes") == 0) list = L_TES;
        else if (strcmp(a, "--model_names") == 0 || strcmp(a, "-mn") == 0) list = L_MN;
        else if (strcmp(a, "--probabilities") == 0 || strcmp(a, "-prob") == 0) list = L_PROB;
        else if (strcmp(a, "--predictions") == 0 || strcmp(a, "-pred") == 0) list = L_PRED;
        else if (strcmp(a, "--threshold_output_feature_names") == 0 || strcmp(a, "-tf") == 0) list = L_TF;
        else if (strcmp(a, "--metrics") == 0 || strcmp(a, "-m") == 0) list = L_M;
        else if (strcmp(a, "--ground_truth_split") == 0 || strcmp(a, "-gts") == 0 ||
                 strcmp(a, "--top_k") == 0 || strcmp(a, "-k") == 0 ||
                 strcmp(a, "--labels_limit") == 0 || strcmp(a, "-ll") == 0 ||
                 strcmp(a, "--positive_label") == 0 || strcmp(a, "-pl") == 0) {
            long v;
            int which = a[1] == 'g' || strcmp(a, "--ground_truth_split") == 0 ? 0
                        : strcmp(a, "-k") == 0 || strcmp(a, "--top_k") == 0 ? 1
                        : strcmp(a, "-ll") == 0 || strcmp(a, "--labels_limit") == 0 ? 2 : 3;
            if (i + 1 >= argc) {
                fprintf(stderr, "ludwig-c: error: %s needs a value\n", a);
                rc = 2;
                break;
            }
            if (parse_int(a + (a[1] == '-' ? 2 : 1), argv[++i], which == 0 ? 0 : 1, which == 0 ? 2 : 1000000, &v)) {
                rc = 2;
                break;
            }
            if (which == 0)
                o.ground_truth_split = (int)v;
            else if (which == 1)
                o.top_k = (int)v;
            else if (which == 2)
                o.labels_limit = (int)v;
            else
                o.positive_label = (int)v;
            continue;
        }
        else if (strcmp(a, "--normalize") == 0 || strcmp(a, "-n") == 0) o.normalize = 1;
        else if (strcmp(a, "--top_n_classes") == 0 || strcmp(a, "-tn") == 0) {
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                long v;
                if (parse_int("top_n_classes", argv[++i], 0, 1000000, &v)) {
                    rc = 2;
                    break;
                }
                top[ntop++] = (int)v;
            }
            if (!rc && !ntop) {
                fprintf(stderr, "ludwig-c: error: --top_n_classes needs one number or more\n");
                rc = 2;
            }
            continue;
        } else if (strcmp(a, "--backend") == 0 || strcmp(a, "-b") == 0 ||
                   strcmp(a, "--logging_level") == 0 || strcmp(a, "-l") == 0) {
            if (i + 1 < argc)
                i++;
            continue;
        } else {
            fprintf(stderr, "ludwig-c: error: unknown option '%s' for 'visualize'\n", a);
            fprintf(stderr, "HINT: run 'ludwig-c visualize --help' for the list of options\n");
            rc = 2;
            break;
        }
        if (one) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ludwig-c: error: %s needs a value\n", a);
                rc = 2;
                break;
            }
            *one = argv[++i];
        } else if (list >= 0) {
            while (i + 1 < argc && argv[i + 1][0] != '-')
                lists[list][nlist[list]++] = argv[++i];
            if (!nlist[list]) {
                fprintf(stderr, "ludwig-c: error: %s needs one value or more\n", a);
                rc = 2;
            }
        }
    }
    if (!rc) {
        o.training_statistics = lists[L_TRS], o.n_training_statistics = nlist[L_TRS];
        o.test_statistics = lists[L_TES], o.n_test_statistics = nlist[L_TES];
        o.model_names = lists[L_MN], o.n_model_names = nlist[L_MN];
        o.probabilities = lists[L_PROB], o.n_probabilities = nlist[L_PROB];
        o.predictions = lists[L_PRED], o.n_predictions = nlist[L_PRED];
        o.threshold_output_feature_names = lists[L_TF];
        o.n_threshold_output_feature_names = nlist[L_TF];
        o.metrics = lists[L_M], o.n_metrics = nlist[L_M];
        o.top_n_classes = ntop ? top : NULL, o.n_top_n_classes = ntop;
        lc_error e;
        lc_error_clear(&e);
        if (lc_visualize(&o, stderr, &e))
            rc = report_error(&e);
    }
done:
    free(top);
    for (int k = 0; k < NLISTS; k++)
        free(lists[k]);
    return rc;
}

/* `render_config`: -c/--config PATH [-o/--output PATH] */
static int cmd_render_config(int argc, char **argv)
{
    const char *config = NULL, *output = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: ludwig-c render_config --config CONFIG.yaml [--output OUT.yaml]\n\n"
                   "Writes the config upgraded from older styles and filled with every default, as\n"
                   "Ludwig 0.10.3's `ludwig render_config` does, to OUT.yaml (or standard output).\n\n"
                   "options:\n"
                   "  --config, -c PATH   Ludwig YAML config (required)\n"
                   "  --output, -o PATH   where to write the rendered YAML (default: standard output)\n");
            return 0;
        }
        int is_c = strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0;
        int is_o = strcmp(a, "--output") == 0 || strcmp(a, "-o") == 0;
        if ((is_c || is_o) && i + 1 < argc) {
            if (is_c)
                config = argv[++i];
            else
                output = argv[++i];
            continue;
        }
        fprintf(stderr, "ludwig-c: error: render_config: %s '%s'\n",
                is_c || is_o ? "missing the value of" : "unknown option", a);
        return 2;
    }
    if (!config) {
        fprintf(stderr, "ludwig-c: error: render_config needs --config CONFIG.yaml\n");
        return 2;
    }
    lc_error e;
    lc_error_clear(&e);
    if (lc_render_config(config, output, stderr, &e))
        return report_error(&e);
    return 0;
}

/* `init_config`: upstream's -d/--dataset, -t/--target (repeatable), -o/--output; its
 * --time_limit_s, --random_seed and --use_reference_config change nothing in the minimal config
 * and are accepted; --suggested and --hyperopt (argparse type=bool: any non-empty value is true)
 * are refused when on. ludwig-c adds --data_format, --target_column N (1-based, Galaxy's
 * data_column) and --render_config. */
static int cmd_init_config(int argc, char **argv)
{
    enum { O_DATASET, O_TARGET, O_TARGET_COLUMN, O_OUTPUT, O_FORMAT, O_RENDER, O_IGNORED, O_BOOL };
    static const struct {
        const char *name, *alias;
        int kind;
    } io[] = {{"dataset", "d", O_DATASET}, {"target", "t", O_TARGET},
              {"target_column", NULL, O_TARGET_COLUMN}, {"output", "o", O_OUTPUT},
              {"data_format", NULL, O_FORMAT}, {"render_config", NULL, O_RENDER},
              {"time_limit_s", NULL, O_IGNORED}, {"random_seed", NULL, O_IGNORED},
              {"use_reference_config", NULL, O_IGNORED}, {"suggested", NULL, O_BOOL},
              {"hyperopt", NULL, O_BOOL}};
    lc_init_config_opts o;
    lc_init_config_opts_init(&o);
    const char **targets = calloc((size_t)argc, sizeof *targets);
    int *columns = calloc((size_t)argc, sizeof *columns);
    int rc = 2;
    if (!targets || !columns) {
        fprintf(stderr, "ludwig-c: error: out of memory\n");
        goto free_lists;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: ludwig-c init_config --dataset DATA.csv --target COLUMN [--target COLUMN ...]\n"
                   "                            [--output CONFIG.yaml] [--data_format FMT] [--render_config]\n\n"
                   "Writes the minimal config Ludwig 0.10.3's `ludwig init_config` writes: every column's\n"
                   "type as Ludwig's AutoML infers it (binary, category, number, text, date, image, audio),\n"
                   "the targets as output features, the other columns as input features except those\n"
                   "Ludwig leaves out (constant, unique IDs, short text, the split column).\n\n"
                   "options:\n"
                   "  --dataset, -d PATH      the dataset (CSV, TSV or JSON) (required)\n"
                   "  --target, -t NAME       a column to predict (repeatable; at least one target)\n"
                   "  --target_column N       the same by 1-based column number (ludwig-c only)\n"
                   "  --output, -o PATH       where to write the YAML (default: standard output)\n"
                   "  --data_format FMT       auto (default, by extension), csv, tsv or json (ludwig-c only)\n"
                   "  --render_config         write the config with every default filled in, as\n"
                   "                          'ludwig-c render_config' renders it (ludwig-c only)\n"
                   "  --time_limit_s N, --random_seed N, --use_reference_config V\n"
                   "                          accepted and ignored: they shape only the AutoML search\n"
                   "  --suggested V, --hyperopt V\n"
                   "                          refused unless V is empty: ludwig-c writes only the minimal config\n");
            rc = 0;
            goto free_lists;
        }
        const char *name = a[0] == '-' && a[1] == '-' ? a + 2 : a[0] == '-' ? a + 1 : NULL;
        const char *eq = name ? strchr(name, '=') : NULL;
        size_t nl = name ? (eq ? (size_t)(eq - name) : strlen(name)) : 0;
        int kind = -1;
        for (size_t k = 0; name && k < sizeof io / sizeof *io; k++) {
            const char *want = a[1] == '-' ? io[k].name : io[k].alias;
            if (want && strlen(want) == nl && strncmp(name, want, nl) == 0)
                kind = io[k].kind;
        }
        if (kind < 0) {
            fprintf(stderr, "ludwig-c: error: unknown option '%s' for 'init_config'\n", a);
            fprintf(stderr, "HINT: run 'ludwig-c init_config --help' for the list of options\n");
            goto free_lists;
        }
        const char *val = NULL;
        if (kind == O_RENDER) {
            if (eq) {
                fprintf(stderr, "ludwig-c: error: --render_config takes no value\n");
                goto free_lists;
            }
            o.render = 1;
            continue;
        }
        if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(stderr, "ludwig-c: error: init_config: missing the value of '%s'\n", a);
            goto free_lists;
        }
        long n;
        switch (kind) {
        case O_DATASET: o.dataset = val; break;
        case O_TARGET: targets[o.ntargets++] = val; break;
        case O_TARGET_COLUMN:
            if (parse_int("target_column", val, 1, 1000000, &n))
                goto free_lists;
            columns[o.ntarget_columns++] = (int)n;
            break;
        case O_OUTPUT: o.output = val; break;
        case O_FORMAT: o.data_format = val; break;
        case O_BOOL:
            if (val[0]) {
                fprintf(stderr, "ludwig-c: error: %s '%s': ludwig-c writes only the minimal config (no suggested AutoML config, no hyperopt section)\n", a, val);
                fprintf(stderr, "HINT: leave the option out; Ludwig's argparse type=bool reads any non-empty value, even 'False', as true\n");
                goto free_lists;
            }
            break;
        default: break; /* O_IGNORED */
        }
    }
    if (!o.dataset) {
        fprintf(stderr, "ludwig-c: error: init_config needs --dataset DATA.csv\n");
        goto free_lists;
    }
    o.targets = targets;
    o.target_columns = columns;
    o.notes = stderr;
    lc_error e;
    lc_error_clear(&e);
    rc = lc_init_config(&o, &e) ? report_error(&e) : 0;
free_lists:
    free(targets);
    free(columns);
    return rc;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* Blocks of 1 MiB and more are mapped and unmapped on their own: glibc otherwise raises this
     * threshold after the first large free and keeps later large blocks (a million-row column)
     * in per-thread heaps it does not give back, which on a large table costs ~20% of peak
     * memory. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) { /* one line: Galaxy's version_command */
        printf("ludwig-c %s\n", lc_version());
        return 0;
    }
    if (strcmp(cmd, "version") == 0) { /* and what this build can do */
        printf("ludwig-c %s\nmpi: %s\n", lc_version(), lc_dist_compiled() ? "yes (backend horovod under mpirun)" : "no (built without libopenmpi-dev)");
        return 0;
    }
    if (strcmp(cmd, "experiment") != 0 && strcmp(cmd, "train") != 0 &&
        strcmp(cmd, "hyperopt") != 0 && refuse_mpi(cmd))
        return 2;
    if (strcmp(cmd, "experiment") == 0)
        return cmd_experiment(argc, argv, 0);
    if (strcmp(cmd, "train") == 0)
        return cmd_experiment(argc, argv, 1);
    if (strcmp(cmd, "hyperopt") == 0)
        return cmd_experiment(argc, argv, 2);
    if (strcmp(cmd, "visualize") == 0)
        return cmd_visualize(argc, argv);
    if (strcmp(cmd, "render_config") == 0)
        return cmd_render_config(argc, argv);
    if (strcmp(cmd, "init_config") == 0)
        return cmd_init_config(argc, argv);
    if (strcmp(cmd, "predict") == 0)
        return cmd_predict(argc, argv, 0);
    if (strcmp(cmd, "evaluate") == 0)
        return cmd_predict(argc, argv, 1);
    fprintf(stderr, "ludwig-c: error: unknown command '%s'\n", cmd);
    print_usage(stderr);
    return 2;
}
