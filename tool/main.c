/* main.c - the ludwig-c command line: parses upstream's `ludwig <command>` arguments into the
 * library's options, runs the command and maps the status to an exit code. Nothing numeric here.
 * Exit codes: 0 success, 1 user or data error, 2 usage error, 3 internal error, 130/143 when
 * interrupted by SIGINT/SIGTERM. (Galaxy treats any exit >= 1 as failure.)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ludwig_c.h"
#include "lc_pool.h"

typedef enum { OPT_STR, OPT_INT, OPT_FLAG, OPT_IGNORED_STR, OPT_IGNORED_FLAG } opt_kind;

typedef struct opt_def {
    const char *name;  /* long name without "--" */
    const char *alias; /* short alias without "-", or NULL */
    opt_kind kind;
    const char *arg;   /* metavariable for help */
    const char *help;
} opt_def;

static const opt_def experiment_opts[] = {
    {"config", "c", OPT_STR, "PATH", "Ludwig YAML config (required)."},
    {"dataset", NULL, OPT_STR, "PATH", "dataset with all splits (CSV, TSV or JSON); image paths resolve against its directory"},
    {"training_set", NULL, OPT_STR, "PATH", "training split as its own file"},
    {"validation_set", NULL, OPT_STR, "PATH", "validation split as its own file"},
    {"test_set", NULL, OPT_STR, "PATH", "test split as its own file"},
    {"training_set_metadata", NULL, OPT_STR, "PATH", "reuse a training_set_metadata.json (vocabularies, image size)"},
    {"data_format", NULL, OPT_STR, "FMT", "auto (default, by extension), csv, tsv or json; h5 is refused"},
    {"eval_split", "es", OPT_STR, "SPLIT", "split to evaluate after training: training, validation, test (default) or full"},
    {"random_seed", "rs", OPT_INT, "N", "seed for initialisation, shuffling, dropout and random splits (default 42)"},
    {"output_directory", "od", OPT_STR, "DIR", "where experiment_run/ is created (default results)"},
    {"experiment_name", "en", OPT_STR, "NAME", "experiment name (default experiment)"},
    {"model_name", "mn", OPT_STR, "NAME", "model name (default run); outputs go to <experiment_name>_<model_name>"},
    {"model_load_path", "mlp", OPT_STR, "DIR", "initialise from the weights of this model directory"},
    {"model_resume_path", "mrp", OPT_STR, "DIR", "resume training from this run's checkpoint"},
    {"k_fold", "kf", OPT_INT, "K", "k-fold cross validation (not supported yet: refused)"},
    {"raw_data", NULL, OPT_STR, "ZIP", "zip holding the images; read directly, never extracted (ludwig-c only)"},
    {"threads", NULL, OPT_INT, "N", "worker threads (default: all cores; Galaxy passes GALAXY_SLOTS) (ludwig-c only)"},
    {"disable_parallel_threads", "dpt", OPT_FLAG, NULL, "use one thread (same results: output is identical at any thread count)"},
    {"skip_save_predictions", "sp", OPT_FLAG, NULL, "do not write predictions"},
    {"skip_save_unprocessed_output", "ssuo", OPT_FLAG, NULL, "accepted for compatibility (no numpy files are ever written)"},
    {"skip_save_k_fold_split_indices", "skfsi", OPT_FLAG, NULL, "accepted for compatibility"},
    {"skip_save_processed_input", "sspi", OPT_FLAG, NULL, "accepted for compatibility (no HDF5 cache is written)"},
    {"skip_save_training_description", "sstd", OPT_FLAG, NULL, "do not write description.json"},
    {"skip_save_training_statistics", "ssts", OPT_FLAG, NULL, "do not write training_statistics.json"},
    {"skip_save_model", "ssm", OPT_FLAG, NULL, "do not write model_weights"},
    {"skip_save_progress", "ssp", OPT_FLAG, NULL, "do not write training checkpoints"},
    {"skip_save_log", "ssl", OPT_FLAG, NULL, "accepted for compatibility (no TensorBoard logs)"},
    {"skip_save_eval_stats", "sses", OPT_FLAG, NULL, "do not write test_statistics.json"},
    {"skip_collect_predictions", "scp", OPT_FLAG, NULL, "accepted for compatibility"},
    {"skip_collect_overall_stats", "scos", OPT_FLAG, NULL, "accepted for compatibility"},
    {"backend", "b", OPT_IGNORED_STR, "NAME", "only 'local' is accepted"},
    {"gpus", "g", OPT_IGNORED_STR, "LIST", "accepted and ignored: ludwig-c runs on CPU"},
    {"gpu_memory_limit", "gml", OPT_IGNORED_STR, "N", "accepted and ignored"},
    {"logging_level", "l", OPT_IGNORED_STR, "LEVEL", "accepted and ignored"},
    {NULL, NULL, OPT_FLAG, NULL, NULL},
};

static void print_usage(FILE *f)
{
    fprintf(f,
            "usage: ludwig-c <command> [options]\n"
            "\n"
            "ludwig-c %s - Ludwig's image-classifier experiment in native C.\n"
            "\n"
            "commands:\n"
            "  experiment   train on the training split, evaluate, write Ludwig's output files\n"
            "\n"
            "Run 'ludwig-c <command> --help' for the options of a command.\n",
            lc_version());
}

static void print_command_help(FILE *f, const char *cmd, const opt_def *defs)
{
    fprintf(f, "usage: ludwig-c %s --config CONFIG.yaml --dataset DATA.csv [options]\n\n", cmd);
    fprintf(f,
            "Trains the model the config describes on the training split, evaluates each split\n"
            "every epoch, keeps the best model on the validation metric, then evaluates the\n"
            "eval split and writes <output_directory>/<experiment_name>_<model_name>/ as Ludwig\n"
            "0.10.3 does, plus ludwig_experiment_report.html in the output directory.\n\n"
            "options:\n");
    for (const opt_def *d = defs; d->name; d++) {
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

static const opt_def *find_opt(const opt_def *defs, const char *arg)
{
    if (arg[0] != '-')
        return NULL;
    int dd = arg[1] == '-';
    const char *name = arg + 1 + dd;
    size_t len = strcspn(name, "=");
    for (const opt_def *d = defs; d->name; d++) {
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

static volatile int g_signal = 0;

static void on_signal(int sig)
{
    g_signal = sig;
}

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

static int cmd_experiment(int argc, char **argv)
{
    lc_experiment_opts o;
    lc_experiment_opts_init(&o);
    int disable_threads = 0;
    long threads = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_command_help(stdout, "experiment", experiment_opts);
            return 0;
        }
        const opt_def *d = find_opt(experiment_opts, a);
        if (!d) {
            fprintf(stderr, "ludwig-c: error: unknown option '%s' for 'experiment'\n", a);
            fprintf(stderr, "HINT: run 'ludwig-c experiment --help' for the list of options\n");
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
            if (i + 1 >= argc) {
                fprintf(stderr, "ludwig-c: error: --%s needs a value (%s)\n", d->name, d->arg);
                return 2;
            }
            val = argv[++i];
        }
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
        else if (strcmp(n, "backend") == 0) {
            if (strcmp(val, "local") != 0) {
                fprintf(stderr, "ludwig-c: error: --backend '%s' is not supported; ludwig-c runs locally (use --backend local)\n", val);
                return 2;
            }
        }
        /* gpus, gpu_memory_limit, logging_level: accepted, ignored (documented in --help) */
    }
    if (!o.config_path) {
        fprintf(stderr, "ludwig-c: error: --config is required\n");
        fprintf(stderr, "HINT: ludwig-c experiment --config config.yaml --dataset data.csv\n");
        return 2;
    }
    o.threads = disable_threads ? 1 : threads > 0 ? (int)threads : lc_cpu_count();
    o.progress = stderr;
    o.stop_flag = &g_signal;
    char cmdline[8192];
    size_t len = 0;
    cmdline[0] = '\0';
    for (int i = 0; i < argc && len < sizeof cmdline - 1; i++)
        len += (size_t)snprintf(cmdline + len, sizeof cmdline - len, "%s%s", i ? " " : "",
                                argv[i]);
    o.command_line = cmdline;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    lc_error e;
    lc_error_clear(&e);
    char *run_dir = NULL;
    lc_status st = lc_experiment(&o, &run_dir, &e);
    if (st)
        return report_error(&e);
    fprintf(stderr, "ludwig-c: results in %s\n", run_dir);
    free(run_dir);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("ludwig-c %s\n", lc_version());
        return 0;
    }
    if (strcmp(cmd, "experiment") == 0)
        return cmd_experiment(argc, argv);
    fprintf(stderr, "ludwig-c: error: unknown command '%s'\n", cmd);
    print_usage(stderr);
    return 2;
}
